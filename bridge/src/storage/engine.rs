//! The engine's store: sled under `storage.path` on one machine (the
//! default), or PostgreSQL (`storage.backend = "postgres"`) shared by
//! several instances, where only the leader opens it, fenced by its lease
//! epoch (see `leader`). Chosen at start, so the engine runs on either
//! through `Arc<dyn KvStore>` (core's `KvStore for Arc<T>`).

use std::sync::Arc;

use smsdesk_engine::store::KvStore;

pub type EngineStore = Arc<dyn KvStore + Sync>;

/// Past every key but those that start with it: scans up to `END`, then
/// over the prefix `END`, see every key.
pub const END: [u8; 16] = [0xFF; 16];

/// Whether `store` holds no record at all.
pub fn is_empty(store: &dyn KvStore) -> anyhow::Result<bool> {
    Ok(store.scan_range(b"", &END, 1)?.is_empty() && store.scan_prefix(&END)?.is_empty())
}
