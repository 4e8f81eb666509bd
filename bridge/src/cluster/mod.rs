//! Several instances on one PostgreSQL store (`storage.backend =
//! "postgres"`). `cli::run` starts here instead of `serve` (one machine);
//! nothing outside this folder reaches into it but that start and the
//! benchmarks' `leader::TTL`.
//!
//! - `serve`: one instance's life: standby, leader, stepped down, stopped.
//! - `leader`: the lease with its fencing epoch; `fit_to_lead`: whether
//!   this smsdesk may run on and lead the database (schema, import).
//! - `shared_inbox`: webhooks and appservice transactions any instance
//!   takes, stored for the leader (`Gateway`), and the leader's consumer.
//! - `handed`: webhooks the leader took itself, handed to its engine
//!   (behind the inbox's earlier rows) rather than stored as rows.
//! - `spool`: verified webhooks kept on this machine's disk while the
//!   database is away, drained into the shared inbox when it is back.
//! - `pg_pool`: the few database connections the gateway shares, and its
//!   batched inserts; `listen`: `LISTEN`/`NOTIFY` wake-ups.

pub mod fit_to_lead;
pub mod handed;
pub mod leader;
pub mod listen;
pub mod pg_pool;
pub mod serve;
pub mod shared_inbox;
pub mod spool;

pub use serve::run;
