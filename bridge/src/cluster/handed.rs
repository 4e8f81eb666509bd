//! Webhooks the leader took itself: committed straight through its engine,
//! whose commit (one PostgreSQL transaction for a whole group, before the
//! 200) makes them as durable as a row of the shared inbox would, at a
//! third of the database's work (no insert, read and delete of the row).
//!
//! A customer's earlier message, acknowledged by a standby a moment
//! before, is never overtaken. The engine runs them gated
//! (`Committer::submit_gated`): its batch's read of the store also asks,
//! in the same round trip and after they came, whether the shared inbox
//! holds a row not passed over (`PgStore::gated`). If it does, they come
//! back unrun and go through the leader's consumer
//! (`shared_inbox::consume`), which reads the inbox after it took them and
//! commits the rows it finds first. A webhook not committed either way (no
//! leader here, the engine stopped, the consumer gone) is stored in the
//! inbox as on a standby.

use std::sync::{Arc, Mutex, PoisonError};

use smsdesk_core::{Command, Rejection};
use smsdesk_engine::committer::Reply;
use smsdesk_engine::Executed;
use tokio::sync::{mpsc, oneshot};

use crate::app::AppState;

/// A handed webhook's outcomes: one per command, in order; `None` when they
/// were not committed.
pub type Outcomes = Option<Vec<Result<Executed, Rejection>>>;

/// One webhook's commands and where their outcomes go.
pub type Handed = (Vec<Command>, oneshot::Sender<Outcomes>);

/// The leader's hand-over, while there is one. Shared by the gateway (which
/// hands) and the leader's consumer (which takes).
#[derive(Debug, Default)]
pub struct Handover {
    to: Mutex<Option<(Arc<AppState>, mpsc::UnboundedSender<Handed>)>>,
}

impl Handover {
    /// Opens it for a new leader's engine and consumer, which takes from the
    /// receiver; what an older one left behind is dropped (its webhooks go
    /// to the inbox).
    pub fn open(&self, engine: Arc<AppState>) -> mpsc::UnboundedReceiver<Handed> {
        let (tx, rx) = mpsc::unbounded_channel();
        *self.to.lock().unwrap_or_else(PoisonError::into_inner) = Some((engine, tx));
        rx
    }

    /// Closes it (this instance no longer leads).
    pub fn close(&self) {
        self.to.lock().unwrap_or_else(PoisonError::into_inner).take();
    }

    /// Commits `commands` through the leader's engine; `None` when there
    /// is no leader here or it did not commit them (they were not refused:
    /// store them another way).
    pub async fn hand(&self, commands: Vec<Command>) -> Outcomes {
        // Queued under the lock, awaited without it, and without a handle
        // on the engine: a leader stepping down drops the last one.
        let (replies, to) = {
            let route = self.to.lock().unwrap_or_else(PoisonError::into_inner);
            let (engine, to) = route.as_ref()?;
            (engine.submit_gated(commands), to.clone())
        };
        let held = match replies.await {
            Ok(replies) => return committed(replies),
            Err(held) => held,
        };
        let (tx, rx) = oneshot::channel();
        to.send((held, tx)).ok()?;
        rx.await.ok().flatten()
    }
}

/// The outcomes of `replies`; `None` if the engine failed on any (the
/// webhook is then stored in the inbox, where a duplicate is recognised).
fn committed(replies: Vec<Reply>) -> Outcomes {
    replies
        .into_iter()
        .map(|reply| {
            reply
                .map_err(|error| tracing::error!(%error, "the engine cannot commit a webhook this leader took; it goes to the shared inbox"))
                .ok()
        })
        .collect()
}

/// Everything waiting in `from` now, without waiting.
pub fn waiting(from: &mut mpsc::UnboundedReceiver<Handed>, into: &mut Vec<Handed>) {
    while let Ok(handed) = from.try_recv() {
        into.push(handed);
    }
}

/// Where a handed webhook's outcomes go, and how many commands it has.
pub type Answer = (usize, oneshot::Sender<Outcomes>);

/// Answers each webhook of `answers` with its commands' outcomes from
/// `replies` (their engine replies, all commands of all webhooks in a row,
/// in the same order). An engine error answers that webhook with `None`
/// (it is stored another way); returns whether there was none.
pub async fn answer(answers: Vec<Answer>, replies: Vec<impl std::future::Future<Output = Reply>>) -> bool {
    let mut replies = replies.into_iter();
    let mut all_committed = true;
    for (count, answer) in answers {
        let mut outcomes = Some(Vec::with_capacity(count));
        for reply in replies.by_ref().take(count) {
            match (reply.await, outcomes.as_mut()) {
                (Ok(outcome), Some(o)) => o.push(outcome),
                (Ok(_), None) => {}
                (Err(error), _) => {
                    tracing::error!(%error, "the engine cannot commit a webhook this leader took; it goes to the shared inbox");
                    all_committed = false;
                    outcomes = None;
                }
            }
        }
        let _ = answer.send(outcomes);
    }
    all_committed
}
