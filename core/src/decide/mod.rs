//! `decide`: the rules. Given the state, a command and the time, it returns
//! the events that the command causes, or a `Rejection` saying why not. It
//! is pure: no I/O, no clock, no randomness; ids come from the state's
//! counters. One file per group of commands:
//!
//! - `inbound`: customer SMS, de-duplication, opening conversations.
//! - `presence`: available / idle / offline.
//! - `offer`: offers, accept, decline and their timeout.
//! - `active`: replies, transfers, end.
//! - `conference`: invite, join, leave.
//! - `wrapup`: choosing a wrap-up reason, auto wrap-up.
//! - `delivery`: send outcomes and carrier status callbacks for replies.
//! - `compliance`: STOP / START / HELP keywords and opt-outs.
//! - `automation`: greeting, closed and busy replies, inactivity.
//! - `intake`: the intake bot's turns, its failure and its timeout.
//! - `notes`: internal notes, never sent to the customer.

mod active;
mod automation;
mod compliance;
mod conference;
mod delivery;
mod inbound;
mod intake;
mod notes;
mod offer;
mod presence;
mod sticky;
mod wrapup;

use crate::command::Command;
use crate::event::Event;
use crate::ids::{AgentId, ConversationId, Timestamp};
use crate::model::{Conferee, Conversation, Phase};
use crate::rejection::Rejection;
use crate::state::State;

pub use compliance::{OPTED_IN_REASON, OPTED_OUT_REASON};
pub use wrapup::select_reason;

pub fn decide(state: &State, command: &Command, now: Timestamp) -> Result<Vec<Event>, Rejection> {
    match command {
        Command::ReceiveSms(sms) => inbound::receive(state, sms, now),
        Command::SetAvailable { agent } => presence::available(state, agent),
        Command::SetIdle { agent, code } => presence::idle(state, agent, code.as_deref()),
        Command::SetOffline { agent } => presence::offline(state, agent),
        Command::Offer { conversation, agent } => offer::offer(state, *conversation, agent, now),
        Command::Accept { agent, conversation } => offer::accept(state, agent, *conversation),
        Command::Decline { agent, conversation } => offer::decline(state, agent, *conversation),
        Command::ExpireOffer { conversation } => offer::expire(state, *conversation, now),
        Command::Reply {
            agent,
            conversation,
            body,
            reference,
            media,
            canned,
        } => active::reply(
            state,
            agent,
            *conversation,
            body,
            (reference.as_deref(), canned.as_deref()),
            media,
        ),
        Command::TransferToQueue {
            agent,
            conversation,
            queue,
        } => active::transfer_to_queue(state, agent, *conversation, queue),
        Command::TransferToAgent {
            agent,
            conversation,
            target,
        } => active::transfer_to_agent(state, agent, *conversation, target, now),
        Command::End { agent, conversation } => active::end(state, agent, *conversation, now),
        Command::AddNote {
            author,
            conversation,
            body,
            reference,
            supervisor,
        } => notes::add(state, author, *conversation, body, reference.as_deref(), *supervisor),
        Command::RequestConference {
            agent,
            conversation,
            target,
        } => conference::request(state, agent, *conversation, target, now),
        Command::EndConference {
            agent,
            conversation,
            target,
        } => conference::end(state, agent, *conversation, target.as_ref()),
        Command::ExpireConferenceRequest { conversation, agent } => {
            conference::expire(state, *conversation, agent, now)
        }
        Command::Wrapup {
            agent,
            conversation,
            choice,
        } => wrapup::wrapup(state, agent, *conversation, choice.as_deref()),
        Command::AutoWrapup { conversation } => wrapup::auto(state, *conversation, now),
        Command::SendBusyReply { conversation } => automation::busy(state, *conversation, now),
        Command::PauseInactive { conversation } => automation::pause(state, *conversation, now),
        Command::EndStickyWait { conversation } => sticky::end_wait(state, *conversation, now),
        Command::IntakeAnswer {
            conversation,
            turn,
            texts,
            state: bot_state,
            next,
        } => intake::answer(state, *conversation, *turn, texts, bot_state, next, now),
        Command::IntakeFailed {
            conversation,
            turn,
            reason,
        } => intake::failed(state, *conversation, *turn, reason, now),
        Command::ExpireIntake { conversation } => intake::expire(state, *conversation, now),
        Command::RecordSendOutcome { message, outcome } => delivery::send_outcome(state, *message, outcome),
        Command::RecordDelivery {
            carrier,
            provider_id,
            status,
            error_code,
            opted_out,
        } => delivery::delivery(state, carrier, provider_id, *status, error_code.as_ref(), *opted_out),
    }
}

