//! Webhooks on a shared PostgreSQL store (`storage.backend = "postgres"`):
//! any instance, leader or standby, verifies a webhook with the carrier's
//! plugin and stores its commands in the shared inbox (`Gateway`, one
//! insert, committed before the 200); the leader's engine takes them from
//! there (`consume`), in order, and deletes each row once committed. A
//! webhook acknowledged by an instance that dies at once is in the
//! database, and the next leader commits it; a row committed but not yet
//! deleted when the leader dies is committed again, which the engine
//! answers as a duplicate (carrier message ids; statuses never go back).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use postgres::{Client, NoTls};
use smsdesk_core::{Command, EntryNumber, Rejection};
use smsdesk_pgstore::{describe, inbox};
use smsdesk_plugins::reload::Watched;
use smsdesk_plugins::CarrierPlugin;

use crate::app::AppState;
use crate::config::Config;
use crate::dead_letters::DeadLetters;
use crate::http::sink::{Stored, Storing, WebhookSink};
use crate::metrics::Metrics;

/// Connections to the database at most (for inserts and the leader's reads).
const POOL: usize = 8;
/// How often the leader looks for new rows when there were none.
const POLL: Duration = Duration::from_millis(20);
/// Rows the leader takes at a time.
const BATCH: i64 = 64;

/// A few connections to the database, used off the async runtime.
pub struct Pool {
    url: String,
    idle: Mutex<Vec<Client>>,
    /// At most `POOL` connections at a time: a burst waits its turn
    /// rather than exhaust the server's `max_connections`.
    permits: tokio::sync::Semaphore,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool").finish_non_exhaustive()
    }
}

/// A connection of the `postgres` client must not be dropped on an async
/// runtime's thread (its drop blocks on a runtime of its own): the last
/// ones go to a thread of their own.
pub fn drop_off_runtime(clients: Vec<Client>) {
    if !clients.is_empty() {
        let _ = std::thread::Builder::new()
            .name("smsdesk-pg-close".to_owned())
            .spawn(move || drop(clients));
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        drop_off_runtime(std::mem::take(
            self.idle.get_mut().unwrap_or_else(PoisonError::into_inner),
        ));
    }
}

impl Pool {
    pub fn new(url: &str) -> Arc<Self> {
        Arc::new(Self {
            url: url.to_owned(),
            idle: Mutex::new(Vec::new()),
            permits: tokio::sync::Semaphore::new(POOL),
        })
    }

    /// Runs `f` with a connection on a blocking thread, once one of the
    /// `POOL` is free; a connection that failed is dropped, a good one kept.
    pub async fn run<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&mut Client) -> Result<T, postgres::Error> + Send + 'static,
    ) -> Result<T, String> {
        let _permit = self.permits.acquire().await.map_err(|e| e.to_string())?;
        let pool = self.clone();
        tokio::task::spawn_blocking(move || {
            let taken = pool.idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
            let mut client = match taken {
                Some(c) if !c.is_closed() => c,
                _ => Client::connect(&pool.url, NoTls).map_err(|e| describe(&e))?,
            };
            let result = f(&mut client).map_err(|e| describe(&e));
            if result.is_ok() {
                let mut idle = pool.idle.lock().unwrap_or_else(PoisonError::into_inner);
                if idle.len() < POOL {
                    idle.push(client);
                }
            }
            result
        })
        .await
        .map_err(|e| e.to_string())?
    }
}

/// What every instance needs to take webhooks without an engine.
pub struct Gateway {
    config: Config,
    carriers: BTreeMap<String, Watched<CarrierPlugin>>,
    metrics: Arc<Metrics>,
    plugin_host: smsdesk_plugins::PluginHost,
    dead_letters: DeadLetters,
    pool: Arc<Pool>,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway")
            .field("carriers", &self.carriers.keys())
            .finish()
    }
}

