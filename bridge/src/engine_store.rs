//! The engine's store: sled under `storage.path` on one machine (the
//! default), or PostgreSQL (`storage.backend = "postgres"`) shared by
//! several instances, where only the leader opens it, fenced by its lease
//! epoch (see `leader`).

use smsdesk_core::store::{KvStore, Result, SledStore, WriteSet};
use smsdesk_pgstore::PgStore;

#[derive(Debug)]
pub enum EngineStore {
    Sled(SledStore),
    Postgres(Box<PgStore>),
}

impl EngineStore {
    fn inner(&self) -> &dyn KvStore {
        match self {
            Self::Sled(s) => s,
            Self::Postgres(s) => s.as_ref(),
        }
    }

    /// What `/readyz` and the logs call it.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Sled(_) => "sled",
            Self::Postgres(_) => "postgres",
        }
    }
}

impl KvStore for EngineStore {
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
