//! Back to the last agent (`queues[].sticky`): who handled a customer last
//! in a queue (remembered at wrap-up), and a new conversation's wait for them.

use crate::ids::{ConversationId, Timestamp};
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

/// A returning customer's new conversation `conversation`, queued at `at`:
/// waits `sticky_wait` for the agent who handled their last one, if that
/// closed within the queue's `sticky`.
pub(super) fn start_wait(state: &mut State, conversation: ConversationId, at: Timestamp) {
    let Some(c) = state.conversation(conversation) else {
        return;
    };
    let Some(q) = state.setup.queue(&c.queue) else { return };
    let (Some(window), wait) = (q.sticky, q.sticky_wait) else {
        return;
    };
    let Some(last) = state.last_handled(&c.customer, &c.queue) else {
        return;
    };
    if at.since(last.closed_at) > window {
        return;
    }
    let mut sticky = last.clone();
    sticky.until = Some(at.plus(wait));
    state.edit_indexed(conversation, |c| c.sticky = Some(sticky));
}
