//! A customer SMS: de-duplicate by carrier message id, then append to the
//! customer's open conversation on that entry point, or open a new one.
//! The message is always stored first; keywords (`compliance`), the
//! greeting or closed reply (`automation`) or the intake bot (`intake`),
//! and waking a paused conversation follow.

use crate::command::InboundSms;
use crate::event::Event;
use crate::ids::{ConversationId, Timestamp};
use crate::keywords::Keyword;
use crate::model::Phase;
use crate::rejection::Rejection;
use crate::state::State;

use super::{automation, compliance, intake};

pub(super) fn receive(state: &State, sms: &InboundSms, now: Timestamp) -> Result<Vec<Event>, Rejection> {
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
    let existing = state
        .open_conversation_for(&sms.to, &sms.from)
        .and_then(|id| state.conversation(id));
    let conversation = match existing {
        Some(c) => c.id,
        None => {
            // Numbered from 1, as every list agents see (wrap-up
            // reasons, buttons) is: "Offer #1" is the first conversation.
            let id = ConversationId(state.counters.next_conversation.max(1));
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
    let keyword = state.setup.compliance.keywords.classify(&sms.body);
    let opted_out = state.opt_out(&sms.to, &sms.from).is_some();
    if let Some(k) = keyword {
        events.extend(compliance::keyword(state, entry, sms, k, conversation, existing));
    }
    let closed = events.iter().any(|e| matches!(e, Event::Abandoned { .. }));
    if existing.is_none() && !closed && !opted_out && keyword != Some(Keyword::Help) {
        // With an intake bot, it talks first; the greeting comes once queued.
        match intake::start(entry, conversation, now) {
            Some(start) => events.push(start),
            None => {
                if let Some(queue) = state.setup.queue(&entry.queue) {
                    events.extend(automation::on_open(state, queue, conversation, now));
                }
            }
        }
    }
    if let Some(Phase::Paused { owner, .. }) = existing.map(|c| &c.phase) {
        if !closed {
            events.push(Event::Resumed {
                conversation,
                owner: owner.clone(),
                requeued: !state.has_room(owner),
            });
        }
    }
    Ok(events)
}
