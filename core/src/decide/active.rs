//! An active conversation: replies to the customer, transfers (to a queue or
//! to an agent) and ending it into wrap-up. Transfers and end are the
//! owner's; replies are also open to conference agents who joined.

use crate::event::Event;
use crate::ids::{AgentId, ConversationId, MessageId, QueueName, Timestamp};
use crate::model::Phase;
use crate::rejection::Rejection;
use crate::setup::{EntryKind, MAX_REPLY_CHARS, MAX_REPLY_MEDIA};
use crate::state::State;

use super::{check_target, clear_conference, compliance, conversation, owned_active, roster};

pub(super) fn reply(
    state: &State,
    agent: &AgentId,
    id: ConversationId,
    body: &str,
    (reference, canned): (Option<&str>, Option<&str>),
    media: &[String],
) -> Result<Vec<Event>, Rejection> {
    roster(state, agent)?;
    let c = conversation(state, id)?;
    // The same reply handed in again (a front end replaying after a crash) is already done.
    // (Older replies are checked against the store by the engine before this.)
    if reference.is_some_and(|r| state.reply_with_reference(id, r).is_some()) {
        return Ok(Vec::new());
    }
    if !c.may_write(agent) {
        let involved = c.phase.holders().contains(&agent);
        return Err(match &c.phase {
            Phase::Active { .. } if involved => Rejection::NotActive(id, "conference requested"),
            Phase::Active { .. } => Rejection::NotYourConversation(id),
            phase if involved => Rejection::NotActive(id, phase.label()),
            _ => Rejection::NotYourConversation(id),
        });
    }
    compliance::check_not_opted_out(state, c)?;
    if body.trim().is_empty() && media.is_empty() {
        return Err(Rejection::EmptyReply);
    }
    if !media.is_empty() {
        if media.len() > MAX_REPLY_MEDIA {
            return Err(Rejection::TooManyAttachments { count: media.len() });
        }
        let kind = state.setup.entry_points.get(&c.entry).map(|e| e.kind);
        if kind == Some(EntryKind::ShortCode) {
            return Err(Rejection::NoMmsFrom {
                entry: c.entry.clone(),
                kind: "a short code",
            });
        }
    }
    let chars = body.chars().count();
    if chars > MAX_REPLY_CHARS {
        return Err(Rejection::ReplyTooLong { chars });
    }
    Ok(vec![Event::ReplyAccepted {
        conversation: id,
        message_id: MessageId(state.counters.next_message),
        agent: agent.clone(),
        body: body.to_owned(),
        reference: reference.map(str::to_owned),
        media: media.to_vec(),
        canned: canned.map(str::to_owned),
    }])
}

pub(super) fn transfer_to_queue(
    state: &State,
    agent: &AgentId,
    id: ConversationId,
    queue: &QueueName,
) -> Result<Vec<Event>, Rejection> {
    let c = owned_active(state, agent, id)?;
    if state.setup.queue(queue).is_none() {
        return Err(Rejection::UnknownQueue {
            name: queue.clone(),
            known: state.setup.queue_names(),
        });
    }
    let mut events = clear_conference(c);
    events.push(Event::TransferredToQueue {
        conversation: id,
        from: agent.clone(),
        queue: queue.clone(),
    });
    Ok(events)
}

pub(super) fn transfer_to_agent(
    state: &State,
    agent: &AgentId,
    id: ConversationId,
    target: &AgentId,
    now: Timestamp,
) -> Result<Vec<Event>, Rejection> {
    let c = owned_active(state, agent, id)?;
    if target == agent {
        return Err(Rejection::TargetIsSelf { what: "transfer to" });
    }
    // A conference agent may take the conversation over: their seat is freed first.
    let in_conference = matches!(&c.phase, Phase::Active { conference, .. } if conference.contains_key(target));
    check_target(state, target, in_conference)?;
    let mut events = clear_conference(c);
    events.push(Event::TransferredToAgent {
        conversation: id,
        from: agent.clone(),
        to: target.clone(),
        deadline: now.plus(state.setup.offer_timeout(&c.queue)),
    });
    Ok(events)
}

pub(super) fn end(state: &State, agent: &AgentId, id: ConversationId, now: Timestamp) -> Result<Vec<Event>, Rejection> {
    // A paused conversation is still its owner's to end.
    let paused = conversation(state, id)
        .ok()
        .filter(|c| matches!(&c.phase, Phase::Paused { owner, .. } if owner == agent));
    let c = match paused {
        Some(c) => c,
        None => owned_active(state, agent, id)?,
    };
    let auto = state.setup.queue(&c.queue).and_then(|q| q.auto_wrapup);
    let mut events = clear_conference(c);
    events.push(Event::Ended {
        conversation: id,
        agent: agent.clone(),
        auto_wrapup_at: auto.map(|d| now.plus(d)),
    });
    Ok(events)
}
