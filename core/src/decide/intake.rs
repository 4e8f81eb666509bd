//! The intake bot's part (docs/configuration.md, `entry_points[].intake`). A new conversation on an entry
//! point with an intake goes to `Phase::Intake` instead of its queue; the
//! driver runs the bot on each customer SMS and hands its answer in
//! (`IntakeAnswer`), or its failure (`IntakeFailed`); the timer queues a
//! conversation whose customer went quiet (`ExpireIntake`). Every way out
//! ends in a queue, so no conversation is lost to a bot: a failure, an
//! unknown queue or a timeout queues to the entry point's queue. The bot's
//! texts are `AutoReplied` events, sent by the outbox like any reply.

use crate::command::IntakeNext;
use crate::event::{Event, IntakeEnd};
use crate::ids::{ConversationId, QueueName, Timestamp};
use crate::model::{AutoText, Conversation, Phase};
use crate::rejection::Rejection;
use crate::setup::EntryPoint;
use crate::state::State;

use super::{automation, conversation};

/// The event that sends a new conversation to the bot, if its entry point has one.
pub(super) fn start(entry: &EntryPoint, conversation: ConversationId, now: Timestamp) -> Option<Event> {
    let timeout = entry.intake_timeout?;
    Some(Event::IntakeStarted {
        conversation,
        deadline: now.plus(timeout),
    })
}

/// The conversation, if it is in intake with turn `turn` due.
fn due(state: &State, id: ConversationId, turn: u32) -> Result<&Conversation, Rejection> {
    let c = conversation(state, id)?;
    match &c.phase {
        Phase::Intake { turn: answered, .. } if turn == answered + 1 && c.inbound_count >= turn => Ok(c),
        _ => Err(Rejection::IntakeTurnNotDue(id, turn)),
    }
}

/// Queues the conversation: where the bot said (or the entry point's queue),
/// then, if `greet` (the bot said nothing this turn), the greeting or closed
/// reply of that queue, as for any new conversation.
#[allow(clippy::too_many_arguments)]
fn finish(
    state: &State,
    c: &Conversation,
    queue: QueueName,
    skills: impl IntoIterator<Item = String>,
    fields: Vec<(String, String)>,
    how: IntakeEnd,
    greet: bool,
    now: Timestamp,
) -> Vec<Event> {
    let entry = state.setup.entry_points.get(&c.entry);
    let mut all_skills = entry.map(|e| e.skills.clone()).unwrap_or_default();
    all_skills.extend(skills);
    let mut events = vec![Event::IntakeFinished {
        conversation: c.id,
        queue: queue.clone(),
        skills: all_skills,
        fields,
        how,
    }];
    // Never to a customer who opted out meanwhile (e.g. the carrier refused
    // the bot's text as opted out).
    let greet = greet && state.opt_out(&c.entry, &c.customer).is_none();
    if let Some(q) = state.setup.queue(&queue).filter(|_| greet) {
        events.extend(automation::on_open(state, q, c.id, now));
    }
    events
}

/// The entry point's own queue (where a failed or timed-out intake goes).
fn home(state: &State, c: &Conversation) -> QueueName {
    state
        .setup
        .entry_points
        .get(&c.entry)
        .map_or_else(|| c.queue.clone(), |e| e.queue.clone())
}

pub(super) fn answer(
    state: &State,
    id: ConversationId,
    turn: u32,
    texts: &[String],
    bot_state: &[u8],
    next: &IntakeNext,
    now: Timestamp,
) -> Result<Vec<Event>, Rejection> {
    let c = due(state, id, turn)?;
    let mut events = Vec::new();
    let opted_out = state.opt_out(&c.entry, &c.customer).is_some();
    let sendable = texts.iter().filter(|t| !t.trim().is_empty() && !opted_out);
    for (message, text) in (state.counters.next_message..).zip(sendable) {
        events.push(Event::AutoReplied {
            conversation: id,
            message_id: crate::ids::MessageId(message),
            kind: AutoText::Intake,
            body: text.clone(),
        });
    }
    match next {
        IntakeNext::Wait => {
            let timeout = state
                .setup
                .entry_points
                .get(&c.entry)
                .and_then(|e| e.intake_timeout)
                .unwrap_or_default();
            events.push(Event::IntakeTurned {
                conversation: id,
                turn,
                state: bot_state.to_vec(),
                deadline: now.plus(timeout),
            });
        }
        IntakeNext::Queue { queue, skills, fields } => {
            let mut problems = Vec::new();
            let queue = match queue {
                Some(q) if state.setup.queue(q).is_none() => {
                    problems.push(format!("the bot asked for queue {q}, which is not configured"));
                    home(state, c)
                }
                Some(q) => q.clone(),
                None => home(state, c),
            };
            // A skill no agent has would keep the conversation waiting for
            // ever: only skills someone on the roster has are kept.
            let (known, unknown): (Vec<&String>, Vec<&String>) = skills
                .iter()
                .partition(|s| state.setup.agents.values().any(|a| a.skills.contains(*s)));
            if !unknown.is_empty() {
                let names: Vec<&str> = unknown.iter().map(|s| s.as_str()).collect();
                problems.push(format!("the bot asked for skills no agent has: {}", names.join(", ")));
            }
            let how = if problems.is_empty() {
                IntakeEnd::Bot
            } else {
                IntakeEnd::Failed {
                    reason: problems.join("; "),
                }
            };
            let greet = events.is_empty();
            let known = known.into_iter().cloned();
            events.extend(finish(state, c, queue, known, fields.clone(), how, greet, now));
        }
        IntakeNext::Close { reason } => events.push(Event::Abandoned {
            conversation: id,
            reason: format!("closed by the intake bot: {reason}"),
            offered_to: None,
        }),
    }
    Ok(events)
}

pub(super) fn failed(
    state: &State,
    id: ConversationId,
    turn: u32,
    reason: &str,
    now: Timestamp,
) -> Result<Vec<Event>, Rejection> {
    let c = due(state, id, turn)?;
    let how = IntakeEnd::Failed {
        reason: reason.to_owned(),
    };
    Ok(finish(state, c, home(state, c), [], Vec::new(), how, true, now))
}

pub(super) fn expire(state: &State, id: ConversationId, now: Timestamp) -> Result<Vec<Event>, Rejection> {
    let c = conversation(state, id)?;
    match &c.phase {
        Phase::Intake { deadline, .. } if *deadline <= now => Ok(finish(
            state,
            c,
            home(state, c),
            [],
            Vec::new(),
            IntakeEnd::TimedOut,
            true,
            now,
        )),
        _ => Err(Rejection::TimerNotDue(id)),
    }
}
