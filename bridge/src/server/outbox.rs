//! The SMS outbox worker: sends every accepted agent reply through its
//! carrier's plugin, exactly once as far as the carrier's idempotency
//! allows.
//!
//! - Replies come from the durable outbox (`q/sms/`), so a restart resumes
//!   where the last process stopped; the verdict (sent / failed) is committed
//!   before the reply leaves the outbox.
//! - Outbound HTTP goes only to the carrier's `allowed_hosts`; anything else
//!   is a permanent failure, reported to the agent.
//! - Retryable answers (429, 5xx, network errors) are retried with
//!   exponential backoff and jitter, up to `MAX_ATTEMPTS`; then the reply is
//!   marked failed.
//! - Each entry number sends at most its configured rate (messages per second).
//! - Every attempt carries the same idempotency key (set by the plugin), so a
//!   send that reached the carrier just before a crash is not duplicated by
//!   carriers that honour it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use smsdesk_core::command::SendOutcome as Verdict;
use smsdesk_core::store::layout::{self, OutboundSms};
use smsdesk_core::{Command, MessageId};
use smsdesk_plugins::carrier::{HttpResponse, OutboundMessage, SendOutcome};
use tokio::sync::Notify;
use tokio::time::Instant;

use super::AppState;

/// Attempts before a reply is given up as failed.
pub const MAX_ATTEMPTS: u32 = 12;
/// Age after which a reply still not accepted by the carrier is failed
/// (attempt counts live in memory; this survives restarts).
pub const MAX_AGE: Duration = Duration::from_secs(24 * 3600);
/// Replies read from the outbox per pass.
const WINDOW: usize = 10_000;
const BACKOFF_BASE: Duration = Duration::from_millis(200);
const BACKOFF_MAX: Duration = Duration::from_secs(60);
const POLL: Duration = Duration::from_millis(500);

/// Result of one attempt.
#[derive(Debug)]
enum Attempt {
    Sent(String),
    Permanent(Option<String>, String),
    Retry(String, Option<Duration>),
}

fn backoff(attempt: u32, hint: Option<Duration>) -> Duration {
    let exp = BACKOFF_BASE.saturating_mul(1 << attempt.min(16)).min(BACKOFF_MAX);
    // A carrier's Retry-After is honoured, but never beyond our own ceiling.
    let base = hint.map_or(exp, |h| h.max(exp).min(BACKOFF_MAX));
    // ±25% jitter so that many retries do not arrive together.
    let factor = rand::rng().random_range(0.75..1.25);
    base.mul_f64(factor)
}

