//! What runs on its own beside the HTTP listener while this instance runs
//! the engine: the plugin reloader, the SMS outbox, the intake bots, the
//! attachments' sweeper, the outcome metrics, retention and the Matrix
//! desk. Both starts use it: `serve` (one machine) at once, `cluster`
//! (PostgreSQL) each time this instance takes the lead. Every task belongs
//! to the caller's `JoinSet` and stops with it.

use std::sync::Arc;

use tokio::task::JoinSet;

use crate::app::AppState;

/// Starts everything that runs on its own beside the HTTP listener; the
/// reloader answers `hangups` (`reload::hangups`, made before listening).
pub fn spawn(state: &Arc<AppState>, tasks: &mut JoinSet<()>, hangups: crate::reload::Hangups) {
    tasks.spawn(crate::reload::run(state.clone(), hangups));
    tasks.spawn(crate::outbox::run(state.clone()));
    tasks.spawn(crate::intake::run(state.clone()));
    tasks.spawn(crate::media::outgoing::sweeper(state.media.clone()));
    tasks.spawn(crate::outcomes::run(state.clone()));
    tasks.spawn(crate::retention::run(state.clone()));
    if let Some(matrix) = state.config.matrix.clone() {
        tasks.spawn(crate::matrix::run(state.clone(), matrix));
    }
}
