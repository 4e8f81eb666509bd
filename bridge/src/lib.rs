//! smsdesk: contact-center SMS conversations in Matrix rooms. This crate is
//! the `smsdesk` binary as a library (mini-redis style: `main.rs` only
//! parses the command line), so tests and benchmarks call it in-process.
//!
//! ## Layout
//!
//! - `cli`: the command line (clap); one module per subcommand (`run`,
//!   `check-config`, `replay`, `plugin check|run`; `sim` lives in `sim`).
//! - `config`: the TOML config file (docs/configuration.md): `reader` walks keys and
//!   collects every mistake, one file per section, `check` for
//!   cross-references and plugin worlds.
//! - `app`: `AppState` (config, engine, plugins, metrics) and `start`; the
//!   async `execute` / `read` that are the only ways to reach the engine.
//! - `serve`: `smsdesk run` on one machine — starts the HTTP listener and
//!   `tasks` (the outbox, the Matrix desk, the plugin reloader…), and stops
//!   them; `cluster`: the same on a shared PostgreSQL store.
//! - `http`: webhooks (with `inbound_check`), health, metrics.
//! - `outbox`: agent replies to the carrier: the pending set, rates, retry
//!   schedule; `outbox::send` is one attempt.
//! - `matrix`: the Matrix desk — login, sync, the event feed, notices,
//!   offer cards, desk and conversation rooms, inbound messages, command
//!   answers, the chat commands and the bot's store.
//! - `appservice`: appservice mode's registration file, the inbox of
//!   pushed transactions, and requests as customers' ghosts (the desk's
//!   side of it is `matrix::connection::appservice`).
//! - `cluster/`: several instances on one PostgreSQL store (a lease elects
//!   the leader; any instance takes webhooks into the shared inbox, or into
//!   its local spool while the database is away, appservice transactions,
//!   and serves attachments; `LISTEN` wakes the leader and the standbys).
//! - `storage`: `storage.backend` decided once (`Backend`), the one place
//!   that opens each store for it, and `storage.path`'s layout.
//! - `sim`: `smsdesk sim`, the carrier simulator; `sim::signing` is the one
//!   Twilio signer shared with tests and benchmarks.
//! - `media`: pictures and files (MMS): what may pass, fetching a
//!   customer's from the carrier, keeping and serving an agent's.
//! - `intake`: runs the entry points' intake bots on conversations in intake.
//! - `reload`: plugin hot reload (timer and SIGHUP).
//! - `retention`: erases closed conversations older than `storage.retention`.
//! - `export`: conversations with transcripts as JSON lines or CSV.
//! - `desk`: the agents' desktop in a browser or as a widget (`/desk`,
//!   SSE, actions); `sessions`: browser sign-ins (cookies, Matrix sign-in)
//!   shared by the desk and the wallboard.
//! - `wallboard`: the supervisors' live web page (`/supervisor`, SSE),
//!   their sign-in with Matrix and sessions; `openid`: who a Matrix OpenID
//!   token belongs to, asked of our homeserver.
//! - `outcomes`: follows the event log for the time-to-accept and
//!   handle-time histograms and the conversation outcomes.
//! - `dead_letters`: webhook requests kept for replay (signed ones only),
//!   within a byte cap, expired with `storage.retention`.
//! - `metrics`, `plugins`, `logging`, `format`, `backoff` (the doubling wait
//!   of every retry loop): small shared parts.
//!
//! Dependencies point one way: `cli` → `serve` or `cluster` → `tasks`,
//! `http` → `outbox`, `matrix`, `reload` → `app` → `appservice`, `config`,
//! `metrics`, `dead_letters`, `plugins`.

pub mod app;
pub mod appservice;
pub mod backoff;
pub mod cli;
pub mod cluster;
pub mod config;
pub mod dead_letters;
pub mod desk;
pub mod export;
pub mod format;
pub mod http;
pub mod i18n;
pub mod intake;
pub mod logging;
pub mod mask;
pub mod matrix;
pub mod media;
pub mod metrics;
pub mod openid;
pub mod outbox;
pub mod outcomes;
pub mod plugins;
pub mod reload;
pub mod retention;
pub mod serve;
pub mod sessions;
pub mod sim;
pub mod storage;
pub mod tasks;
pub mod wallboard;