// ---- checks shared by the command files ---------------------------------

fn roster(state: &State, agent: &AgentId) -> Result<(), Rejection> {
    if state.is_roster(agent) {
        Ok(())
    } else {
        Err(Rejection::NotOnRoster { user: agent.clone() })
    }
}

fn conversation(state: &State, id: ConversationId) -> Result<&Conversation, Rejection> {
    match state.conversation(id) {
        Some(c) if !matches!(c.phase, Phase::Closed { .. }) => Ok(c),
        _ => Err(Rejection::UnknownConversation(id)),
    }
}

/// The conversation, if it is active and `agent` owns it; otherwise the most useful refusal.
fn owned_active<'a>(state: &'a State, agent: &AgentId, id: ConversationId) -> Result<&'a Conversation, Rejection> {
    roster(state, agent)?;
    let c = conversation(state, id)?;
    match &c.phase {
        Phase::Active { owner, .. } if owner == agent => Ok(c),
        Phase::Paused { owner, .. } if owner == agent => Err(Rejection::NotActive(id, "paused")),
        Phase::Active { conference, .. } if conference.contains_key(agent) => Err(Rejection::OwnerOnly(id)),
        phase if phase.holders().contains(&agent) => Err(Rejection::NotActive(id, phase.label())),
        _ => Err(Rejection::NotYourConversation(id)),
    }
}

/// Whether `target` can take one more conversation now; `already_in` discounts
/// a conversation they already hold (e.g. a conference agent taking it over).
fn check_target(state: &State, target: &AgentId, already_in: bool) -> Result<(), Rejection> {
    roster(state, target)?;
    let agent = state.agent(target);
    if !state.is_available(target) {
        return Err(Rejection::TargetNotAvailable {
            agent: target.clone(),
            status: agent.map_or_else(|| "offline".to_owned(), |a| a.status.to_string()),
        });
    }
    let load = state.load(target) - u32::from(already_in);
    let capacity = state.capacity(target);
    if load >= capacity {
        return Err(Rejection::TargetAtCapacity {
            agent: target.clone(),
            capacity,
        });
    }
    Ok(())
}

/// What an agent can answer with `!accept` / `!decline`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Pending {
    Offer,
    Conference,
}

/// The offers and conference invitations waiting for `agent`, oldest conversation first.
pub fn pending_for(state: &State, agent: &AgentId) -> Vec<(ConversationId, Pending)> {
    let mut out: Vec<_> = state
        .holdings(agent)
        .filter_map(|c| match &c.phase {
            Phase::Offered { agent: a, .. } if a == agent => Some((c.id, Pending::Offer)),
            Phase::Active { conference, .. } if matches!(conference.get(agent), Some(Conferee::Requested { .. })) => {
                Some((c.id, Pending::Conference))
            }
            _ => None,
        })
        .collect();
    out.sort();
    out
}

/// Events that drop every conference participant, e.g. before an end or a transfer.
fn clear_conference(c: &Conversation) -> Vec<Event> {
    match &c.phase {
        Phase::Active { conference, .. } => conference
            .keys()
            .map(|agent| Event::ConferenceLeft {
                conversation: c.id,
                agent: agent.clone(),
                why: crate::event::ConferenceExit::ConversationMoved,
            })
            .collect(),
        _ => Vec::new(),
    }
}
