//! smsdesk's PostgreSQL store (docs/operator-guide.md, "Several instances"): the engine's `KvStore` in
//! a database that several smsdesk instances share.
//!
//! - `migrate`: the schema, versioned in `migrations/` and applied at
//!   connect, one instance at a time (an advisory lock).
//! - `store`: `PgStore`, the `KvStore`: one transaction per commit (group
//!   commit comes from the engine's committer, which hands it many
//!   commands' writes at once), durable when PostgreSQL answers, and,
//!   once fenced, refused unless this instance's lease epoch is current.
//! - `inbox`: webhooks any instance acknowledged, for the leader's engine
//!   (grouped inserts, `NOTIFY` on commit).
//! - `appservice`: appservice transactions any instance acknowledged, for
//!   the leader's Matrix desk, kept once per transaction id.
//! - `import`: the mark of a `smsdesk import-store` under way.
//! - `media`: agents' attachments, which any instance serves to carriers.
//! - `describe`: a PostgreSQL error in an operator's words.
//! - `conn`: how smsdesk connects (`open`), and one lazily made,
//!   remade-after-failure connection for blocking callers.
//! - `session`: a connection and the statements prepared on it (the hot
//!   statements are parsed and planned once per connection).
//! - `tls`: TLS with rustls, as libpq's `sslmode` and `sslrootcert` say.
//! - `lease`: the leader lease (database clock, epochs raised at each
//!   takeover, renew, resign with `NOTIFY`).
//! - `threaded`: a store on a thread of its own, for callers on an async
//!   runtime (the sync client must not run there).
//! - `testing`: a throwaway server for tests and benchmarks.
//!
//! Keys and values are the bytes the sled store keeps, so the engine's
//! layout, its tests and its tools are the same on both.

pub mod appservice;
pub mod conn;
pub mod describe;
pub mod import;
pub mod inbox;
pub mod lease;
pub mod media;
pub mod migrate;
pub mod session;
pub mod store;
pub mod target;
pub mod testing;
pub mod threaded;
pub mod tls;

pub use conn::Conn;
pub use describe::describe;
pub use session::Session;
pub use store::{Fence, PgStore, Table};
pub use threaded::Threaded;