impl Gateway {
    /// Loads the carriers' plugins for `config`.
    pub fn new(config: &Config, pool: Arc<Pool>) -> anyhow::Result<Arc<Self>> {
        let host = crate::plugins::host(config)?;
        Ok(Arc::new(Self {
            carriers: crate::app::load_carriers(config, &host)?,
            plugin_host: host,
            metrics: Arc::new(Metrics::new()),
            dead_letters: DeadLetters::new(config.dead_letters_dir()),
            config: config.clone(),
            pool,
        }))
    }

    /// Its metrics, which the leader's state shares.
    pub fn metrics(&self) -> Arc<Metrics> {
        self.metrics.clone()
    }

    /// `/metrics` as a standby serves it: the webhooks it took and its plugins.
    pub fn render_metrics(&self) -> String {
        self.metrics.render(self.plugin_host.metrics())
    }
}

impl WebhookSink for Gateway {
    fn metrics(&self) -> &Metrics {
        &self.metrics
    }
    fn carrier(&self, name: &str) -> Option<&Watched<CarrierPlugin>> {
        self.carriers.get(name)
    }
    fn public_url(&self) -> &str {
        &self.config.public_url
    }
    fn max_body(&self) -> usize {
        self.config.max_body
    }
    fn dead_letters(&self) -> &DeadLetters {
        &self.dead_letters
    }
    fn store(self: &Arc<Self>, commands: Vec<Command>) -> Storing {
        // An SMS to a number with no entry point is refused here, as the
        // engine would: the handler keeps it and answers 422.
        let known = |to: &EntryNumber| self.config.entry_points.iter().any(|e| &e.entry.number == to);
        let mut outcomes = Vec::with_capacity(commands.len());
        let mut queued = Vec::new();
        for command in commands {
            match &command {
                Command::ReceiveSms(sms) if !known(&sms.to) => {
                    outcomes.push(Stored::Done(Err(Rejection::UnknownEntryPoint(sms.to.clone()))));
                }
                _ => {
                    outcomes.push(Stored::Queued);
                    queued.push(command);
                }
            }
        }
        let pool = self.pool.clone();
        Box::pin(async move {
            if !queued.is_empty() {
                let text = serde_json::to_string(&queued).map_err(|e| e.to_string())?;
                pool.run(move |c| inbox::push(c, &text)).await?;
            }
            Ok(outcomes)
        })
    }
}

/// The leader's side: commits the inbox's rows in order, for as long as
/// the engine runs.
pub async fn consume(state: Arc<AppState>, pool: Arc<Pool>) {
    let mut backoff = POLL;
    loop {
        let rows = match pool.run(|c| inbox::pending(c, BATCH)).await {
            Ok(rows) => rows,
            Err(error) => {
                tracing::warn!(%error, "cannot read the shared inbox; retrying");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
                continue;
            }
        };
        backoff = POLL;
        if rows.is_empty() {
            tokio::time::sleep(POLL).await;
            continue;
        }
        for (id, text) in rows {
            let commands: Vec<Command> = match serde_json::from_str(&text) {
                Ok(c) => c,
                Err(error) => {
                    tracing::error!(id, %error, "a row of the shared inbox cannot be read; leaving it for the operator");
                    continue;
                }
            };
            // All submitted before any is awaited: one group commit per row.
            let replies: Vec<_> = commands.into_iter().map(|c| state.submit(c)).collect();
            let mut engine_failed = false;
            for reply in replies {
                match reply.await {
                    Ok(Ok(_)) => {}
                    Ok(Err(rejection)) => tracing::info!(id, %rejection, "a command from the shared inbox was refused"),
                    Err(error) => {
                        tracing::error!(id, %error, "the engine cannot commit the shared inbox's commands");
                        engine_failed = true;
                    }
                }
            }
            if engine_failed {
                // Left in the inbox for whoever leads next.
                return;
            }
            if let Err(error) = pool.run(move |c| inbox::done(c, id)).await {
                tracing::warn!(id, %error, "cannot delete a committed row of the shared inbox (committed again later, as a duplicate)");
            }
        }
    }
}
