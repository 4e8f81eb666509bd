//! The event feed: follows the engine's event log from the bot's cursor and
//! shows each event in Matrix (`show`). The cursor moves only past events
//! that were shown or skipped for good (`PostError::Skip`); on
//! `PostError::Retry` the feed waits and tries the same event again, so a
//! Matrix outage delays notices and loses none. The cursor and what the
//! posts recorded are saved in one durable write per batch; a crash before
//! it repeats the batch's posts with the same transaction ids, which the
//! homeserver answers once.

use std::sync::Arc;
use std::time::Duration;

use smsdesk_engine::store::layout;

use crate::matrix::outgoing::send::PostError;
use crate::matrix::Bot;

/// Events read from the log per batch.
const BATCH: usize = 100;
/// Longest wait for news when the log has none (commits also wake the feed).
const IDLE: Duration = Duration::from_millis(300);
const BACKOFF_START: Duration = Duration::from_millis(200);
const BACKOFF_MAX: Duration = Duration::from_secs(10);

impl Bot {
    /// Runs until the engine is gone or the login's tasks are stopped.
    pub(in crate::matrix) async fn feed(self: Arc<Self>) {
        let mut backoff = crate::backoff::Backoff::new(BACKOFF_START, BACKOFF_MAX);
        let failpoint = Failpoint::from_env();
        loop {
            let cursor = match self.store.cursor() {
                Ok(c) => c,
                Err(error) => {
                    // Never taken for 0: that would post the whole log again.
                    tracing::error!(%error, "cannot read the feed's cursor; will try again");
                    backoff.sleep().await;
                    continue;
                }
            };
            let records = match self
                .app
                .read_store(move |s| layout::events_from(s, cursor, BATCH))
                .await
            {
                Err(_) => return,
                Ok(Err(error)) => {
                    tracing::error!(%error, "cannot read the event log");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
                Ok(Ok(r)) => r,
            };
            if records.is_empty() {
                tokio::select! {
                    _ = self.app.feed_wake.notified() => {}
                    _ = tokio::time::sleep(IDLE) => {}
                }
                continue;
            }
            let mut next = cursor;
            for record in &records {
                match self.show(record).await {
                    Ok(()) => {
                        backoff.reset();
                        next = record.seq + 1;
                        failpoint.after_post(record);
                    }
                    Err(PostError::Skip(error)) => {
                        tracing::error!(seq = record.seq, error = %format!("{error:#}"), "the homeserver refused a post; skipping it");
                        next = record.seq + 1;
                    }
                    Err(PostError::Retry(error)) => {
                        tracing::warn!(seq = record.seq, error = %format!("{error:#}"), ?backoff, "cannot post to Matrix yet; will retry");
                        backoff.sleep().await;
                        break;
                    }
                }
            }
            if next != cursor {
                self.store.set_cursor(next);
            }
            self.save().await;
        }
    }

    /// Makes what the feed recorded durable; retried until it works (the
    /// posts it stands for are done, so the feed must not go on without it).
    pub(in crate::matrix) async fn save(&self) {
        let mut backoff = crate::backoff::Backoff::new(BACKOFF_START, BACKOFF_MAX);
        while let Err(error) = self.store.flush().await {
            tracing::error!(%error, ?backoff, "cannot save the Matrix feed's progress; will try again");
            backoff.sleep().await;
        }
    }
}

/// A test hook: `SMSDESK_FAILPOINT=feed-exit-after:<event>` (an event name
/// as stored, e.g. `message-received`) ends the process right after the
/// first such event was shown, before the feed's progress is saved, as a
/// SIGKILL at the worst moment would. Unset in production.
#[derive(Debug)]
struct Failpoint {
    after: Option<String>,
}

impl Failpoint {
    fn from_env() -> Self {
        let after = std::env::var("SMSDESK_FAILPOINT")
            .ok()
            .and_then(|v| v.strip_prefix("feed-exit-after:").map(str::to_owned));
        Self { after }
    }

    fn after_post(&self, record: &smsdesk_core::EventRecord) {
        let Some(after) = &self.after else { return };
        let name = serde_json::to_value(&record.event).ok();
        if name.as_ref().and_then(|v| v["event"].as_str()) == Some(after.as_str()) {
            tracing::warn!(
                seq = record.seq,
                "failpoint feed-exit-after: exiting before the feed's progress is saved"
            );
            std::process::exit(137);
        }
    }
}
