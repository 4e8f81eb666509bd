//! Follows the engine's event log from where it was at start and feeds the
//! metrics that are about moments, not states: the time to accept (at a
//! first accept), the handle time (at a wrap-up) and how each conversation
//! ended (`metrics::queues`). Reads a batch of events and the conversation
//! records they need in one engine read, at most every `PACE`; in memory
//! only (counters start at zero with the process, as Prometheus expects).

use std::sync::Arc;
use std::time::Duration;

use smsdesk_core::model::Conversation;
use smsdesk_core::{Event, EventRecord, Timestamp};
use smsdesk_engine::store::layout;

use crate::app::AppState;

const BATCH: usize = 500;
const IDLE: Duration = Duration::from_millis(500);
/// The least time between two reads: under load a commit comes every
/// millisecond or so, and a read for each would be a store transaction for
/// each (on PostgreSQL three statements); scrapes come seconds apart.
const PACE: Duration = Duration::from_millis(200);

/// What one event says for the metrics.
#[derive(Debug, PartialEq)]
enum Outcome {
    Accepted { queue: String, wait_s: f64 },
    Handled { queue: String, handle_s: f64 },
    Closed { queue: String, outcome: &'static str },
}

fn secs(from: Timestamp, to: Timestamp) -> f64 {
    to.since(from).as_secs_f64()
}

/// The outcomes of `record`, given its conversation's record as stored
/// after the event (times set by `apply`).
fn outcomes(record: &EventRecord, c: &Conversation) -> Vec<Outcome> {
    let queue = c.queue.to_string();
    match &record.event {
        Event::OfferAccepted { .. } if c.first_accepted_at == Some(record.at) => vec![Outcome::Accepted {
            queue,
            wait_s: secs(c.queued_at.unwrap_or(c.opened_at), record.at),
        }],
        Event::WrappedUp { .. } => {
            let mut out = vec![Outcome::Closed {
                queue: queue.clone(),
                outcome: "handled",
            }];
            if let Some(first) = c.first_accepted_at {
                out.push(Outcome::Handled {
                    queue,
                    handle_s: secs(first, record.at),
                });
            }
            out
        }
        Event::Abandoned { .. } => vec![Outcome::Closed {
            queue,
            outcome: if c.first_accepted_at.is_none() && c.queued_at.is_some() {
                "abandoned"
            } else {
                "closed"
            },
        }],
        _ => Vec::new(),
    }
}

/// Runs until the engine is gone.
pub async fn run(app: Arc<AppState>) {
    let Ok(mut cursor) = app.read(|e| e.state().counters.next_seq).await else {
        return;
    };
    let mut changes = app.changes.subscribe();
    loop {
        let from = cursor;
        let read = app
            .read_store(move |s| {
                let records = layout::events_from(s, from, BATCH)?;
                let mut out = Vec::with_capacity(records.len());
                for r in records {
                    let wanted = matches!(
                        r.event,
                        Event::OfferAccepted { .. } | Event::WrappedUp { .. } | Event::Abandoned { .. }
                    );
                    let c = match (wanted, r.event.conversation()) {
                        (true, Some(id)) => layout::conversation(s, id)?,
                        _ => None,
                    };
                    out.push((r, c));
                }
                Ok::<_, smsdesk_engine::store::StoreError>(out)
            })
            .await;
        let batch = match read {
            Err(_) => return,
            Ok(Err(error)) => {
                tracing::warn!(%error, "cannot read the event log for the metrics");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
            Ok(Ok(b)) => b,
        };
        for (r, c) in &batch {
            cursor = r.seq + 1;
            let Some(c) = c else { continue };
            for o in outcomes(r, c) {
                match o {
                    Outcome::Accepted { queue, wait_s } => app.metrics.queues.accepted(&queue, wait_s),
                    Outcome::Handled { queue, handle_s } => app.metrics.queues.handled(&queue, handle_s),
                    Outcome::Closed { queue, outcome } => app.metrics.queues.closed(&queue, outcome),
                }
            }
        }
        if batch.len() < BATCH {
            tokio::time::sleep(PACE).await;
            tokio::select! {
                _ = changes.changed() => {}
                _ = tokio::time::sleep(IDLE) => {}
            }
        }
    }
}
