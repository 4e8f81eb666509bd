//! A customer SMS: de-duplicate by carrier message id, then append to the
//! customer's open conversation on that entry point, or open a new one.

use crate::command::InboundSms;
use crate::event::Event;
use crate::ids::ConversationId;
use crate::rejection::Rejection;
use crate::state::State;

pub(super) fn receive(state: &State, sms: &InboundSms) -> Result<Vec<Event>, Rejection> {
    // A carrier retry of a message we already stored: acknowledge, change nothing.
    if state.seen(&sms.carrier, &sms.carrier_message_id).is_some() {
        return Ok(Vec::new());
    }
    let entry = state
        .setup
        .entry_points
        .get(&sms.to)
        .ok_or_else(|| Rejection::UnknownEntryPoint(sms.to.clone()))?;
    if entry.carrier != sms.carrier {
        return Err(Rejection::WrongCarrier {
            entry: entry.number.clone(),
            expected: entry.carrier.to_string(),
            got: sms.carrier.to_string(),
        });
    }
    let mut events = Vec::new();
    let conversation = match state.open_conversation_for(&sms.to, &sms.from) {
        Some(id) => id,
        None => {
            let id = ConversationId(state.counters.next_conversation);
            events.push(Event::ConversationOpened {
                conversation: id,
                entry: entry.number.clone(),
                customer: sms.from.clone(),
                carrier: entry.carrier.clone(),
                queue: entry.queue.clone(),
                skills: entry.skills.clone(),
            });
            id
        }
    };
    events.push(Event::MessageReceived {
        conversation,
        sms: sms.clone(),
    });
    Ok(events)
}
