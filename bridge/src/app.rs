//! The application state every part of `smsdesk run` shares, and how it is
//! built: the storage directory (and the move from the older layout), the
//! plugins, the engine thread. `AppState::execute` and `AppState::read` are
//! the only ways to reach the engine: both are async and never block a
//! runtime thread.
//!
//! This module starts nothing that runs on its own (HTTP, outbox, Matrix):
//! that is `serve`'s job.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::Context;
use smsdesk_core::routing::Routers;
use smsdesk_core::Command;
use smsdesk_engine::clock::SystemClock;
use smsdesk_engine::committer::{thread_gone, Committed, Committer, Options, Reply};
use smsdesk_engine::store::KvStore;
use smsdesk_engine::Engine;
use smsdesk_plugins::reload::Watched;
use smsdesk_plugins::router::{ReloadingRouter, RouterReloader};
use smsdesk_plugins::{CarrierPlugin, IntakePlugin, PluginHost, Secrets};

use crate::config::{Config, RouterChoice};
use crate::dead_letters::DeadLetters;
use crate::metrics::Metrics;
use crate::storage::EngineStore;

/// The engine as the bridge runs it.
pub type SmsEngine = Engine<EngineStore>;

/// Everything request handlers and background tasks share.
pub struct AppState {
    pub config: Config,
    pub committer: Committer<EngineStore>,
    /// The store again, for reads off the engine thread (`read_store`):
    /// PostgreSQL's, on a connection of its own; `None` on sled.
    reader: Option<Arc<smsdesk_pgstore::PgStore>>,
    pub carriers: BTreeMap<String, Watched<CarrierPlugin>>,
    /// Handles to reload the queues' router plugins off the engine thread.
    pub routers: Vec<(String, RouterReloader)>,
    pub plugin_host: PluginHost,
    /// Shared with the webhook gateway on a PostgreSQL store, so one
    /// `/metrics` shows both.
    pub metrics: Arc<Metrics>,
    pub dead_letters: DeadLetters,
    /// The engine store's identity, which the Matrix bot's store must match.
    pub store_identity: String,
    /// Woken after every commit, so the outbox sends new replies at once.
    pub outbox_wake: Arc<tokio::sync::Notify>,
    /// Woken after every commit, so the Matrix bot posts new events at once.
    pub feed_wake: Arc<tokio::sync::Notify>,
    /// The entry points' intake bots, by entry number (hot-reloaded like carriers).
    pub intakes: BTreeMap<String, Watched<IntakePlugin>>,
    /// Woken after every commit, so intake bots answer at once.
    pub intake_wake: Arc<tokio::sync::Notify>,
    /// Agents' attachments waiting for the carrier (`/media/<token>`).
    pub media: crate::media::outgoing::MediaStore,
    /// The sequence number after the last commit, for whoever follows
    /// changes (the wallboard's live updates).
    pub changes: tokio::sync::watch::Sender<u64>,
    /// Whether the last Matrix sync succeeded (for /readyz).
    pub homeserver_ok: AtomicBool,
    /// The Matrix devices' end-to-end encryption, by user (for /readyz).
    pub crypto: std::sync::Mutex<BTreeMap<String, CryptoReport>>,
    /// Appservice mode's registration, inbox and ghosts (`None` in bot mode).
    pub appservice: Option<Arc<crate::appservice::Appservice>>,
    /// On a shared PostgreSQL store: the lease this leader writes under
    /// (the bot's store is fenced with it too).
    pub fence: Option<smsdesk_pgstore::Fence>,
    /// Set when smsdesk must not go on (the bot account belongs to another
    /// store): `serve` stops and `run` exits with this message.
    pub refusal: tokio::sync::watch::Sender<Option<String>>,
    /// Agents' and supervisors' `!language` choices, for the pages.
    pub languages: crate::sessions::lang::Chosen,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("carriers", &self.carriers.keys())
            .finish()
    }
}

/// The engine thread is gone (shutting down, or it stopped).
#[derive(Debug, thiserror::Error)]
#[error("the engine is not running")]
pub struct EngineGone;

