//! Replies on their way: the outbox worker reports how sending went, and
//! carriers report delivery. Repeated and out-of-order reports are accepted
//! and change nothing: a delivery state never moves backwards. The engine
//! reads a reply's record back from the store before these run, when it is
//! no longer in memory.

use crate::command::SendOutcome;
use crate::event::Event;
use crate::ids::{CarrierName, MessageId};
use crate::model::Delivery;
use crate::rejection::Rejection;
use crate::state::State;

fn current(state: &State, message: MessageId) -> Result<(crate::ids::ConversationId, Delivery), Rejection> {
    let record = state
        .delivery(message)
        .ok_or_else(|| Rejection::UnknownMessage(message.to_string()))?;
    Ok((record.conversation, record.outbound.status))
}

pub(super) fn send_outcome(state: &State, message: MessageId, outcome: &SendOutcome) -> Result<Vec<Event>, Rejection> {
    let (conversation, status) = current(state, message)?;
    if status != Delivery::Pending {
        // Already reported (e.g. a retry raced a late answer): nothing new.
        return Ok(Vec::new());
    }
    Ok(vec![match outcome {
        SendOutcome::Sent { provider_id } => Event::SmsSent {
            conversation,
            message_id: message,
            provider_id: provider_id.clone(),
        },
        SendOutcome::Failed { code, reason } => Event::SmsFailed {
            conversation,
            message_id: message,
            code: code.clone(),
            reason: reason.clone(),
        },
        SendOutcome::OptedOut { code, reason } => {
            let mut events = vec![Event::SmsFailed {
                conversation,
                message_id: message,
                code: code.clone(),
                reason: reason.clone(),
            }];
            if let Some(c) = state.conversation(conversation) {
                events.extend(super::compliance::carrier_opt_out(state, c, message, code.as_ref()));
            }
            return Ok(events);
        }
    }])
}

pub(super) fn delivery(
    state: &State,
    carrier: &CarrierName,
    provider_id: &str,
    status: Delivery,
    error_code: Option<&String>,
    opted_out: bool,
) -> Result<Vec<Event>, Rejection> {
    let message = state
        .message_by_provider(carrier, provider_id)
        .ok_or_else(|| Rejection::UnknownMessage(format!("{carrier} {provider_id}")))?;
    let (conversation, current) = current(state, message)?;
    if !current.advances_to(status) {
        return Ok(Vec::new());
    }
    let mut events = vec![Event::DeliveryUpdated {
        conversation,
        message_id: message,
        status,
        error_code: error_code.cloned(),
    }];
    // An opt-out the carrier reports late is recorded while the
    // conversation is still in memory (open, or with replies pending).
    if opted_out && status == Delivery::Failed {
        if let Some(c) = state.conversation(conversation) {
            events.extend(super::compliance::carrier_opt_out(state, c, message, error_code));
        }
    }
    Ok(events)
}
