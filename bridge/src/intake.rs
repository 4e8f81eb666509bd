//! The intake driver (docs/configuration.md, `entry_points[].intake`): runs each entry point's intake bot
//! on the customer SMS of conversations in intake, and hands the answer to
//! the engine (`IntakeAnswer`), or the failure (`IntakeFailed`), which
//! queues the conversation to the entry point's queue. What is due is read
//! from the engine (`State::intake_due`), never remembered here, so a turn
//! interrupted by a crash is simply taken again after the restart: the bot
//! gets the same state and the same SMS. Woken after every commit, and
//! once a second.

use std::sync::Arc;
use std::time::Duration;

use smsdesk_core::command::IntakeNext;
use smsdesk_core::model::Phase;
use smsdesk_core::{Command, ConversationId, Event, QueueName};
use smsdesk_plugins::intake::{IntakeRequest, Next};

use crate::app::{AppState, SmsEngine};

/// One turn to take: the request for the bot, and the entry point's number.
struct Turn {
    entry: String,
    request: IntakeRequest,
}

/// The turns due now, with what the bot needs (its state, the customer's SMS).
fn due(engine: &SmsEngine) -> Vec<Turn> {
    let state = engine.state();
    let mut out = Vec::new();
    for (id, turn) in state.intake_due() {
        let Some(c) = state.conversation(id) else { continue };
        let Phase::Intake { state: bot_state, .. } = &c.phase else {
            continue;
        };
        let history = match engine.history(id) {
            Ok(h) => h,
            Err(error) => {
                tracing::error!(conversation = %id, %error, "cannot read the conversation for its intake turn");
                continue;
            }
        };
        let nth = usize::try_from(turn.saturating_sub(1)).unwrap_or(usize::MAX);
        let Some((sms, at)) = history
            .iter()
            .filter_map(|r| match &r.event {
                Event::MessageReceived { sms, .. } => Some((sms, r.at)),
                _ => None,
            })
            .nth(nth)
        else {
            continue;
        };
        out.push(Turn {
            entry: c.entry.to_string(),
            request: IntakeRequest {
                conversation: id.0,
                entry: c.entry.to_string(),
                customer: c.customer.to_string(),
                body: sms.body.clone(),
                media_urls: sms.media.clone(),
                turn,
                state: bot_state.clone(),
                received_at_ms: at.0,
            },
        });
    }
    out
}

/// The bot's answer as the engine's command (or its failure).
fn command(id: ConversationId, turn: &Turn, answer: Result<smsdesk_plugins::intake::IntakeAnswer, String>) -> Command {
    let turn_no = turn.request.turn;
    match answer {
        Ok(a) => Command::IntakeAnswer {
            conversation: id,
            turn: turn_no,
            texts: a.texts,
            state: a.state,
            next: match a.next {
                Next::Wait => IntakeNext::Wait,
                Next::Queue { queue, skills, fields } => IntakeNext::Queue {
                    queue: queue.map(QueueName::new),
                    skills,
                    fields,
                },
                Next::Close(reason) => IntakeNext::Close { reason },
            },
        },
        Err(reason) => Command::IntakeFailed {
            conversation: id,
            turn: turn_no,
            reason,
        },
    }
}

pub async fn run(state: Arc<AppState>) {
    if state.intakes.is_empty() {
        return;
    }
    loop {
        let Ok(turns) = state.read(due).await else { return };
        for turn in turns {
            let id = ConversationId(turn.request.conversation);
            let answer = match state.intakes.get(&turn.entry).map(|w| w.get()) {
                Some(bot) => {
                    let request = turn.request.clone();
                    match tokio::task::spawn_blocking(move || bot.turn(&request)).await {
                        Ok(Ok(a)) => Ok(a),
                        Ok(Err(error)) => Err(error.to_string()),
                        Err(join) => Err(join.to_string()),
                    }
                }
                None => Err("the entry point has no intake bot any more".to_owned()),
            };
            if let Err(why) = &answer {
                tracing::warn!(conversation = %id, turn = turn.request.turn, %why, "intake bot failed; queueing the conversation");
            }
            match state.execute(command(id, &turn, answer)).await {
                Ok(Ok(_)) => {}
                // Answered already (e.g. a timeout won the race): nothing to do.
                Ok(Err(rejection)) => tracing::debug!(conversation = %id, %rejection, "intake answer not taken"),
                // Storage trouble: try again on the next round (the turn is
                // still due); if the engine is gone, the next read ends this.
                Err(error) => {
                    tracing::error!(conversation = %id, %error, "cannot store the intake answer; will retry");
                    break;
                }
            }
        }
        tokio::select! {
            _ = state.intake_wake.notified() => {}
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    }
}