impl AppState {
    /// Queues a command now and returns a future of its durable result.
    /// Commands submitted one after another before any is awaited share
    /// one group commit.
    pub fn submit(&self, command: Command) -> impl Future<Output = Reply> + Send + 'static {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.committer.submit(command, move |r| {
            let _ = tx.send(r);
        });
        async move { rx.await.unwrap_or_else(|_| Err(thread_gone())) }
    }

    /// Queues `commands` to run together, only if nothing waits in the
    /// store's gate ahead of them (`Committer::submit_gated`); their
    /// durable results, or the commands back, unrun.
    pub fn submit_gated(
        &self,
        commands: Vec<Command>,
    ) -> impl Future<Output = Result<Vec<Reply>, Vec<Command>>> + Send + 'static {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let count = commands.len();
        self.committer.submit_gated(commands, move |r| {
            let _ = tx.send(r);
        });
        async move {
            rx.await
                .unwrap_or_else(|_| Ok((0..count).map(|_| Err(thread_gone())).collect()))
        }
    }

    /// Submits a command and waits (asynchronously) until it is durable.
    pub async fn execute(&self, command: Command) -> Reply {
        self.submit(command).await
    }

    /// Reads the engine on its thread, between batches, without blocking
    /// the caller's runtime thread.
    pub async fn read<R: Send + 'static>(
        &self,
        f: impl FnOnce(&SmsEngine) -> R + Send + 'static,
    ) -> Result<R, EngineGone> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        if !self.committer.submit_query(move |engine| {
            let _ = tx.send(f(engine));
        }) {
            return Err(EngineGone);
        }
        rx.await.map_err(|_| EngineGone)
    }

    /// Reads committed records in the store: on a connection of its own
    /// where the store has one (PostgreSQL, so a reader's round trips do
    /// not hold up the engine's batches; in one snapshot, as between two
    /// batches), else on the engine thread between batches (sled applies a
    /// commit to its index there).
    pub async fn read_store<R: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn KvStore) -> R + Send + 'static,
    ) -> Result<R, EngineGone> {
        match &self.reader {
            Some(store) => {
                let store = store.clone();
                tokio::task::spawn_blocking(move || store.snapshot(|s| f(s)))
                    .await
                    .map_err(|_| EngineGone)
            }
            None => self.read(move |e| f(&**e.store())).await,
        }
    }

    /// Stops smsdesk with `why` (see `refusal`).
    pub fn refuse(&self, why: String) {
        tracing::error!(%why, "smsdesk cannot go on; stopping");
        self.refusal.send_replace(Some(why));
    }

    /// Completes with the reason once smsdesk was refused (`refuse`).
    pub async fn refused(&self) -> String {
        let mut watch = self.refusal.subscribe();
        loop {
            if let Some(why) = watch.borrow_and_update().clone() {
                return why;
            }
            if watch.changed().await.is_err() {
                // The sender lives as long as `self`.
                return std::future::pending().await;
            }
        }
    }

    pub fn set_homeserver_ok(&self, ok: bool) {
        self.homeserver_ok.store(ok, Ordering::Relaxed);
    }

    pub fn homeserver_ok(&self) -> bool {
        self.homeserver_ok.load(Ordering::Relaxed)
    }

    /// Records how `user`'s device stands (the bot's, or its twin's).
    pub fn set_crypto(&self, user: &str, report: CryptoReport) {
        self.crypto
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(user.to_owned(), report);
    }

    /// Every device's report, for /readyz.
    pub fn crypto(&self) -> BTreeMap<String, CryptoReport> {
        self.crypto
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

/// One Matrix device of smsdesk, as /readyz shows it: its id, its crypto
/// store, and its cross-signing identity.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CryptoReport {
    pub device: String,
    /// `open` (the store is where `storage.path/matrix-crypto/` keeps it).
    pub store: &'static str,
    /// `verified` (signed by the bot's identity), `unverified` (and why),
    /// `setting up`, or `no recovery key`.
    pub identity: String,
}

pub fn load_carriers(config: &Config, host: &PluginHost) -> anyhow::Result<BTreeMap<String, Watched<CarrierPlugin>>> {
    let mut out = BTreeMap::new();
    for c in &config.carriers {
        let (host, name, settings, secrets) = (
            host.clone(),
            c.name.to_string(),
            c.settings.clone(),
            Secrets::new(c.secrets.clone()),
        );
        let watched = Watched::load(&c.plugin, move |path| {
            CarrierPlugin::load(&host, &name, path, settings.clone(), secrets.clone())
        })
        .with_context(|| format!("loading carrier {}", c.name))?;
        out.insert(c.name.to_string(), watched);
    }
    Ok(out)
}

