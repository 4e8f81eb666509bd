//! Conferences: invited, joined, left.

use super::release;
use crate::event::Event;
use crate::ids::Timestamp;
use crate::model::{Conferee, Phase};
use crate::state::State;

/// Folds one of this group's events into the state; others are not its own.
pub(super) fn apply(state: &mut State, at: Timestamp, event: &Event) {
    match event {
        Event::ConferenceRequested {
            conversation,
            agent,
            deadline,
            ..
        } => {
            state.edit_phase(*conversation, |p| {
                if let Phase::Active { conference, .. } = p {
                    conference.insert(agent.clone(), Conferee::Requested { deadline: *deadline });
                }
            });
            state.agent_mut(agent).last_work_change = at;
        }
        Event::ConferenceJoined { conversation, agent } => {
            state.edit_phase(*conversation, |p| {
                if let Phase::Active { conference, .. } = p {
                    conference.insert(agent.clone(), Conferee::Joined { since: at });
                }
            });
        }
        Event::ConferenceLeft {
            conversation, agent, ..
        } => {
            state.edit_phase(*conversation, |p| {
                if let Phase::Active { conference, .. } = p {
                    conference.remove(agent);
                }
            });
            release(state, agent, at);
        }
        _ => {}
    }
}
