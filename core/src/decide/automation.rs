//! What smsdesk says and does by itself (docs/configuration.md, `queues[]`): the greeting or
//! the closed reply when a conversation opens, the busy reply once a
//! conversation has waited too long, and pausing a conversation whose
//! customer went quiet. Every text is an `AutoReplied` event: it goes
//! through the outbox like an agent's reply, and never to a customer who
//! opted out (except the opt-out confirmation itself).

use crate::event::Event;
use crate::ids::{ConversationId, MessageId, Timestamp};
use crate::model::{AutoText, Phase};
use crate::rejection::Rejection;
use crate::setup::QueueSetup;
use crate::state::State;

use super::{clear_conference, conversation};

/// One automatic text, if there is a text to send.
pub(super) fn auto_text(
    state: &State,
    conversation: ConversationId,
    kind: AutoText,
    body: Option<&str>,
) -> Option<Event> {
    let body = body.filter(|b| !b.trim().is_empty())?;
    Some(Event::AutoReplied {
        conversation,
        message_id: MessageId(state.counters.next_message),
        kind,
        body: body.to_owned(),
    })
}

/// The text a new conversation gets: the closed reply while its queue is
/// closed, else the greeting.
pub(super) fn on_open(
    state: &State,
    queue: &QueueSetup,
    conversation: ConversationId,
    now: Timestamp,
) -> Option<Event> {
    if !queue.is_open(now) {
        let opens = queue
            .hours
            .as_ref()
            .and_then(|h| h.next_opening_text(now))
            .unwrap_or_else(|| "soon".to_owned());
        let body = queue.closed_reply.as_deref().map(|t| t.replace("{opens}", &opens));
        return auto_text(state, conversation, AutoText::Closed, body.as_deref());
    }
    auto_text(state, conversation, AutoText::Greeting, queue.greeting.as_deref())
}

/// `SendBusyReply`: the conversation still waits; tell the customer their place in line.
pub(super) fn busy(state: &State, id: ConversationId, now: Timestamp) -> Result<Vec<Event>, Rejection> {
    let c = conversation(state, id)?;
    let waiting = matches!(c.phase, Phase::Queued { .. } | Phase::Offered { .. });
    if !waiting || c.busy_at.is_none_or(|at| at > now) {
        return Err(Rejection::TimerNotDue(id));
    }
    let position = match c.phase {
        Phase::Offered { .. } => 1,
        _ => state.waiting_in(&c.queue).position(|w| w.id == id).map_or(1, |p| p + 1),
    };
    let text = state
        .setup
        .queue(&c.queue)
        .and_then(|q| q.busy_reply.as_deref())
        .map(|t| t.replace("{position}", &position.to_string()));
    Ok(auto_text(state, id, AutoText::Busy, text.as_deref())
        .into_iter()
        .collect())
}

/// `PauseInactive`: the customer said nothing for the queue's `inactivity`;
/// the owner keeps the conversation, without it taking a seat.
pub(super) fn pause(state: &State, id: ConversationId, now: Timestamp) -> Result<Vec<Event>, Rejection> {
    let c = conversation(state, id)?;
    match &c.phase {
        Phase::Active { owner, .. } if c.inactive_at.is_some_and(|at| at <= now) => {
            let mut events = clear_conference(c);
            events.push(Event::Paused {
                conversation: id,
                owner: owner.clone(),
            });
            Ok(events)
        }
        _ => Err(Rejection::TimerNotDue(id)),
    }
}
