//! Back to the last agent (`queues[].sticky`): who handled a customer last
//! in a queue (remembered at wrap-up), and a new conversation's wait for them.

use crate::ids::{ConversationId, Timestamp};
use crate::model::Sticky;
use crate::state::State;

/// The wait for the last agent is over: routing goes on as usual. The
/// last agent stays recorded (offer card, history summary).
pub(super) fn end_wait(state: &mut State, conversation: ConversationId) {
    state.edit_indexed(conversation, |c| {
        if let Some(s) = c.sticky.as_mut() {
            s.until = None;
        }
    });
}

/// A returning customer's new conversation `conversation`, queued at `at`
/// (opened, or out of intake into its queue): waits `sticky_wait` for the
/// agent who handled their last one in this queue, if that closed within
/// the queue's `sticky`; otherwise (or in another queue) it waits for no one.
pub(super) fn start_wait(state: &mut State, conversation: ConversationId, at: Timestamp) {
    let Some(c) = state.conversation(conversation) else {
        return;
    };
    let sticky = state.setup.queue(&c.queue).and_then(|q| {
        let window = q.sticky?;
        let last = state.last_handled(&c.customer, &c.queue)?;
        (at.since(last.closed_at) <= window).then(|| Sticky {
            until: Some(at.plus(q.sticky_wait)),
            ..last.clone()
        })
    });
    if sticky.is_some() || c.sticky.is_some() {
        state.edit_indexed(conversation, |c| c.sticky = sticky);
    }
}
