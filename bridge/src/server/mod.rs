//! `smsdesk run`: the server. It opens the store, loads the plugins, starts
//! the engine thread (group commit + timers) and serves HTTP:
//!
//! - `webhooks`: `POST /webhooks/{carrier}/inbound|status` — verify and parse
//!   with the carrier's plugin, commit durably, only then answer.
//! - `health`: `/healthz`, `/readyz`, `/metrics`.
//! - `dead_letters`: raw requests that could not be processed, kept for replay.
//! - `outbox`: sends agent replies through the carrier plugin, with retries and rate limits.
//!
//! Shutdown is a parameter (`run(config, shutdown)`), so tests and signals
//! stop it the same way.

pub mod dead_letters;
mod health;
pub mod metrics;
mod outbox;
mod webhooks;

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use smsdesk_core::committer::{Committer, Options, Reply, SystemClock};
use smsdesk_core::routing::Routers;
use smsdesk_core::store::SledStore;
use smsdesk_core::{Command, Engine, Timestamp};
use smsdesk_plugins::reload::Watched;
use smsdesk_plugins::router::ReloadingRouter;
use smsdesk_plugins::{CarrierPlugin, PluginHost, Secrets};

use crate::config::{Config, RouterChoice};

/// How often plugin files are checked for changes (hot reload).
const RELOAD_CHECK: Duration = Duration::from_secs(2);

/// Everything request handlers share.
pub struct AppState {
    pub config: Config,
    pub committer: Committer<SledStore>,
    pub carriers: BTreeMap<String, Watched<CarrierPlugin>>,
    pub plugin_host: PluginHost,
    pub metrics: metrics::Metrics,
    pub dead_letters: dead_letters::DeadLetters,
    /// Woken after every commit, so the outbox sends new replies at once.
    pub outbox_wake: Arc<tokio::sync::Notify>,
    /// Woken after every commit, so the Matrix bot posts new events at once.
    pub feed_wake: Arc<tokio::sync::Notify>,
    /// Whether the last Matrix sync succeeded (for /readyz).
    pub homeserver_ok: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("carriers", &self.carriers.keys())
            .finish()
    }
}

impl AppState {
    /// Submits a command and waits (asynchronously) until it is durable.
    pub async fn execute(&self, command: Command) -> Reply {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.committer.submit(command, move |r| {
            let _ = tx.send(r);
        });
        rx.await.unwrap_or_else(|_| {
            Err(smsdesk_core::EngineError::Stopped(
                "the engine thread is gone".to_owned(),
            ))
        })
    }
}

fn load_carriers(config: &Config, host: &PluginHost) -> anyhow::Result<BTreeMap<String, Watched<CarrierPlugin>>> {
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

fn routers(config: &Config, host: &PluginHost) -> anyhow::Result<Routers> {
    let mut routers = Routers::default();
    for q in &config.queues {
        if let RouterChoice::Plugin(path) = &q.router {
            let router = ReloadingRouter::load(
                host,
                &format!("router:{}", q.setup.name),
                path,
                q.router_settings.clone(),
                RELOAD_CHECK,
            )
            .with_context(|| format!("loading the router of queue {}", q.setup.name))?;
            routers.set(q.setup.name.clone(), Box::new(router));
        }
    }
    Ok(routers)
}

/// Builds the state: store, plugins, engine thread.
pub fn start(config: Config) -> anyhow::Result<Arc<AppState>> {
    let plugin_host = crate::plugins::host(&config)?;
    let carriers = load_carriers(&config, &plugin_host)?;
    let routers = routers(&config, &plugin_host)?;
    let store = SledStore::open(&config.storage)
        .with_context(|| format!("opening the store at {}", config.storage.display()))?;
    let engine = Engine::open(store, config.setup(), routers, Timestamp::now())?;
    let outbox_wake = Arc::new(tokio::sync::Notify::new());
    let feed_wake = Arc::new(tokio::sync::Notify::new());
    let (wake, feed) = (outbox_wake.clone(), feed_wake.clone());
    let options = Options {
        on_commit: Some(Box::new(move |_| {
            wake.notify_one();
            feed.notify_one();
        })),
        ..Options::default()
    };
    let committer = Committer::spawn(engine, Arc::new(SystemClock), options);
    let dead_letters = dead_letters::DeadLetters::new(config.storage.with_file_name("dead-letters"));
    Ok(Arc::new(AppState {
        metrics: metrics::Metrics::new(),
        config,
        committer,
        carriers,
        plugin_host,
        dead_letters,
        outbox_wake,
        feed_wake,
        homeserver_ok: std::sync::atomic::AtomicBool::new(false),
    }))
}

pub fn router(state: Arc<AppState>) -> axum::Router {
    let max_body = state.config.max_body;
    axum::Router::new()
        .route("/webhooks/{carrier}/{kind}", post(webhooks::webhook))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(state)
}

/// Serves until `shutdown` completes.
pub async fn run(config: Config, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
    let listen = config.listen;
    let state = tokio::task::spawn_blocking(move || start(config)).await??;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    tracing::info!(%listen, "smsdesk is listening");
    let reloader = tokio::spawn(reload_loop(state.clone()));
    let outbox = tokio::spawn(outbox::run(state.clone(), state.outbox_wake.clone()));
    let bot = state
        .config
        .matrix
        .clone()
        .map(|m| tokio::spawn(matrix_loop(state.clone(), m)));
    axum::serve(listener, router(state.clone()))
        .with_graceful_shutdown(shutdown)
        .await?;
    reloader.abort();
    outbox.abort();
    if let Some(bot) = bot {
        bot.abort();
    }
    tracing::info!("smsdesk stopped");
    Ok(())
}

/// The Matrix bot; a homeserver that is down delays it, never stops smsdesk.
async fn matrix_loop(state: Arc<AppState>, config: crate::config::MatrixConfig) {
    let mut backoff = Duration::from_secs(1);
    let store = loop {
        match crate::matrix::bot::open_store(&state) {
            Ok(store) => break store,
            Err(error) => {
                tracing::error!(error = %format!("{error:#}"), ?backoff, "the Matrix bot cannot open its store; retrying");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(30));
            }
        }
    };
    loop {
        match crate::matrix::bot::start(state.clone(), &config, store.clone()).await {
            Ok(bot) => {
                // Returns only when the login is no longer accepted.
                bot.run().await;
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(30));
            }
            Err(error) => {
                tracing::warn!(error = %format!("{error:#}"), ?backoff, "Matrix bot cannot start yet; retrying");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(30));
            }
        }
    }
}

/// Hot reload of carrier plugins: every few seconds, and at once on SIGHUP.
async fn reload_loop(state: Arc<AppState>) {
    #[cfg(unix)]
    let mut hup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
    loop {
        #[cfg(unix)]
        let forced = match hup.as_mut() {
            Some(h) => tokio::select! {
                _ = h.recv() => true,
                _ = tokio::time::sleep(RELOAD_CHECK) => false,
            },
            None => {
                tokio::time::sleep(RELOAD_CHECK).await;
                false
            }
        };
        #[cfg(not(unix))]
        let forced = {
            tokio::time::sleep(RELOAD_CHECK).await;
            false
        };
        let state = state.clone();
        let _ = tokio::task::spawn_blocking(move || {
            for (name, watched) in &state.carriers {
                let result = if forced {
                    watched.reload().map(|()| true)
                } else {
                    watched.reload_if_changed()
                };
                if let Err(error) = result {
                    tracing::warn!(carrier = %name, %error, "carrier plugin reload failed; the loaded version stays");
                }
            }
        })
        .await;
    }
}
