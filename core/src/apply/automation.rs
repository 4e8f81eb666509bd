//! What happens without an agent: automatic replies, abandonment, pausing after inactivity and resuming.

use std::collections::BTreeMap;

use super::{release, requeue, restart_inactivity};
use crate::event::Event;
use crate::ids::Timestamp;
use crate::model::{AutoText, Phase};
use crate::state::State;

/// Folds one of this group's events into the state; others are not its own.
pub(super) fn apply(state: &mut State, at: Timestamp, event: &Event) {
    match event {
        Event::AutoReplied {
            conversation,
            message_id,
            kind,
            ..
        } => {
            state.counters.next_message = state.counters.next_message.max(message_id.0 + 1);
            state.edit_outbound(*conversation, *message_id, |_| {});
            if *kind == AutoText::Busy {
                state.edit_indexed(*conversation, |c| c.busy_at = None);
            }
        }
        Event::Abandoned {
            conversation,
            reason,
            offered_to,
        } => {
            // A conversation whose only message was STOP (or START) never
            // asked for an agent: closed, but not abandoned.
            let keyword_only =
                [crate::decide::OPTED_OUT_REASON, crate::decide::OPTED_IN_REASON].contains(&reason.as_str());
            let never_accepted = state
                .conversation(*conversation)
                .filter(|c| c.first_accepted_at.is_none() && c.queued_at.is_some())
                .filter(|c| !(keyword_only && c.inbound_count <= 1))
                .map(|c| (c.queue.clone(), c.queued_at.unwrap_or(c.opened_at)));
            if let Some((queue, arrived)) = never_accepted {
                state.count(&queue, at, |t, _| t.abandoned());
                state.count_interval(&queue, at, arrived, |i, _| {
                    i.offered += 1;
                    i.abandoned += 1;
                });
            }
            state.set_phase(
                *conversation,
                Phase::Closed {
                    reason: reason.clone(),
                    at,
                },
            );
            if let Some(agent) = offered_to {
                release(state, agent, at);
            }
        }
        Event::Paused { conversation, owner } => {
            state.set_phase(
                *conversation,
                Phase::Paused {
                    owner: owner.clone(),
                    since: at,
                },
            );
            state.edit_indexed(*conversation, |c| c.inactive_at = None);
            release(state, owner, at);
        }
        Event::Resumed {
            conversation,
            owner,
            requeued,
        } => {
            if *requeued {
                requeue(state, *conversation, true, at);
            } else {
                state.set_phase(
                    *conversation,
                    Phase::Active {
                        owner: owner.clone(),
                        since: at,
                        conference: BTreeMap::new(),
                    },
                );
                state.agent_mut(owner).last_work_change = at;
                restart_inactivity(state, *conversation, at);
            }
        }
        _ => {}
    }
}
