//! Offers: routing proposes a queued conversation to one agent, who accepts
//! or declines before the queue's offer timeout. The same `!accept` /
//! `!decline` answer a transfer offer or a conference invitation.

use crate::event::{ConferenceExit, Event};
use crate::ids::{AgentId, ConversationId, Timestamp};
use crate::model::Phase;
use crate::rejection::Rejection;
use crate::state::State;

use super::{conversation, pending_for, roster, Pending};

pub(super) fn offer(
    state: &State,
    id: ConversationId,
    agent: &AgentId,
    now: Timestamp,
) -> Result<Vec<Event>, Rejection> {
    roster(state, agent)?;
    let c = conversation(state, id)?;
    if !matches!(c.phase, Phase::Queued { .. }) {
        return Err(Rejection::NotQueued(id, c.phase.label()));
    }
    let not_eligible = |why: String| Rejection::NotEligible {
        agent: agent.clone(),
        conversation: id,
        why,
    };
    let member = state
        .setup
        .agents
        .get(agent)
        .is_some_and(|a| a.queues.contains(&c.queue));
    if !member {
        return Err(not_eligible(format!("not a member of queue {}", c.queue)));
    }
    if !state.is_available(agent) {
        let status = state.agent(agent).map(|a| a.status.to_string()).unwrap_or_default();
        return Err(not_eligible(format!("they are {status}")));
    }
    if state.load(agent) >= state.capacity(agent) {
        return Err(not_eligible("they are at capacity".to_owned()));
    }
    Ok(vec![Event::Offered {
        conversation: id,
        agent: agent.clone(),
        deadline: now.plus(state.setup.offer_timeout(&c.queue)),
    }])
}

/// Picks the pending item the agent means: the named one, or the only one.
fn resolve(state: &State, agent: &AgentId, id: Option<ConversationId>) -> Result<(ConversationId, Pending), Rejection> {
    roster(state, agent)?;
    let pending = pending_for(state, agent);
    match id {
        Some(id) => {
            conversation(state, id)?;
            pending
                .into_iter()
                .find(|(c, _)| *c == id)
                .ok_or(Rejection::NotOfferedToYou(id))
        }
        None => match pending.as_slice() {
            [] => Err(Rejection::NoPendingOffer),
            [one] => Ok(*one),
            many => Err(Rejection::AmbiguousOffer(many.iter().map(|(c, _)| *c).collect())),
        },
    }
}

pub(super) fn accept(state: &State, agent: &AgentId, id: Option<ConversationId>) -> Result<Vec<Event>, Rejection> {
    let (conversation, kind) = resolve(state, agent, id)?;
    let agent = agent.clone();
    Ok(vec![match kind {
        Pending::Offer => Event::OfferAccepted { conversation, agent },
        Pending::Conference => Event::ConferenceJoined { conversation, agent },
    }])
}

pub(super) fn decline(state: &State, agent: &AgentId, id: Option<ConversationId>) -> Result<Vec<Event>, Rejection> {
    let (conversation, kind) = resolve(state, agent, id)?;
    let agent = agent.clone();
    Ok(vec![match kind {
        Pending::Offer => Event::OfferDeclined { conversation, agent },
        Pending::Conference => Event::ConferenceLeft {
            conversation,
            agent,
            why: ConferenceExit::Declined,
        },
    }])
}

pub(super) fn expire(state: &State, id: ConversationId, now: Timestamp) -> Result<Vec<Event>, Rejection> {
    let c = conversation(state, id)?;
    match &c.phase {
        Phase::Offered { agent, deadline, .. } if *deadline <= now => Ok(vec![Event::OfferTimedOut {
            conversation: id,
            agent: agent.clone(),
        }]),
        _ => Err(Rejection::TimerNotDue(id)),
    }
}
