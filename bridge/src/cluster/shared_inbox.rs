//! Webhooks on a shared PostgreSQL store (`storage.backend = "postgres"`):
//! any instance, leader or standby, verifies a webhook with the carrier's
//! plugin and stores its commands in the shared inbox (`Gateway`, a row
//! committed before the 200, grouped with other webhooks arriving at the
//! same time); the leader's engine takes them from there (`consume`), in
//! order, and deletes the rows once committed. A webhook acknowledged by
//! an instance that dies at once is in the database, and the next leader
//! commits it; a row committed but not yet deleted when the leader dies is
//! committed again, which the engine answers as a duplicate (carrier
//! message ids; statuses never go back).
//!
//! Webhooks the leader takes itself go to its engine directly (see
//! `handed`), behind the inbox's rows stored before them.
//!
//! While the database does not answer, verified webhooks go to this
//! instance's spool instead (see `spool`), and stay behind what the spool
//! holds until it is moved into the inbox, so the order holds.
//!
//! The `Gateway` also serves what else any instance takes: appservice
//! transactions (into `smsdesk_appservice_txn`) and agents' attachments
//! (from `smsdesk_media`), and hot-reloads its carriers' plugins.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use smsdesk_core::{Command, EntryNumber, Rejection};
use smsdesk_pgstore::inbox::{self, PassedOver};
use smsdesk_plugins::reload::Watched;
use smsdesk_plugins::CarrierPlugin;

use crate::app::AppState;
use crate::appservice::Appservice;
use crate::backoff::Backoff;
use crate::cluster::handed::{self, Handed, Handover};
use crate::cluster::pg_pool::{Inserts, Pool};
use crate::cluster::spool::Spool;
use crate::config::Config;
use crate::dead_letters::DeadLetters;
use crate::http::sink::{Parts, StoreFailed, Stored, Storing, WebhookSink};
use crate::media::outgoing::MediaStore;
use crate::metrics::Metrics;

/// How long the leader waits for a notification of new rows before it
/// looks anyway.
const IDLE: Duration = Duration::from_secs(1);
/// Rows the leader takes at a time (their commands share a group commit).
const BATCH: i64 = 256;
/// Groups of handed webhooks awaiting their commit at once: one being
/// committed, one behind it; the next gathers meanwhile.
const GROUPS_IN_FLIGHT: usize = 2;
/// How long a webhook the leader took waits for its engine before it is
/// stored as a row instead (a row committed after all is answered as a
/// duplicate): well within `SPOOL_AFTER`, so the row still has time.
const HAND_LIMIT: Duration = Duration::from_secs(2);
/// How long a webhook waits for the database before it is spooled: well
/// within a carrier's timeout (Twilio's is 15 s). A row stored after all
/// is then there twice, which the engine answers as a duplicate.
const SPOOL_AFTER: Duration = Duration::from_secs(5);

/// What every instance needs to take webhooks without an engine.
pub struct Gateway {
    config: Config,
    carriers: BTreeMap<String, Watched<CarrierPlugin>>,
    metrics: Arc<Metrics>,
    plugin_host: smsdesk_plugins::PluginHost,
    dead_letters: DeadLetters,
    inserts: Arc<Inserts>,
    /// The leader's engine, while this instance leads.
    handover: Arc<Handover>,
    /// Where webhooks go while the database is away.
    spool: Arc<Spool>,
    appservice: Option<Arc<Appservice>>,
    media: MediaStore,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway")
            .field("carriers", &self.carriers.keys())
            .finish_non_exhaustive()
    }
}

impl Gateway {
    /// Loads the carriers' plugins for `config`, reads the appservice
    /// registration if there is one. Blocking (plugins compile).
    /// Takes `storage.path`'s lock (see `spool`).
    pub fn new(config: &Config, inserts: Arc<Inserts>) -> anyhow::Result<Arc<Self>> {
        let crate::storage::Backend::Postgres { spool_mib, .. } = config.backend else {
            anyhow::bail!("the webhook gateway is for storage.backend = \"postgres\"");
        };
        let metrics = Arc::new(Metrics::new());
        let spool = Spool::open(&config.storage, spool_mib, metrics.clone())?;
        let host = crate::plugins::host(config)?;
        Ok(Arc::new(Self {
            carriers: crate::app::load_carriers(config, &host)?,
            plugin_host: host,
            dead_letters: DeadLetters::for_config(config, &metrics),
            metrics,
            spool,
            appservice: Appservice::open(config)?,
            media: crate::storage::open::media(config)?,
            config: config.clone(),
            inserts,
            handover: Arc::default(),
        }))
    }

