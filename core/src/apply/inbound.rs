//! A customer's SMS: a conversation opened, a message counted (and remembered for de-duplication).

use super::{restart_inactivity, start_busy_timer};
use crate::event::Event;
use crate::ids::Timestamp;
use crate::model::{Conversation, Phase};
use crate::state::{Seen, State};

/// Folds one of this group's events into the state; others are not its own.
pub(super) fn apply(state: &mut State, at: Timestamp, event: &Event) {
    match event {
        Event::ConversationOpened {
            conversation,
            entry,
            customer,
            carrier,
            queue,
            skills,
        } => {
            state.counters.next_conversation = state.counters.next_conversation.max(conversation.0 + 1);
            state.insert_conversation(Conversation {
                id: *conversation,
                entry: entry.clone(),
                customer: customer.clone(),
                carrier: carrier.clone(),
                queue: queue.clone(),
                opened_at: at,
                skills: skills.clone(),
                phase: Phase::Queued { head: false, since: at },
                declined_by: Default::default(),
                last_agent: None,
                inbound_count: 0,
                outbound_count: 0,
                outbound: Default::default(),
                busy_at: None,
                inactive_at: None,
                fields: Vec::new(),
                queued_at: Some(at),
                first_accepted_at: None,
                ended_at: None,
                notes: 0,
                note_refs: Default::default(),
                sticky: None,
            });
            state.saw_waiting(queue, at);
            start_busy_timer(state, *conversation, at);
            super::sticky::start_wait(state, *conversation, at);
        }
        Event::MessageReceived { conversation, sms } => {
            if let Some(c) = state.conversation_mut(*conversation) {
                c.inbound_count += 1;
                c.carrier = sms.carrier.clone();
            }
            restart_inactivity(state, *conversation, at);
            state.record_seen(
                (sms.carrier.clone(), sms.carrier_message_id.clone()),
                Seen {
                    conversation: *conversation,
                    at,
                },
            );
        }
        _ => {}
    }
}
