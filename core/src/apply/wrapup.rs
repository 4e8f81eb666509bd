//! Wrap-up: the conversation closed with its reason, and counted as handled.

use super::release;
use crate::ids::{ConversationId, Timestamp};
use crate::model::Phase;
use crate::state::State;

/// Closes `conversation` with its wrap-up `reason`: counted as handled
/// for its queue (from the first accept), and its owner released.
pub(super) fn wrapped_up(state: &mut State, at: Timestamp, conversation: ConversationId, reason: &str) {
    let owner = state.conversation(conversation).and_then(|c| c.phase.owner().cloned());
    let handled = state
        .conversation(conversation)
        .and_then(|c| Some((c.queue.clone(), at.since(c.first_accepted_at?))));
    if let (Some(owner), Some(c)) = (&owner, state.conversation(conversation)) {
        let key = (c.customer.clone(), c.queue.clone());
        let last = crate::model::Sticky {
            agent: owner.clone(),
            conversation,
            closed_at: at,
            reason: reason.to_owned(),
            until: None,
        };
        state.remember_last_handled(key, last);
    }
    if let Some((queue, handle)) = handled {
        state.count(&queue, at, |t, _| t.handled(handle));
    }
    state.set_phase(
        conversation,
        Phase::Closed {
            reason: reason.to_owned(),
            at,
        },
    );
    if let Some(owner) = owner {
        release(state, &owner, at);
    }
}
