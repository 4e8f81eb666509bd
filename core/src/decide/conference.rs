//! Conferences: the owner invites available agents; each invitation shows as
//! "conference requested" until accepted (then "conference"), declined or
//! expired. The owner can remove anyone; a conference agent can leave.

use crate::event::{ConferenceExit, Event};
use crate::ids::{AgentId, ConversationId, Timestamp};
use crate::model::{Conferee, Phase};
use crate::rejection::Rejection;
use crate::state::State;

use super::{check_target, conversation, owned_active, roster};

pub(super) fn request(
    state: &State,
    agent: &AgentId,
    id: ConversationId,
    target: &AgentId,
    now: Timestamp,
) -> Result<Vec<Event>, Rejection> {
    let c = owned_active(state, agent, id)?;
    if target == agent {
        return Err(Rejection::TargetIsSelf { what: "invite" });
    }
    if matches!(&c.phase, Phase::Active { conference, .. } if conference.contains_key(target)) {
        return Err(Rejection::AlreadyParticipant(target.clone()));
    }
    check_target(state, target, false)?;
    Ok(vec![Event::ConferenceRequested {
        conversation: id,
        by: agent.clone(),
        agent: target.clone(),
        deadline: now.plus(state.setup.offer_timeout(&c.queue)),
    }])
}

pub(super) fn end(
    state: &State,
    agent: &AgentId,
    id: ConversationId,
    target: Option<&AgentId>,
) -> Result<Vec<Event>, Rejection> {
    roster(state, agent)?;
    let c = conversation(state, id)?;
    let Phase::Active { owner, conference, .. } = &c.phase else {
        return Err(if c.phase.holders().contains(&agent) {
            Rejection::NotActive(id, c.phase.label())
        } else {
            Rejection::NotYourConversation(id)
        });
    };
    let left = |who: &AgentId| Event::ConferenceLeft {
        conversation: id,
        agent: who.clone(),
        why: ConferenceExit::Ended,
    };
    if owner == agent {
        match target {
            Some(t) if conference.contains_key(t) => Ok(vec![left(t)]),
            Some(t) => Err(Rejection::NotInConference(t.clone())),
            None if conference.is_empty() => Err(Rejection::NoConference(id)),
            None => Ok(conference.keys().map(left).collect()),
        }
    } else if conference.contains_key(agent) {
        match target {
            None => Ok(vec![left(agent)]),
            Some(t) if t == agent => Ok(vec![left(agent)]),
            Some(_) => Err(Rejection::OnlyOwnerRemovesOthers),
        }
    } else {
        Err(Rejection::NotYourConversation(id))
    }
}

pub(super) fn expire(
    state: &State,
    id: ConversationId,
    agent: &AgentId,
    now: Timestamp,
) -> Result<Vec<Event>, Rejection> {
    let c = conversation(state, id)?;
    match &c.phase {
        Phase::Active { conference, .. } if matches!(conference.get(agent), Some(Conferee::Requested { deadline }) if *deadline <= now) => {
            Ok(vec![Event::ConferenceLeft {
                conversation: id,
                agent: agent.clone(),
                why: ConferenceExit::Expired,
            }])
        }
        _ => Err(Rejection::TimerNotDue(id)),
    }
}