pub async fn run(state: Arc<AppState>, wake: Arc<Notify>) {
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(c) => c,
        Err(error) => {
            tracing::error!(%error, "cannot build the HTTP client; the outbox is not running");
            return;
        }
    };
    let rates: BTreeMap<String, f64> = state
        .config
        .entry_points
        .iter()
        .map(|e| (e.entry.number.to_string(), e.send_rate))
        .collect();
    let mut next_free: BTreeMap<String, Instant> = BTreeMap::new();
    let mut retry_at: BTreeMap<MessageId, (Instant, u32)> = BTreeMap::new();
    let mut in_flight: BTreeSet<MessageId> = BTreeSet::new();
    // Verdicts the carrier gave but we could not commit yet: retry the
    // commit, never the send.
    let mut unsaved: BTreeMap<MessageId, Verdict> = BTreeMap::new();
    // Replies the engine refused a verdict for: never sent again by this process.
    let mut given_up: BTreeSet<MessageId> = BTreeSet::new();
    let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel::<(OutboundSms, Attempt)>();
    loop {
        let s = state.clone();
        for (message, verdict) in std::mem::take(&mut unsaved) {
            if let Err(stop) = save(&state, message, verdict, &mut unsaved, &mut given_up).await {
                tracing::error!(error = %stop, "the engine stopped; the outbox stops until smsdesk restarts");
                return;
            }
        }
        let pending =
            tokio::task::spawn_blocking(move || s.committer.query(|e| layout::pending_sms(e.store(), WINDOW)))
                .await
                .ok()
                .flatten();
        let pending = match pending {
            Some(Ok(p)) => p,
            Some(Err(error)) => {
                tracing::error!(%error, "cannot read the outbox");
                Vec::new()
            }
            None => return, // the engine is gone: shutting down
        };
        state
            .metrics
            .outbox_depth
            .set(i64::try_from(pending.len()).unwrap_or(i64::MAX));
        let now = Instant::now();
        let mut wake_at = now + POLL;
        for sms in pending {
            if in_flight.contains(&sms.message_id)
                || unsaved.contains_key(&sms.message_id)
                || given_up.contains(&sms.message_id)
            {
                continue;
            }
            if let Some((at, _)) = retry_at.get(&sms.message_id) {
                if *at > now {
                    wake_at = wake_at.min(*at);
                    continue;
                }
            }
            let entry = sms.from.to_string();
            let free = next_free.get(&entry).copied().unwrap_or(now);
            if free > now {
                wake_at = wake_at.min(free);
                continue;
            }
            let rate = rates.get(&entry).copied().unwrap_or(1.0).max(0.001);
            next_free.insert(entry, free.max(now) + Duration::from_secs_f64(1.0 / rate));
            in_flight.insert(sms.message_id);
            let (state, client, tx) = (state.clone(), client.clone(), done_tx.clone());
            tokio::spawn(async move {
                let attempt = attempt(&state, &client, &sms).await;
                let _ = tx.send((sms, attempt));
            });
        }
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep_until(wake_at) => {}
            Some((sms, attempt)) = done_rx.recv() => {
                in_flight.remove(&sms.message_id);
                let tries = retry_at.get(&sms.message_id).map_or(0, |(_, n)| *n) + 1;
                let age = smsdesk_core::Timestamp::now().since(sms.accepted_at);
                let verdict = match attempt {
                    Attempt::Sent(provider_id) => Some(Verdict::Sent { provider_id }),
                    Attempt::Permanent(code, reason) => Some(Verdict::Failed { code, reason }),
                    Attempt::Retry(reason, _) if tries >= MAX_ATTEMPTS || age >= MAX_AGE => Some(Verdict::Failed {
                        code: None,
                        reason: format!("gave up after {tries} attempts over {} s: {reason}", age.as_secs()),
                    }),
                    Attempt::Retry(reason, hint) => {
                        let delay = backoff(tries, hint);
                        tracing::info!(message = %sms.message_id, attempt = tries, ?delay, %reason, "send failed; will retry");
                        retry_at.insert(sms.message_id, (Instant::now() + delay, tries));
                        None
                    }
                };
                if let Some(verdict) = verdict {
                    let outcome = match &verdict {
                        Verdict::Sent { .. } => "sent",
                        Verdict::Failed { .. } => "failed",
                    };
                    state.metrics.send(&sms.carrier.to_string(), outcome);
                    retry_at.remove(&sms.message_id);
                    if let Err(stop) = save(&state, sms.message_id, verdict, &mut unsaved, &mut given_up).await {
                        tracing::error!(error = %stop, "the engine stopped; the outbox stops until smsdesk restarts");
                        return;
                    }
                }
            }
        }
    }
}

/// Commits a verdict. A storage failure keeps it in `unsaved` (and stops the
/// outbox if the engine stopped); a refusal puts the reply in `given_up`.
async fn save(
    state: &AppState,
    message: MessageId,
    verdict: Verdict,
    unsaved: &mut BTreeMap<MessageId, Verdict>,
    given_up: &mut BTreeSet<MessageId>,
) -> Result<(), smsdesk_core::EngineError> {
    match state
        .execute(Command::RecordSendOutcome {
            message,
            outcome: verdict.clone(),
        })
        .await
    {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(rejection)) => {
            tracing::error!(%message, %rejection, "the engine refused a send outcome; this reply will not be sent again");
            given_up.insert(message);
            Ok(())
        }
        Err(error) => {
            tracing::error!(%message, %error, "could not record the send outcome; will retry recording, not sending");
            unsaved.insert(message, verdict);
            match error {
                smsdesk_core::EngineError::Stopped(_) => Err(error),
                _ => Ok(()),
            }
        }
    }
}

