//! Back to the last agent (`queues[].sticky`): ending a returning
//! customer's wait for their last agent once `sticky_wait` has passed.

use crate::event::Event;
use crate::ids::{ConversationId, Timestamp};
use crate::model::Phase;
use crate::rejection::Rejection;
use crate::state::State;

use super::conversation;

/// `EndStickyWait`: the conversation still waits in its queue and its wait
/// for the last agent is over.
pub(super) fn end_wait(state: &State, id: ConversationId, now: Timestamp) -> Result<Vec<Event>, Rejection> {
    let c = conversation(state, id)?;
    let due = c.sticky.as_ref().and_then(|s| s.until).is_some_and(|u| u <= now);
    if !matches!(c.phase, Phase::Queued { .. }) || !due {
        return Err(Rejection::TimerNotDue(id));
    }
    Ok(vec![Event::StickyWaitEnded { conversation: id }])
}