    /// Notified when this instance took an appservice transaction (the
    /// leader's desk listens to it beside the database's notifications).
    pub fn appservice_wake(&self) -> Option<Arc<tokio::sync::Notify>> {
        self.appservice.as_ref().map(|a| a.wake.clone())
    }

    /// The hand-over to this instance's engine while it leads.
    pub fn handover(&self) -> Arc<Handover> {
        self.handover.clone()
    }

    /// Its spool (for `/readyz` and the drainer).
    pub fn spool(&self) -> Arc<Spool> {
        self.spool.clone()
    }

    /// Its kept requests, which the leader's state shares.
    pub fn dead_letters(&self) -> DeadLetters {
        self.dead_letters.clone()
    }

    /// Its metrics, which the leader's state shares.
    pub fn metrics(&self) -> Arc<Metrics> {
        self.metrics.clone()
    }

    /// `/metrics` as a standby serves it: the webhooks it took and its plugins.
    pub fn render_metrics(&self) -> String {
        self.metrics.render(self.plugin_host.metrics())
    }

    /// What any instance serves: webhooks, appservice transactions, attachments.
    pub fn routes(self: &Arc<Self>) -> axum::Router {
        crate::http::outside_routes(
            self.clone(),
            self.appservice.clone(),
            self.media.clone(),
            self.metrics.clone(),
        )
    }
}

impl crate::reload::Plugins for Gateway {
    fn reload_all(&self, forced: bool) {
        crate::reload::carriers(&self.carriers, forced);
    }
}

impl WebhookSink for Gateway {
    fn parts(&self) -> Parts<'_> {
        Parts::of(&self.metrics, &self.carriers, &self.config, &self.dead_letters)
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
        let (inserts, spool, handover) = (self.inserts.clone(), self.spool.clone(), self.handover.clone());
        Box::pin(async move {
            if queued.is_empty() {
                return Ok(outcomes);
            }
            let text = serde_json::to_string(&queued).map_err(|e| StoreFailed::Encode(e.to_string()))?;
            if spool.is_empty() {
                let deadline = tokio::time::Instant::now() + SPOOL_AFTER;
                if let Ok(Some(done)) = tokio::time::timeout(HAND_LIMIT, handover.hand(queued)).await {
                    let queued = outcomes.iter_mut().filter(|o| matches!(o, Stored::Queued));
                    for (slot, outcome) in queued.zip(done) {
                        *slot = Stored::Done(outcome);
                    }
                    return Ok(outcomes);
                }
                match tokio::time::timeout_at(deadline, inserts.push(text.clone())).await {
                    Ok(Ok(())) => return Ok(outcomes),
                    Ok(Err(error)) => tracing::debug!(%error, "cannot store a webhook in the database; spooling it"),
                    Err(_) => tracing::debug!("the database takes too long to store a webhook; spooling it"),
                }
            }
            spool.append(text).await?;
            Ok(outcomes)
        })
    }
}

