//! What became of a reply: sent, failed, the carrier's delivery status.

use crate::event::Event;
use crate::model::Delivery;
use crate::state::State;

/// Folds one of this group's events into the state; others are not its own.
pub(super) fn apply(state: &mut State, event: &Event) {
    match event {
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
        _ => {}
    }
}
