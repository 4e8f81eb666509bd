//! `storage.retention`: at start and then hourly, erases closed
//! conversations closed longer ago than the retention (the core's
//! `Engine::erase_closed_before`), in steps of `STEP` conversations run on
//! the engine thread between batches, with a pause between steps so
//! webhooks and agents never wait behind a long erase. A store from before
//! the closing index is indexed first, in the same kind of steps.

use std::sync::Arc;
use std::time::Duration;

use crate::app::AppState;

const STEP: usize = 200;
const PAUSE: Duration = Duration::from_millis(50);
const EVERY: Duration = Duration::from_secs(3600);

/// Indexes the closed conversations of a store written before the closing
/// index existed, in steps; false if the engine is gone.
async fn backfill(app: &AppState) -> bool {
    let mut after = None;
    loop {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let from = after;
        if !app.committer.submit_maintenance(move |engine| {
            let _ = tx.send(engine.backfill_closed_index(from, STEP * 5));
        }) {
            return false;
        }
        match rx.await {
            Ok(Ok(Some(next))) => {
                after = Some(next);
                tokio::time::sleep(PAUSE).await;
            }
            Ok(Ok(None)) => return true,
            Ok(Err(error)) => {
                tracing::error!(%error, "retention: cannot index older closed conversations");
                return true;
            }
            Err(_) => return false,
        }
    }
}

/// Runs while the server runs (nothing to do without `storage.retention`).
pub async fn run(app: Arc<AppState>) {
    let Some(retention) = app.config.retention else {
        return;
    };
    if !backfill(&app).await {
        return;
    }
    let mut tick = tokio::time::interval(EVERY);
    loop {
        tick.tick().await;
        let now = smsdesk_engine::clock::now();
        let cutoff = smsdesk_core::Timestamp(now.0.saturating_sub(retention.as_millis() as u64));
        let (mut conversations, mut keys) = (0, 0);
        loop {
            let (tx, rx) = tokio::sync::oneshot::channel();
            let queued = app.committer.submit_maintenance(move |engine| {
                let _ = tx.send(engine.erase_closed_before(cutoff, STEP));
            });
            if !queued {
                return; // the engine is gone
            }
            match rx.await {
                Ok(Ok(erased)) if erased.conversations > 0 || erased.more => {
                    conversations += erased.conversations;
                    keys += erased.keys;
                    tokio::time::sleep(PAUSE).await;
                }
                Ok(Ok(_)) => break,
                Ok(Err(error)) => {
                    tracing::error!(%error, "retention: erasing old conversations failed");
                    break;
                }
                Err(_) => return,
            }
        }
        if conversations > 0 {
            tracing::info!(
                conversations,
                keys,
                ?retention,
                "retention: erased closed conversations older than the retention"
            );
        }
    }
}
