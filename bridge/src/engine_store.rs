//! The engine's store: sled under `storage.path` on one machine (the
//! default), or PostgreSQL (`storage.backend = "postgres"`) shared by
//! several instances, where only the leader opens it, fenced by its lease
//! epoch (see `leader`). Chosen at start, so the engine runs on either
//! through `Arc<dyn KvStore>` (core's `KvStore for Arc<T>`).

use std::sync::Arc;

use smsdesk_core::store::KvStore;

pub type EngineStore = Arc<dyn KvStore + Sync>;
