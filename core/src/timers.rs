//! Timers: offer timeouts, conference invitation timeouts and auto wrap-up.
//! Deadlines are stored inside conversation phases, so they survive restarts
//! with the state; this module only reads them and names the commands a
//! driver must issue once a deadline has passed (also right after a restart).

use crate::command::Command;
use crate::ids::Timestamp;
use crate::model::{Conferee, Conversation, Phase};
use crate::state::State;

/// Every deadline held by one conversation.
pub fn deadlines(c: &Conversation) -> Vec<Timestamp> {
    match &c.phase {
        Phase::Offered { deadline, .. } => vec![*deadline],
        Phase::Active { conference, .. } => conference
            .values()
            .filter_map(|m| match m {
                Conferee::Requested { deadline } => Some(*deadline),
                Conferee::Joined { .. } => None,
            })
            .collect(),
        Phase::Wrapup {
            deadline: Some(deadline),
            ..
        } => vec![*deadline],
        _ => Vec::new(),
    }
}

/// Timer commands that are due at `now`, oldest conversation first.
pub fn due(state: &State, now: Timestamp) -> Vec<Command> {
    let mut out = Vec::new();
    for c in state.conversations() {
        match &c.phase {
            Phase::Offered { deadline, .. } if *deadline <= now => {
                out.push(Command::ExpireOffer { conversation: c.id });
            }
            Phase::Active { conference, .. } => {
                for (agent, m) in conference {
                    if matches!(m, Conferee::Requested { deadline } if *deadline <= now) {
                        out.push(Command::ExpireConferenceRequest {
                            conversation: c.id,
                            agent: agent.clone(),
                        });
                    }
                }
            }
            Phase::Wrapup {
                deadline: Some(deadline),
                ..
            } if *deadline <= now => out.push(Command::AutoWrapup { conversation: c.id }),
            _ => {}
        }
    }
    out
}
