//! `apply`: folds one event into the state. It never refuses and never
//! checks a rule (that was `decide`'s job); it only records the consequence,
//! so replaying the same events always gives the same state. Delivery
//! events on replies no longer in memory need their record read back first
//! (the engine does that before deciding). One file per group of events,
//! mirroring `decide` (an agent's status is one line, here):
//!
//! - `inbound`: a customer's SMS: a conversation opened, a message counted (and remembered for de-duplication).
//! - `intake`: the intake bot's conversation: started, each turn, finished into a queue.
//! - `offer`: offers: made, accepted (the first counts for the queue's figures), declined, timed out, withdrawn.
//! - `active`: an active conversation: replies, transfers, the end.
//! - `conference`: conferences: invited, joined, left.
//! - `delivery`: what became of a reply: sent, failed, the carrier's delivery status.
//! - `compliance`: opt-outs: STOP and START.
//! - `automation`: what happens without an agent: automatic replies, abandonment, pausing after inactivity and resuming.
//! - `sticky`: back to the last agent: who handled a customer last, the wait for them.
//! - `wrapup`: wrap-up: the conversation closed with its reason, and counted as handled.
//!
//! What several groups do (offering, requeueing, releasing an agent, the
//! busy and inactivity timers) is here.

mod active;
mod automation;
mod compliance;
mod conference;
mod delivery;
mod inbound;
mod intake;
mod offer;
mod sticky;
mod wrapup;

use crate::event::{Event, EventRecord};
use crate::ids::{AgentId, ConversationId, Timestamp};
use crate::model::Phase;
use crate::state::State;

/// Folds `record` into `state`.
pub fn apply(state: &mut State, record: &EventRecord) {
    let at = record.at;
    state.counters.next_seq = state.counters.next_seq.max(record.seq + 1);
    match &record.event {
        Event::ConversationOpened { .. } | Event::MessageReceived { .. } => inbound::apply(state, at, &record.event),
        Event::IntakeStarted { .. } | Event::IntakeTurned { .. } | Event::IntakeFinished { .. } => {
            intake::apply(state, at, &record.event)
        }
        Event::AgentStatusChanged { agent, status } => state.set_status(agent, status.clone(), at),
        Event::Offered { .. }
        | Event::OfferAccepted { .. }
        | Event::OfferDeclined { .. }
        | Event::OfferTimedOut { .. }
        | Event::OfferWithdrawn { .. } => offer::apply(state, at, &record.event),
        Event::ReplyAccepted { .. }
        | Event::TransferredToQueue { .. }
        | Event::TransferredToAgent { .. }
        | Event::Ended { .. } => active::apply(state, at, &record.event),
        Event::ConferenceRequested { .. } | Event::ConferenceJoined { .. } | Event::ConferenceLeft { .. } => {
            conference::apply(state, at, &record.event)
        }
        Event::SmsSent { .. } | Event::SmsFailed { .. } | Event::DeliveryUpdated { .. } => {
            delivery::apply(state, &record.event)
        }
        Event::OptedOut { .. } | Event::OptedIn { .. } => compliance::apply(state, at, &record.event),
        Event::AutoReplied { .. } | Event::Abandoned { .. } | Event::Paused { .. } | Event::Resumed { .. } => {
            automation::apply(state, at, &record.event)
        }
        Event::WrappedUp { conversation, reason } => wrapup::wrapped_up(state, at, *conversation, reason),
        Event::StickyWaitEnded { conversation } => sticky::end_wait(state, *conversation),
        Event::NoteAdded {
            conversation,
            reference,
            ..
        } => {
            let reference = reference.clone();
            state.edit_indexed(*conversation, |c| {
                c.notes += 1;
                c.note_refs.extend(reference);
            });
        }
    }
}

/// The busy reply's timer for a conversation now waiting in its queue,
/// unless there is nothing to send or no one to send it to.
pub(super) fn start_busy_timer(state: &mut State, conversation: crate::ids::ConversationId, at: Timestamp) {
    let Some(c) = state.conversation(conversation) else {
        return;
    };
    let q = state.setup.queue(&c.queue);
    let busy_after = q.filter(|q| q.busy_reply.is_some()).and_then(|q| q.busy_after);
    if let Some(after) = busy_after.filter(|_| state.opt_out(&c.entry, &c.customer).is_none()) {
        state.edit_indexed(conversation, |c| c.busy_at = Some(at.plus(after)));
    }
}

pub(super) fn offer(
    state: &mut State,
    conversation: crate::ids::ConversationId,
    agent: &AgentId,
    at: Timestamp,
    deadline: Timestamp,
    transfer_from: Option<AgentId>,
) {
    if let Some(c) = state.conversation_mut(conversation) {
        c.last_agent = Some(agent.clone());
    }
    state.set_phase(
        conversation,
        Phase::Offered {
            agent: agent.clone(),
            at,
            deadline,
            transfer_from,
        },
    );
    state.agent_mut(agent).last_work_change = at;
}

/// An active conversation pauses after the queue's `inactivity` without a
/// word from the customer; each of their messages (and each accept) restarts it.
pub(super) fn restart_inactivity(state: &mut State, conversation: ConversationId, at: Timestamp) {
    let Some(c) = state.conversation(conversation) else {
        return;
    };
    if !matches!(c.phase, Phase::Active { .. }) {
        return;
    }
    let after = state.setup.queue(&c.queue).and_then(|q| q.inactivity);
    state.edit_indexed(conversation, |c| c.inactive_at = after.map(|d| at.plus(d)));
}

pub(super) fn requeue(state: &mut State, conversation: crate::ids::ConversationId, head: bool, at: Timestamp) {
    state.set_phase(conversation, Phase::Queued { head, since: at });
}

/// Work was taken off `agent`: their "longest available" clock restarts.
pub(super) fn release(state: &mut State, agent: &AgentId, at: Timestamp) {
    state.agent_mut(agent).last_work_change = at;
}
