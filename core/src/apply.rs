//! `apply`: folds one event into the state. It never refuses and never
//! checks a rule (that was `decide`'s job); it only records the consequence,
//! so replaying the same events always gives the same state. Delivery
//! events on replies no longer in memory need their record read back first
//! (the engine does that before deciding).

use std::collections::BTreeMap;

use crate::event::{Event, EventRecord};
use crate::ids::{AgentId, ConversationId, Timestamp};
use crate::model::{AgentStatus, AutoText, Conferee, Conversation, Delivery, OptOut, Phase};
use crate::state::{Seen, State};

pub fn apply(state: &mut State, record: &EventRecord) {
    let at = record.at;
    state.counters.next_seq = state.counters.next_seq.max(record.seq + 1);
    match &record.event {
        Event::ConversationOpened {
            conversation,
            entry,
            customer,
            carrier,
            queue,
            skills,
        } => {
            state.counters.next_conversation = state.counters.next_conversation.max(conversation.0 + 1);
            state.insert_conversation(Conversation {
                id: *conversation,
                entry: entry.clone(),
                customer: customer.clone(),
                carrier: carrier.clone(),
                queue: queue.clone(),
                opened_at: at,
                skills: skills.clone(),
                phase: Phase::Queued { head: false, since: at },
                declined_by: Default::default(),
                last_agent: None,
                inbound_count: 0,
                outbound_count: 0,
                outbound: Default::default(),
                busy_at: None,
                inactive_at: None,
                fields: Vec::new(),
                queued_at: Some(at),
                first_accepted_at: None,
                ended_at: None,
            });
            start_busy_timer(state, *conversation, at);
        }
        Event::IntakeStarted { conversation, deadline } => {
            state.set_phase(
                *conversation,
                Phase::Intake {
                    since: at,
                    deadline: *deadline,
                    turn: 0,
                    state: Vec::new(),
                },
            );
            // No busy reply while the bot talks; its timer starts once queued.
            state.edit_indexed(*conversation, |c| {
                c.busy_at = None;
                c.queued_at = None;
            });
        }
        Event::IntakeTurned {
            conversation,
            turn,
            state: bot_state,
            deadline,
        } => {
            state.edit_phase(*conversation, |p| {
                if let Phase::Intake {
                    turn: t,
                    state: s,
                    deadline: d,
                    ..
                } = p
                {
                    *t = *turn;
                    s.clone_from(bot_state);
                    *d = *deadline;
                }
            });
        }
        Event::IntakeFinished {
            conversation,
            queue,
            skills,
            fields,
            ..
        } => {
            state.edit_indexed(*conversation, |c| {
                c.queue = queue.clone();
                c.skills.clone_from(skills);
                c.fields.clone_from(fields);
                c.phase = Phase::Queued { head: false, since: at };
                c.queued_at.get_or_insert(at);
            });
            start_busy_timer(state, *conversation, at);
        }
        Event::MessageReceived { conversation, sms } => {
            if let Some(c) = state.conversation_mut(*conversation) {
                c.inbound_count += 1;
                c.carrier = sms.carrier.clone();
            }
            restart_inactivity(state, *conversation, at);
            state.record_seen(
                (sms.carrier.clone(), sms.carrier_message_id.clone()),
                Seen {
                    conversation: *conversation,
                    at,
                },
            );
        }
        Event::AgentStatusChanged { agent, status } => state.set_status(agent, status.clone(), at),
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
                    first = Some((c.queue.clone(), at.since(c.queued_at.unwrap_or(c.opened_at))));
                }
            }
            if let Some((queue, wait)) = first {
                state.count(&queue, at, |t, sla| t.accepted(wait, sla));
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
            requeue(state, *conversation, true, at);
            release(state, agent, at);
            state.set_status(agent, AgentStatus::Rona, at);
        }
        Event::OfferWithdrawn { conversation, agent } => {
            requeue(state, *conversation, true, at);
            release(state, agent, at);
        }
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
        Event::SmsSent {
            conversation,
            message_id,
            provider_id,
        } => {
            state.edit_outbound(*conversation, *message_id, |o| {
                o.status = Delivery::Sent;
                o.provider_id = Some(provider_id.clone());
            });
        }
        Event::SmsFailed {
            conversation,
            message_id,
            code,
            reason,
        } => {
            state.edit_outbound(*conversation, *message_id, |o| {
                o.status = Delivery::Failed;
                o.error_code = code.clone();
                o.error = Some(reason.clone());
            });
        }
        Event::DeliveryUpdated {
            conversation,
            message_id,
            status,
            error_code,
        } => {
            state.edit_outbound(*conversation, *message_id, |o| {
                o.status = *status;
                if error_code.is_some() {
                    o.error_code = error_code.clone();
                }
            });
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
        Event::OptedOut {
            entry, customer, how, ..
        } => state.set_opt_out(entry, customer, Some(OptOut { at, how: how.clone() })),
        Event::OptedIn { entry, customer, .. } => state.set_opt_out(entry, customer, None),
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
                .map(|c| c.queue.clone());
            if let Some(queue) = never_accepted {
                state.count(&queue, at, |t, _| t.abandoned());
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
        Event::WrappedUp { conversation, reason } => {
            let owner = state.conversation(*conversation).and_then(|c| c.phase.owner().cloned());
            let handled = state
                .conversation(*conversation)
                .and_then(|c| Some((c.queue.clone(), at.since(c.first_accepted_at?))));
            if let Some((queue, handle)) = handled {
                state.count(&queue, at, |t, _| t.handled(handle));
            }
            state.set_phase(
                *conversation,
                Phase::Closed {
                    reason: reason.clone(),
                    at,
                },
            );
            if let Some(owner) = owner {
                release(state, &owner, at);
            }
        }
    }
}

/// The busy reply's timer for a conversation now waiting in its queue,
/// unless there is nothing to send or no one to send it to.
fn start_busy_timer(state: &mut State, conversation: crate::ids::ConversationId, at: Timestamp) {
    let Some(c) = state.conversation(conversation) else {
        return;
    };
    let q = state.setup.queue(&c.queue);
    let busy_after = q.filter(|q| q.busy_reply.is_some()).and_then(|q| q.busy_after);
    if let Some(after) = busy_after.filter(|_| state.opt_out(&c.entry, &c.customer).is_none()) {
        state.edit_indexed(conversation, |c| c.busy_at = Some(at.plus(after)));
    }
}

fn offer(
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
fn restart_inactivity(state: &mut State, conversation: ConversationId, at: Timestamp) {
    let Some(c) = state.conversation(conversation) else {
        return;
    };
    if !matches!(c.phase, Phase::Active { .. }) {
        return;
    }
    let after = state.setup.queue(&c.queue).and_then(|q| q.inactivity);
    state.edit_indexed(conversation, |c| c.inactive_at = after.map(|d| at.plus(d)));
}

fn requeue(state: &mut State, conversation: crate::ids::ConversationId, head: bool, at: Timestamp) {
    state.set_phase(conversation, Phase::Queued { head, since: at });
}

/// Work was taken off `agent`: their "longest available" clock restarts.
fn release(state: &mut State, agent: &AgentId, at: Timestamp) {
    state.agent_mut(agent).last_work_change = at;
}
