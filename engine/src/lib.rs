//! # smsdesk-engine — the rules made durable
//!
//! `smsdesk-core` decides and applies, with no I/O; this crate is where
//! those decisions meet a disk, a thread and the clock:
//!
//! - [`store`]: the `KvStore` trait, the key layout (what survives a
//!   restart, and how a `State` is rebuilt from it), the memory store for
//!   tests, the sled store behind our own write-ahead log, and retention.
//! - [`engine`]: state + store + routers; runs a batch of commands through
//!   `decide`/`apply`, lets routing offer, and commits once.
//! - [`committer`]: a thread that owns an engine, does group commit for many
//!   concurrent callers and fires timers on time.
//! - [`clock`]: the wall clock (`SystemClock`, `now`).

pub mod clock;
pub mod committer;
pub mod engine;
pub mod store;

pub use engine::{BatchOutcome, Engine, EngineError, Executed};
