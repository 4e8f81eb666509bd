//! The SMS outbox: sends every accepted agent reply through its carrier's
//! plugin, exactly once as far as the carrier's idempotency allows.
//!
//! - `pending`: the replies waiting, in memory, loaded once at start and
//!   then read incrementally (a carrier backlog does not slow intake).
//! - `retry`: when each is tried next, and when to give up.
//! - `rates`: each entry number's messages per second, one lane of
//!   ready replies per number.
//! - `send`: one attempt (plugin, allowed hosts, HTTP, the answer).
//!
//! The loop here ties them together. The verdict (sent / failed) is
//! committed before a reply leaves the outbox; a verdict that cannot be
//! committed yet is kept and its commit retried, never its send. Every
//! attempt carries the same idempotency key (set by the plugin), so a send
//! that reached the carrier just before a crash is not duplicated by
//! carriers that honour it.

pub mod pending;
pub mod rates;
pub mod retry;
pub mod send;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use smsdesk_core::command::SendOutcome as Verdict;
use smsdesk_core::{Command, MessageId};
use smsdesk_engine::store::layout::OutboundSms;
use smsdesk_engine::EngineError;
use tokio::time::Instant;

use crate::app::AppState;
use pending::Pending;
use rates::Lanes;
use retry::Schedule;
use send::Attempt;

pub use retry::{MAX_AGE, MAX_ATTEMPTS};

/// Longest sleep between passes (new replies also wake the loop at once).
const POLL: Duration = Duration::from_millis(500);

