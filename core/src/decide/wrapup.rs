//! Wrap-up: after `!end` the owner picks one of the queue's wrap-up reasons,
//! by number or by a filter text that matches exactly one reason; or the
//! queue's auto wrap-up timer closes the conversation for them.

use crate::event::Event;
use crate::ids::{AgentId, ConversationId, Timestamp};
use crate::model::Phase;
use crate::rejection::Rejection;
use crate::setup::AUTO_WRAPUP_REASON;
use crate::state::State;

use super::{conversation, roster};

/// Reason recorded when a queue has no wrap-up reasons configured.
const NO_REASON: &str = "no reason";

pub(super) fn wrapup(
    state: &State,
    agent: &AgentId,
    id: ConversationId,
    choice: Option<&str>,
) -> Result<Vec<Event>, Rejection> {
    roster(state, agent)?;
    let c = conversation(state, id)?;
    match &c.phase {
        Phase::Wrapup { owner, .. } if owner == agent => {}
        Phase::Wrapup { .. } => return Err(Rejection::NotYourConversation(id)),
        phase if phase.holders().contains(&agent) => return Err(Rejection::NotInWrapup(id, phase.label())),
        _ => return Err(Rejection::NotYourConversation(id)),
    }
    let reasons = state
        .setup
        .queue(&c.queue)
        .map(|q| q.wrapup_reasons.clone())
        .unwrap_or_default();
    let reason = select_reason(&reasons, choice)?;
    Ok(vec![Event::WrappedUp {
        conversation: id,
        reason,
    }])
}

/// Chooses a reason: a 1-based number, an exact (case-insensitive) name, or
/// a case-insensitive filter text contained in exactly one reason.
pub fn select_reason(reasons: &[String], choice: Option<&str>) -> Result<String, Rejection> {
    let choice = choice.map(str::trim).filter(|c| !c.is_empty());
    if reasons.is_empty() {
        return Ok(choice.unwrap_or(NO_REASON).to_owned());
    }
    let Some(text) = choice else {
        return Err(Rejection::WrapupReasonRequired {
            reasons: reasons.to_vec(),
        });
    };
    if let Ok(number) = text.parse::<usize>() {
        return number
            .checked_sub(1)
            .and_then(|i| reasons.get(i))
            .cloned()
            .ok_or_else(|| Rejection::WrapupNumberOutOfRange {
                number,
                reasons: reasons.to_vec(),
            });
    }
    let needle = text.to_lowercase();
    if let Some(exact) = reasons.iter().find(|r| r.to_lowercase() == needle) {
        return Ok(exact.clone());
    }
    let matches: Vec<String> = reasons
        .iter()
        .filter(|r| r.to_lowercase().contains(&needle))
        .cloned()
        .collect();
    match matches.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(Rejection::WrapupNoMatch {
            text: text.to_owned(),
            reasons: reasons.to_vec(),
        }),
        _ => Err(Rejection::WrapupAmbiguous {
            text: text.to_owned(),
            matches,
        }),
    }
}

pub(super) fn auto(state: &State, id: ConversationId, now: Timestamp) -> Result<Vec<Event>, Rejection> {
    let c = conversation(state, id)?;
    match &c.phase {
        Phase::Wrapup {
            deadline: Some(deadline),
            ..
        } if *deadline <= now => Ok(vec![Event::WrappedUp {
            conversation: id,
            reason: AUTO_WRAPUP_REASON.to_owned(),
        }]),
        _ => Err(Rejection::TimerNotDue(id)),
    }
}
