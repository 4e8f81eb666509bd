//! Persistence. The engine speaks to a small key-value interface, `KvStore`,
//! whose one promise is that `commit` is atomic and durable: when it returns
//! Ok, every write in the set survives a killed process (and, for the sled
//! store, a power cut, as far as `fdatasync` can promise).
//!
//! - `keys`: the keys of each kind of record.
//! - `layout`: which records live under which keys, how they are encoded,
//!   and how a `State` is rebuilt from them.
//! - `memory`: an in-memory store for tests (same layout, no disk).
//! - `sled_store`: the real store: sled 0.34 behind our own write-ahead log.
//! - `wal`: that log: append + `fdatasync` per commit, replayed at open.
//! - `beside`: what the sled store keeps beside sled: `numbered_file`s (the
//!   events and the outbox, in files of their own) and `event_history`
//!   (each conversation's history, a chain through the events' index).
//! - `retention`: erasing closed conversations older than a cutoff.
//! - `fetched`: the reads a batch needs, fetched in one call before it runs.

mod beside;
mod event_history;
pub mod fetched;
mod keys;
pub mod layout;
mod memory;
mod numbered_file;
mod packing;
pub mod retention;
mod sled_store;
mod wal;

pub use memory::MemoryStore;
pub use sled_store::{SledStore, DEFAULT_CACHE_MIB};

use std::collections::BTreeMap;

/// Why the store failed. Store errors are fatal for the engine: it stops
/// accepting commands rather than let memory and disk disagree.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("storage I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("sled error: {0}")]
    Sled(#[from] sled::Error),
    #[error("corrupt record under key {key}: {message}")]
    Corrupt { key: String, message: String },
    /// A database store (PostgreSQL) failed or is unreachable.
    #[error("database error: {0}")]
    Database(String),
    /// Another instance took over the lease: this one must not write.
    #[error("fenced: {0}")]
    Fenced(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Writes to commit together: `Some(value)` puts, `None` deletes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WriteSet {
    pub writes: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
}

impl WriteSet {
    pub fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.writes.insert(key, Some(value));
    }

    pub fn delete(&mut self, key: Vec<u8>) {
        self.writes.insert(key, None);
    }

    pub fn is_empty(&self) -> bool {
        self.writes.is_empty()
    }

    pub fn len(&self) -> usize {
        self.writes.len()
    }
}

pub trait KvStore: Send {
    /// Applies all writes atomically, and returns only once they are durable.
    fn commit(&self, writes: &WriteSet) -> Result<()>;
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>>;
    /// The values of `keys`, in their order (one call where the store can:
    /// a round trip on PostgreSQL).
    fn get_many(&self, keys: &[Vec<u8>]) -> Result<Vec<Option<Vec<u8>>>> {
        keys.iter().map(|k| self.get(k)).collect()
    }
    /// `get_many`, and whether the gate is open: whether nothing stored
    /// elsewhere waits to be committed ahead of the batch asking (a
    /// PostgreSQL leader's shared inbox), as of this call; one round trip.
    /// A store only its engine writes to is always open. A store that wraps
    /// another must pass this on (as `Arc` does): the default would open
    /// the gate the inner store keeps.
    fn get_many_gated(&self, keys: &[Vec<u8>]) -> Result<(Vec<Option<Vec<u8>>>, bool)> {
        Ok((self.get_many(keys)?, true))
    }
    /// All pairs whose key starts with `prefix`, in key order.
    fn scan_prefix(&self, prefix: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>>;
    /// Up to `limit` pairs with `from <= key < to`, in key order.
    fn scan_range(&self, from: &[u8], to: &[u8], limit: usize) -> Result<Vec<(Vec<u8>, Vec<u8>)>>;
    /// Finishes work a commit deferred past its durability point (the sled
    /// store applies committed writes to its index here). Reads settle first
    /// by themselves; callers settle after answering their clients, so the
    /// work is off the latency path.
    fn settle(&self) -> Result<()> {
        Ok(())
    }
    /// How many durable syncs this store has performed (for metrics and tests).
    fn syncs(&self) -> u64;
}

/// Something keys can be looked up in: a store, or a batch's fetched
/// reads in front of one (`fetched::Through`).
pub trait Lookup {
    fn lookup(&self, key: &[u8]) -> Result<Option<Vec<u8>>>;
}

impl<T: KvStore + ?Sized> Lookup for T {
    fn lookup(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.get(key)
    }
}

/// A store behind an `Arc` is a store: the bridge picks sled or PostgreSQL
/// at start (`Arc<dyn KvStore + Sync>`), and tests share one store between
/// an engine and the one reopened on it.
impl<T: KvStore + Sync + ?Sized> KvStore for std::sync::Arc<T> {
    fn commit(&self, writes: &WriteSet) -> Result<()> {
        (**self).commit(writes)
    }
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        (**self).get(key)
    }
    fn get_many(&self, keys: &[Vec<u8>]) -> Result<Vec<Option<Vec<u8>>>> {
        (**self).get_many(keys)
    }
    fn get_many_gated(&self, keys: &[Vec<u8>]) -> Result<(Vec<Option<Vec<u8>>>, bool)> {
        (**self).get_many_gated(keys)
    }
    fn scan_prefix(&self, prefix: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        (**self).scan_prefix(prefix)
    }
    fn scan_range(&self, from: &[u8], to: &[u8], limit: usize) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        (**self).scan_range(from, to, limit)
    }
    fn settle(&self) -> Result<()> {
        (**self).settle()
    }
    fn syncs(&self) -> u64 {
        (**self).syncs()
    }
}