/// The entry points' intake bots, by entry number.
fn load_intakes(config: &Config, host: &PluginHost) -> anyhow::Result<BTreeMap<String, Watched<IntakePlugin>>> {
    let mut out = BTreeMap::new();
    for e in &config.entry_points {
        if let Some(intake) = &e.intake {
            let (host, name, settings) = (
                host.clone(),
                format!("intake:{}", e.entry.number),
                intake.settings.clone(),
            );
            let watched = Watched::load(&intake.plugin, move |path| {
                IntakePlugin::load(&host, &name, path, settings.clone())
            })
            .with_context(|| format!("loading the intake bot of entry point {}", e.entry.number))?;
            out.insert(e.entry.number.to_string(), watched);
        }
    }
    Ok(out)
}

/// The queues' router plugins, and a reload handle for each.
fn load_routers(config: &Config, host: &PluginHost) -> anyhow::Result<(Routers, Vec<(String, RouterReloader)>)> {
    let mut routers = Routers::default();
    let mut handles = Vec::new();
    for q in &config.queues {
        if let RouterChoice::Plugin(path) = &q.router {
            let name = format!("router:{}", q.setup.name);
            let router = ReloadingRouter::load(host, &name, path, q.router_settings.clone())
                .with_context(|| format!("loading the router of queue {}", q.setup.name))?;
            handles.push((q.setup.name.to_string(), router.reloader()));
            routers.set(q.setup.name.clone(), Box::new(router));
        }
    }
    Ok((routers, handles))
}

/// Builds the state: storage directory, plugins, engine thread.
pub fn start(config: Config) -> anyhow::Result<Arc<AppState>> {
    crate::storage::layout::adopt_old_layout(&config)?;
    let store: EngineStore = Arc::new(crate::storage::open::sled_engine(&config)?);
    let metrics = Arc::new(Metrics::new());
    metrics.leader.set(1);
    let dead_letters = DeadLetters::for_config(&config, &metrics);
    start_with(config, store, None, None, metrics, dead_letters)
}

/// Builds the state on `store` (the leader's PostgreSQL store, fenced by
/// `fence`, or sled), sharing `metrics` and `dead_letters` with the
/// webhook gateway on a PostgreSQL store.
pub fn start_with(
    config: Config,
    store: EngineStore,
    reader: Option<Arc<smsdesk_pgstore::PgStore>>,
    fence: Option<smsdesk_pgstore::Fence>,
    metrics: Arc<Metrics>,
    dead_letters: DeadLetters,
) -> anyhow::Result<Arc<AppState>> {
    let plugin_host = crate::plugins::host(&config)?;
    let carriers = load_carriers(&config, &plugin_host)?;
    let (routers, router_handles) = load_routers(&config, &plugin_host)?;
    let intakes = load_intakes(&config, &plugin_host)?;
    let engine = Engine::open(store, config.setup(), routers)?;
    let store_identity = engine.identity().to_owned();
    let outbox_wake = Arc::new(tokio::sync::Notify::new());
    let feed_wake = Arc::new(tokio::sync::Notify::new());
    let intake_wake = Arc::new(tokio::sync::Notify::new());
    let (wake, feed, intake) = (outbox_wake.clone(), feed_wake.clone(), intake_wake.clone());
    let changes = tokio::sync::watch::Sender::new(engine.state().counters.next_seq);
    let changed = changes.clone();
    let options = Options {
        on_commit: Some(Box::new(move |committed: Committed| {
            // The outbox reads the store when woken: only for new replies
            // (on PostgreSQL a snapshot's three statements a commit).
            if committed.outbound {
                wake.notify_one();
            }
            feed.notify_one();
            intake.notify_one();
            changed.send_replace(committed.next_seq);
        })),
        ..Options::default()
    };
    let committer = Committer::spawn(engine, Arc::new(SystemClock), options);
    let appservice = crate::appservice::Appservice::open(&config)?;
    let media = crate::storage::open::media(&config)?;
    Ok(Arc::new(AppState {
        media,
        changes,
        metrics,
        config,
        committer,
        reader,
        carriers,
        routers: router_handles,
        plugin_host,
        dead_letters,
        store_identity,
        outbox_wake,
        feed_wake,
        intakes,
        intake_wake,
        homeserver_ok: AtomicBool::new(false),
        crypto: std::sync::Mutex::default(),
        appservice,
        fence,
        refusal: tokio::sync::watch::Sender::new(None),
        languages: crate::sessions::lang::Chosen::default(),
    }))
}
