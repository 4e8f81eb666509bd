//! An active conversation: replies, transfers, the end.

use super::{offer, release, requeue};
use crate::event::Event;
use crate::ids::Timestamp;
use crate::model::Phase;
use crate::state::State;

/// Folds one of this group's events into the state; others are not its own.
pub(super) fn apply(state: &mut State, at: Timestamp, event: &Event) {
    match event {
        Event::ReplyAccepted {
            conversation,
            message_id,
            reference,
            ..
        } => {
            state.counters.next_message = state.counters.next_message.max(message_id.0 + 1);
            if let Some(c) = state.conversation_mut(*conversation) {
                c.outbound_count += 1;
            }
            state.edit_outbound(*conversation, *message_id, |o| o.reference.clone_from(reference));
        }
        Event::TransferredToQueue {
            conversation,
            from,
            queue,
        } => {
            if let Some(c) = state.conversation_mut(*conversation) {
                c.declined_by.clear();
            }
            state.set_queue(*conversation, queue.clone());
            requeue(state, *conversation, false, at);
            release(state, from, at);
        }
        Event::TransferredToAgent {
            conversation,
            from,
            to,
            deadline,
        } => {
            offer(state, *conversation, to, at, *deadline, Some(from.clone()));
            release(state, from, at);
        }
        Event::Ended {
            conversation,
            agent,
            auto_wrapup_at,
        } => {
            if let Some(c) = state.conversation_mut(*conversation) {
                c.ended_at = Some(at);
            }
            state.set_phase(
                *conversation,
                Phase::Wrapup {
                    owner: agent.clone(),
                    since: at,
                    deadline: *auto_wrapup_at,
                },
            );
        }
        _ => {}
    }
}
