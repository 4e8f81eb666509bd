//! The one place where a running smsdesk (`serve`, `cluster`) opens each
//! store for `storage.backend`: the engine's store, the bot's store, the
//! appservice inbox and the attachments' store.
//! On one machine each is a sled tree or a directory under `storage.path`;
//! on PostgreSQL each is a table of the shared database, and the engine's
//! and the bot's are fenced with the leader's epoch.

use std::sync::Arc;

use anyhow::Context as _;
use smsdesk_engine::store::SledStore;
use smsdesk_pgstore::inbox::PassedOver;
use smsdesk_pgstore::{Fence, PgStore};

use super::Backend;
use crate::appservice::Inbox;
use crate::config::Config;
use crate::matrix::store::{Adopted, BotStore};
use crate::media::outgoing::MediaStore;

/// The one-machine engine store: sled in `storage.path`.
pub fn sled_engine(config: &Config) -> anyhow::Result<SledStore> {
    let dir = &config.storage;
    SledStore::open_with_cache(dir, config.backend.cache_mib())
        .with_context(|| format!("opening the store at {}", dir.display()))
}

/// The leader's engine store on PostgreSQL, fenced by its lease `fence`.
pub fn postgres_engine(url: &str, fence: Fence) -> smsdesk_engine::store::Result<PgStore> {
    PgStore::connect(url).map(|store| store.fenced(fence))
}

/// The leader's engine store (`postgres_engine`), gated by the shared
/// inbox but for the rows passed over (the third: the leader's consumer
/// adds those it cannot read; see `cluster::handed`), and the same store
/// on a connection of its own for reads of committed records off the
/// engine thread (`AppState::read_store`; it never commits).
pub fn postgres_leader(url: &str, fence: Fence) -> smsdesk_engine::store::Result<(PgStore, PgStore, Arc<PassedOver>)> {
    let reader = PgStore::connect(url)?;
    let passed_over = Arc::new(PassedOver::default());
    let engine = postgres_engine(url, fence)?.gated(passed_over.clone());
    Ok((engine, reader, passed_over))
}

/// The bot's store: sled under `storage.path/matrix`, or the shared table
/// fenced like the engine (on a thread of its own: the bot reads it from
/// async code). `identity` and `next_seq` are the engine store's, so a bot
/// store of another event log is rebuilt.
pub fn bot(
    config: &Config,
    fence: Option<Fence>,
    identity: &str,
    next_seq: u64,
) -> anyhow::Result<(BotStore, Adopted)> {
    let dir = config.matrix_store_dir();
    let opened = match (&config.backend, fence) {
        (Backend::Postgres { url, .. }, Some(fence)) => (|| {
            let kv = PgStore::connect_table(url, smsdesk_pgstore::Table::Bot)?.fenced(fence);
            let kv = smsdesk_pgstore::Threaded::spawn("smsdesk-bot-store", kv)?;
            BotStore::open_on(Arc::new(kv), identity, next_seq)
        })(),
        (Backend::Postgres { .. }, None) => anyhow::bail!("only the leader opens the bot's store"),
        (Backend::Sled { .. }, _) => BotStore::open(&dir, identity, next_seq),
    };
    opened.with_context(|| match &config.backend {
        Backend::Postgres { .. } => "opening the bot store (PostgreSQL)".to_owned(),
        Backend::Sled { .. } => format!("opening the bot store ({})", dir.display()),
    })
}

/// The appservice inbox: sled under `storage.path/appservice`, or the
/// shared table any instance writes to.
pub fn appservice_inbox(config: &Config) -> anyhow::Result<Inbox> {
    match &config.backend {
        Backend::Postgres { url, .. } => Ok(Inbox::shared(url)),
        Backend::Sled { .. } => {
            let dir = config.storage.join("appservice");
            Inbox::open(&dir).with_context(|| format!("opening the appservice inbox at {}", dir.display()))
        }
    }
}

/// The attachments' store: files under `storage.path/media`, with their
/// records in the shared table on PostgreSQL (any instance serves them).
pub fn media(config: &Config) -> anyhow::Result<MediaStore> {
    let opened = match &config.backend {
        Backend::Postgres { url, .. } => MediaStore::shared(&config.storage, url),
        Backend::Sled { .. } => MediaStore::open(&config.storage),
    };
    opened.with_context(|| {
        format!(
            "opening the attachments' store ({})",
            config.storage.join("media").display()
        )
    })
}