/// The leader's side: commits the inbox's rows in order, and the webhooks
/// this leader took itself that its engine's gate held back (`handed`)
/// behind the rows read after they came, for as long as the engine runs.
/// `wake` is notified when a row is stored (`listen`). The rows it cannot
/// read go into `unreadable`, which the engine's gate passes over too.
pub async fn consume(
    state: Arc<AppState>,
    pool: Arc<Pool>,
    wake: Arc<tokio::sync::Notify>,
    mut handover: tokio::sync::mpsc::UnboundedReceiver<Handed>,
    unreadable: Arc<PassedOver>,
) {
    let mut backoff = Backoff::new(Duration::from_millis(50), Duration::from_secs(5));
    let mut handed = Vec::new();
    // Handed webhooks whose commits are awaited (true: all committed).
    let mut answering = tokio::task::JoinSet::new();
    loop {
        // While the engine commits, webhooks gather into a larger group:
        // one inbox read and one share of a commit for more of them.
        while answering.len() >= GROUPS_IN_FLIGHT {
            if !answering
                .join_next()
                .await
                .is_none_or(|answered| answered.unwrap_or(false))
            {
                answering.detach_all();
                return;
            }
        }
        while let Some(answered) = answering.try_join_next() {
            if !answered.unwrap_or(false) {
                answering.detach_all();
                return;
            }
        }
        // Taken before the inbox is read: every row acknowledged before
        // one of these came is read below, and committed first.
        handed::waiting(&mut handover, &mut handed);
        let skip = unreadable.ids();
        let rows = match pool.run(move |c| inbox::pending(c, BATCH, &skip)).await {
            Ok(rows) => rows,
            Err(error) => {
                tracing::warn!(%error, "cannot read the shared inbox; retrying");
                backoff.sleep().await;
                continue;
            }
        };
        backoff.reset();
        // A full page: more rows may wait behind it.
        let full = rows.len() >= usize::try_from(BATCH).unwrap_or(usize::MAX);
        let depth = if !full {
            i64::try_from(rows.len()).unwrap_or(i64::MAX)
        } else {
            pool.run(inbox::depth).await.unwrap_or(BATCH)
        };
        state.metrics.shared_inbox_depth.set(depth);
        if rows.is_empty() && handed.is_empty() {
            tokio::select! {
                () = wake.notified() => {}
                Some(one) = handover.recv() => handed.push(one),
                () = tokio::time::sleep(IDLE) => {}
            }
            continue;
        }
        // Every row's commands submitted before any is awaited, then the
        // handed webhooks': they share the engine's group commits, in order.
        let mut ids = Vec::with_capacity(rows.len());
        let mut replies = Vec::new();
        for (id, text) in rows {
            match serde_json::from_str::<Vec<Command>>(&text) {
                Ok(commands) => {
                    ids.push(id);
                    replies.extend(commands.into_iter().map(|c| (id, state.submit(c))));
                }
                Err(error) => {
                    tracing::error!(id, %error, "a row of the shared inbox cannot be read (written by a newer smsdesk?); left for a leader that can read it");
                    unreadable.add(id);
                }
            }
        }
        // Rows behind a full page may have been acknowledged before the
        // handed webhooks came: those wait for a page that is not full.
        let (mut answers, mut handed_replies) = (Vec::with_capacity(handed.len()), Vec::new());
        let now = if full { Vec::new() } else { std::mem::take(&mut handed) };
        for (commands, answer) in now {
            answers.push((commands.len(), answer));
            handed_replies.extend(commands.into_iter().map(|c| state.submit(c)));
        }
        let mut stopped = false;
        for (id, reply) in replies {
            match reply.await {
                Ok(Ok(_)) => {}
                Ok(Err(rejection)) => tracing::info!(id, %rejection, "a command from the shared inbox was refused"),
                Err(error) => {
                    // Left in the inbox for whoever leads next.
                    tracing::error!(id, %error, "the engine cannot commit the shared inbox's commands");
                    stopped = true;
                }
            }
        }
        let answered = handed::answer(answers, handed_replies);
        if ids.is_empty() && !stopped {
            // Nothing read to delete: the next webhooks need not wait for
            // these to commit (the engine keeps the order they came in).
            answering.spawn(answered);
            continue;
        }
        if !answered.await || stopped {
            answering.detach_all();
            return;
        }
        forget(&pool, ids).await;
    }
}

/// Deletes the committed rows `ids`, until that works: before anything is
/// read again, since rows read again would be committed again (as
/// duplicates), flooding the engine while the delete keeps failing.
async fn forget(pool: &Arc<Pool>, ids: Vec<i64>) {
    let mut wait = Backoff::new(Duration::from_millis(50), Duration::from_secs(5));
    let ids = Arc::new(ids);
    loop {
        let done = ids.clone();
        match pool.run(move |c| inbox::done(c, &done)).await {
            Ok(()) => return,
            Err(error) => {
                tracing::warn!(%error, "cannot delete committed rows of the shared inbox; retrying");
                wait.sleep().await;
            }
        }
    }
}
