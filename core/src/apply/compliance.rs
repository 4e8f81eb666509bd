//! Opt-outs: STOP and START.

use crate::event::Event;
use crate::ids::Timestamp;
use crate::model::OptOut;
use crate::state::State;

/// Folds one of this group's events into the state; others are not its own.
pub(super) fn apply(state: &mut State, at: Timestamp, event: &Event) {
    match event {
        Event::OptedOut {
            entry, customer, how, ..
        } => state.set_opt_out(entry, customer, Some(OptOut { at, how: how.clone() })),
        Event::OptedIn { entry, customer, .. } => state.set_opt_out(entry, customer, None),
        _ => {}
    }
}
