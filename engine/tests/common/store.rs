//! The store the lifecycle and property tests run on, chosen by
//! `SMSDESK_TEST_STORE`: `memory` (the default), `sled` (a temporary
//! directory), or a `postgres://` URL (a fresh schema per store on that
//! server; `scripts/test.sh` starts a throwaway one and runs these tests
//! on each store). The same tests, the same assertions, on every store.
#![allow(dead_code, clippy::unwrap_used)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use smsdesk_engine::store::{KvStore, MemoryStore, Result, SledStore, WriteSet};
use smsdesk_pgstore::PgStore;

/// A store of the kind the run asks for; clones share the same data (to
/// open the engine again on what it wrote).
#[derive(Clone, Debug)]
pub enum TestStore {
    Memory(MemoryStore),
    Sled(Arc<SledStore>, Arc<tempfile::TempDir>),
    Postgres(Arc<PgStore>),
}

impl TestStore {
    pub fn new() -> Self {
        match std::env::var("SMSDESK_TEST_STORE").as_deref() {
            Err(_) | Ok("" | "memory") => Self::Memory(MemoryStore::new()),
            Ok("sled") => {
                let dir = tempfile::tempdir().unwrap();
                Self::Sled(Arc::new(SledStore::open(dir.path()).unwrap()), Arc::new(dir))
            }
            Ok(url) if url.starts_with("postgres://") => {
                Self::Postgres(Arc::new(PgStore::connect(&fresh_schema(url)).unwrap()))
            }
            Ok(other) => panic!("SMSDESK_TEST_STORE={other:?}: expected memory, sled or a postgres:// URL"),
        }
    }

    fn inner(&self) -> &dyn KvStore {
        match self {
            Self::Memory(s) => s,
            Self::Sled(s, _) => s.as_ref(),
            Self::Postgres(s) => s.as_ref(),
        }
    }
}

impl Default for TestStore {
    fn default() -> Self {
        Self::new()
    }
}

/// `url` with a schema of its own (created), so tests running at once
/// on one server never see each other's records.
fn fresh_schema(url: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let schema = format!("t{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
    let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
    client.batch_execute(&format!("CREATE SCHEMA {schema}")).unwrap();
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}options=-csearch_path%3D{schema}")
}

impl KvStore for TestStore {
    fn commit(&self, writes: &WriteSet) -> Result<()> {
        self.inner().commit(writes)
    }
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.inner().get(key)
    }
    fn scan_prefix(&self, prefix: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        self.inner().scan_prefix(prefix)
    }
    fn scan_range(&self, from: &[u8], to: &[u8], limit: usize) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        self.inner().scan_range(from, to, limit)
    }
    fn settle(&self) -> Result<()> {
        self.inner().settle()
    }
    fn syncs(&self) -> u64 {
        self.inner().syncs()
    }
}