/// Runs until the engine stops or the task is stopped.
pub async fn run(state: Arc<AppState>) {
    let client = match send::client() {
        Ok(c) => c,
        Err(error) => {
            tracing::error!(%error, "cannot build the HTTP client; the outbox is not running");
            return;
        }
    };
    let mut pending = Pending::default();
    let mut schedule = Schedule::default();
    let mut lanes = Lanes::new(&state.config);
    // Verdicts the carrier gave but we could not commit yet.
    let mut unsaved: BTreeMap<MessageId, Verdict> = BTreeMap::new();
    let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel::<(OutboundSms, Attempt)>();
    loop {
        for (message, verdict) in std::mem::take(&mut unsaved) {
            if save(&state, message, verdict, &mut unsaved, &mut pending)
                .await
                .is_err()
            {
                return;
            }
        }
        match pending.refresh(&state).await {
            Ok(new) => {
                for id in new {
                    if let Some(sms) = pending.get(id) {
                        lanes.push(sms.from.as_str(), id);
                    }
                }
            }
            Err(_) => return, // the engine is gone: shutting down
        }
        state
            .metrics
            .outbox_depth
            .set(i64::try_from(pending.len()).unwrap_or(i64::MAX));
        let now = Instant::now();
        // Retries that are due join their number's lane.
        while let Some(id) = schedule.pop_due(now) {
            if let Some(sms) = pending.get(id) {
                lanes.push(sms.from.as_str(), id);
            }
        }
        let (ready, next_slot) = lanes.take(now);
        // A reply failed meanwhile (the customer opted out) is never sent.
        let ready = match state.read(move |e| still_pending(e, ready)).await {
            Ok((go, dropped)) => {
                for id in dropped {
                    tracing::info!(message_id = %id, "not sending: the reply is no longer pending (the customer opted out)");
                    schedule.forget(id);
                    pending.remove(id);
                }
                go
            }
            Err(_) => return,
        };
        for id in ready {
            let Some(sms) = pending.get(id) else { continue };
            let (state, client, tx, sms) = (state.clone(), client.clone(), done_tx.clone(), sms.clone());
            tokio::spawn(async move {
                let attempt = send::attempt(&state, &client, &sms).await;
                let _ = tx.send((sms, attempt));
            });
        }
        let wake_at = [schedule.next_due(), next_slot]
            .into_iter()
            .flatten()
            .fold(now + POLL, Instant::min);
        tokio::select! {
            _ = state.outbox_wake.notified() => {}
            _ = tokio::time::sleep_until(wake_at) => {}
            Some((sms, attempt)) = done_rx.recv() => {
                let id = sms.message_id;
                let Some(verdict) = judge(&mut schedule, &sms, attempt) else { continue };
                let outcome = match &verdict {
                    Verdict::Sent { .. } => {
                        let parts = smsdesk_core::segments::segments(&sms.body).count;
                        state.metrics.segments_sent(sms.carrier.as_str(), parts);
                        "sent"
                    }
                    Verdict::Failed { code, reason } | Verdict::OptedOut { code, reason } => {
                        // The operator's view of a reply that will not arrive.
                        tracing::warn!(
                            conversation = %sms.conversation,
                            message_id = %id,
                            carrier = %sms.carrier,
                            code = code.as_deref().unwrap_or("-"),
                            %reason,
                            "reply failed for good; the agent is told"
                        );
                        "failed"
                    }
                };
                state.metrics.send(sms.carrier.as_str(), outcome);
                schedule.forget(id);
                if save(&state, id, verdict, &mut unsaved, &mut pending).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// Splits `ids` into the replies the engine still has as pending and the others.
fn still_pending(engine: &crate::app::SmsEngine, ids: Vec<MessageId>) -> (Vec<MessageId>, Vec<MessageId>) {
    ids.into_iter().partition(|m| {
        engine
            .state()
            .delivery(*m)
            .is_some_and(|r| r.outbound.status == smsdesk_core::model::Delivery::Pending)
    })
}

/// The verdict an attempt gives, or `None` when it is to be tried again
/// (then it is back on the schedule).
fn judge(schedule: &mut Schedule, sms: &OutboundSms, attempt: Attempt) -> Option<Verdict> {
    match attempt {
        Attempt::Sent(provider_id) => Some(Verdict::Sent { provider_id }),
        Attempt::Permanent(code, reason) => Some(Verdict::Failed { code, reason }),
        Attempt::OptedOut(code, reason) => Some(Verdict::OptedOut { code, reason }),
        Attempt::Retry(reason, hint) => {
            let tries = schedule.failed(sms.message_id);
            let age = smsdesk_engine::clock::now().since(sms.accepted_at);
            if retry::give_up(tries, age) {
                return Some(Verdict::Failed {
                    code: None,
                    reason: format!("gave up after {tries} attempts over {} s: {reason}", age.as_secs()),
                });
            }
            let delay = retry::backoff(tries, hint);
            tracing::info!(message_id = %sms.message_id, conversation = %sms.conversation, attempt = tries, ?delay, %reason, "send failed; will retry");
            schedule.put(sms.message_id, Instant::now() + delay);
            None
        }
    }
}

/// Commits a verdict; the reply then leaves the pending set. A storage
/// failure keeps the verdict in `unsaved` (and `Err` stops the outbox when
/// the engine has stopped); a refusal drops the reply for this process.
async fn save(
    state: &AppState,
    message: MessageId,
    verdict: Verdict,
    unsaved: &mut BTreeMap<MessageId, Verdict>,
    pending: &mut Pending,
) -> Result<(), ()> {
    let command = Command::RecordSendOutcome {
        message,
        outcome: verdict.clone(),
    };
    match state.execute(command).await {
        Ok(Ok(_)) => {
            pending.remove(message);
            Ok(())
        }
        Ok(Err(rejection)) => {
            tracing::error!(message_id = %message, %rejection, "the engine refused a send outcome; this reply will not be sent again");
            pending.remove(message);
            Ok(())
        }
        Err(error) => {
            tracing::error!(message_id = %message, %error, "could not record the send outcome; will retry recording, not sending");
            unsaved.insert(message, verdict);
            match error {
                EngineError::Stopped(_) => {
                    tracing::error!("the engine stopped; the outbox stops until smsdesk restarts");
                    Err(())
                }
                EngineError::Store(_) => Ok(()),
            }
        }
    }
}
