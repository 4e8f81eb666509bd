//! Agent presence: available, idle (with a configured idle code), offline.
//! Leaving `available` withdraws the agent's unanswered offers and
//! conference invitations, so a conversation never waits on an absent agent.

use crate::event::{ConferenceExit, Event};
use crate::ids::AgentId;
use crate::model::AgentStatus;
use crate::rejection::Rejection;
use crate::state::State;

use super::{pending_for, roster, Pending};

pub(super) fn available(state: &State, agent: &AgentId) -> Result<Vec<Event>, Rejection> {
    roster(state, agent)?;
    if state.is_available(agent) {
        return Ok(Vec::new());
    }
    Ok(vec![Event::AgentStatusChanged {
        agent: agent.clone(),
        status: AgentStatus::Available,
    }])
}

pub(super) fn idle(state: &State, agent: &AgentId, code: Option<&str>) -> Result<Vec<Event>, Rejection> {
    roster(state, agent)?;
    let known = &state.setup.idle_codes;
    let code = match code.map(str::trim).filter(|c| !c.is_empty()) {
        None if known.is_empty() => None,
        None => return Err(Rejection::IdleCodeRequired { known: known.clone() }),
        Some(wanted) => Some(
            known
                .iter()
                .find(|k| k.eq_ignore_ascii_case(wanted))
                .cloned()
                .ok_or_else(|| Rejection::UnknownIdleCode {
                    code: wanted.to_owned(),
                    known: known.clone(),
                })?,
        ),
    };
    leave_available(state, agent, AgentStatus::Idle { code })
}

pub(super) fn offline(state: &State, agent: &AgentId) -> Result<Vec<Event>, Rejection> {
    roster(state, agent)?;
    leave_available(state, agent, AgentStatus::Offline)
}

fn leave_available(state: &State, agent: &AgentId, status: AgentStatus) -> Result<Vec<Event>, Rejection> {
    if state.agent(agent).map(|a| &a.status) == Some(&status) {
        return Ok(Vec::new());
    }
    let mut events: Vec<Event> = pending_for(state, agent)
        .into_iter()
        .map(|(conversation, kind)| match kind {
            Pending::Offer => Event::OfferWithdrawn {
                conversation,
                agent: agent.clone(),
            },
            Pending::Conference => Event::ConferenceLeft {
                conversation,
                agent: agent.clone(),
                why: ConferenceExit::Withdrawn,
            },
        })
        .collect();
    events.push(Event::AgentStatusChanged {
        agent: agent.clone(),
        status,
    });
    Ok(events)
}
