//! Timers: offer timeouts, conference invitation timeouts, auto wrap-up,
//! the busy reply, inactivity and the intake timeout. Deadlines are stored with conversations
//! (`Conversation::deadlines`), so they survive restarts with the state; the
//! state keeps them in a timer index, soonest first. This module names the commands a driver must issue
//! once a deadline has passed (also right after a restart).

use crate::command::Command;
use crate::ids::Timestamp;
use crate::model::{Conferee, Phase};
use crate::state::State;

/// Timer commands that are due at `now`, oldest conversation first. Reads
/// only the conversations whose deadline has passed.
pub fn due(state: &State, now: Timestamp) -> Vec<Command> {
    let mut out = Vec::new();
    for id in state.due(now) {
        let Some(c) = state.conversation(id) else { continue };
        let waiting = matches!(c.phase, Phase::Queued { .. } | Phase::Offered { .. });
        if waiting && c.busy_at.is_some_and(|at| at <= now) {
            out.push(Command::SendBusyReply { conversation: c.id });
        }
        if matches!(c.phase, Phase::Active { .. }) && c.inactive_at.is_some_and(|at| at <= now) {
            out.push(Command::PauseInactive { conversation: c.id });
        }
        let sticky_due = c.sticky.as_ref().and_then(|s| s.until).is_some_and(|u| u <= now);
        if matches!(c.phase, Phase::Queued { .. }) && sticky_due {
            out.push(Command::EndStickyWait { conversation: c.id });
        }
        match &c.phase {
            Phase::Intake { deadline, .. } if *deadline <= now => {
                out.push(Command::ExpireIntake { conversation: c.id });
            }
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
