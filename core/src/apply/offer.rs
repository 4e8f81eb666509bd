//! Offers: made, accepted (the first counts for the queue's figures), declined, timed out, withdrawn.

use std::collections::BTreeMap;

use super::{offer, release, requeue, restart_inactivity};
use crate::event::Event;
use crate::ids::Timestamp;
use crate::model::{AgentStatus, Phase};
use crate::state::State;

/// Folds one of this group's events into the state; others are not its own.
pub(super) fn apply(state: &mut State, at: Timestamp, event: &Event) {
    match event {
        Event::Offered {
            conversation,
            agent,
            deadline,
        } => {
            offer(state, *conversation, agent, at, *deadline, None);
        }
        Event::OfferAccepted { conversation, agent } => {
            let mut first = None;
            if let Some(c) = state.conversation_mut(*conversation) {
                c.declined_by.clear();
                if c.first_accepted_at.is_none() {
                    c.first_accepted_at = Some(at);
                    let arrived = c.queued_at.unwrap_or(c.opened_at);
                    first = Some((c.queue.clone(), arrived, at.since(arrived)));
                }
            }
            if let Some((queue, arrived, wait)) = first {
                state.count(&queue, at, |t, sla| t.accepted(wait, sla));
                state.count_interval(&queue, at, arrived, |i, sla| {
                    i.offered += 1;
                    i.answered_in_sla += u32::from(wait <= sla);
                });
            }
            state.set_phase(
                *conversation,
                Phase::Active {
                    owner: agent.clone(),
                    since: at,
                    conference: BTreeMap::new(),
                },
            );
            state.edit_indexed(*conversation, |c| c.busy_at = None);
            restart_inactivity(state, *conversation, at);
        }
        Event::OfferDeclined { conversation, agent } => {
            if let Some(c) = state.conversation_mut(*conversation) {
                c.declined_by.insert(agent.clone());
            }
            requeue(state, *conversation, true, at);
            release(state, agent, at);
        }
        Event::OfferTimedOut { conversation, agent } => {
            if state
                .conversation(*conversation)
                .and_then(|c| c.sticky.as_ref())
                .is_some_and(|s| &s.agent == agent)
            {
                super::sticky::end_wait(state, *conversation);
            }
            requeue(state, *conversation, true, at);
            release(state, agent, at);
            state.set_status(agent, AgentStatus::Rona, at);
        }
        Event::OfferWithdrawn { conversation, agent } => {
            requeue(state, *conversation, true, at);
            release(state, agent, at);
        }
        _ => {}
    }
}