async fn attempt(state: &AppState, client: &reqwest::Client, sms: &OutboundSms) -> Attempt {
    state.metrics.send(sms.carrier.as_str(), "attempt");
    let Some(watched) = state.carriers.get(sms.carrier.as_str()) else {
        return Attempt::Permanent(None, format!("carrier {} is no longer configured", sms.carrier));
    };
    let Some(carrier_config) = state.config.carriers.iter().find(|c| c.name == sms.carrier) else {
        return Attempt::Permanent(None, format!("carrier {} is no longer configured", sms.carrier));
    };
    let plugin = watched.get();
    let message = OutboundMessage {
        message_id: sms.message_id.to_string(),
        from: sms.from.to_string(),
        to: sms.to.to_string(),
        body: sms.body.clone(),
        status_callback_url: Some(format!("{}/webhooks/{}/status", state.config.public_url, sms.carrier)),
    };
    let p = plugin.clone();
    let built = match tokio::task::spawn_blocking(move || p.build_send(&message)).await {
        Ok(Ok(Ok(r))) => r,
        Ok(Ok(Err(why))) => {
            return Attempt::Permanent(None, format!("the carrier plugin cannot build this message: {why}"))
        }
        Ok(Err(error)) => return Attempt::Retry(error.to_string(), None),
        Err(error) => return Attempt::Retry(error.to_string(), None),
    };
    let url = match reqwest::Url::parse(&built.url) {
        Ok(u) => u,
        Err(e) => return Attempt::Permanent(None, format!("the plugin built an invalid URL {:?}: {e}", built.url)),
    };
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    if !carrier_config
        .allowed_hosts
        .iter()
        .any(|h| h.eq_ignore_ascii_case(&host))
    {
        tracing::error!(carrier = %sms.carrier, %host, "refusing to send to a host not in allowed_hosts");
        return Attempt::Permanent(None, format!("host {host} is not in this carrier's allowed_hosts"));
    }
    let method = reqwest::Method::from_bytes(built.method.as_bytes()).unwrap_or(reqwest::Method::POST);
    let mut request = client.request(method, url).body(built.body.clone());
    for (k, v) in &built.headers {
        request = request.header(k.as_str(), v.as_str());
    }
    match plugin.authorization(&built.auth) {
        Ok(Some(value)) => request = request.header("authorization", value),
        Ok(None) => {}
        Err(why) => return Attempt::Permanent(None, why),
    }
    tracing::debug!(message = %sms.message_id, "sending to the carrier");
    let response = match request.send().await {
        Ok(r) => r,
        Err(error) => return Attempt::Retry(format!("HTTP error: {error}"), None),
    };
    let status = response.status().as_u16();
    tracing::debug!(message = %sms.message_id, status, "carrier answered");
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = response.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
    let answer = HttpResponse { status, headers, body };
    match tokio::task::spawn_blocking(move || plugin.parse_send_response(&answer)).await {
        Ok(Ok(SendOutcome::Sent { provider_id, .. })) => Attempt::Sent(provider_id),
        Ok(Ok(SendOutcome::Permanent(e))) => Attempt::Permanent(e.code, e.message),
        Ok(Ok(SendOutcome::Retryable(e))) => {
            let reason = match &e.code {
                Some(code) => format!("{} (carrier error {code})", e.message),
                None => e.message.clone(),
            };
            Attempt::Retry(reason, e.retry_after_ms.map(Duration::from_millis))
        }
        Ok(Err(error)) => Attempt::Retry(error.to_string(), None),
        Err(error) => Attempt::Retry(error.to_string(), None),
    }
}
