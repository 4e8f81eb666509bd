//! `GET /supervisor/events`: the board as server-sent events (axum's SSE),
//! one `board` event at once and then whenever it changes: checked after
//! every commit (`AppState::changes`) and every second (waits grow while
//! nothing happens), at most every `MIN_GAP`, and sent only if different.
//! A comment every 15 s keeps proxies from closing a quiet stream.
//!
//! A stream shows the viewer's queues only, and ends within `TICK` of its
//! session ending (signed out, or expired): an open page does not outlive
//! its sign-in.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::response::sse::{Event, KeepAlive, Sse};
use futures_core::Stream;

use super::auth::Scope;
use super::view::{board, Board};
use super::Wallboard;
use crate::app::AppState;
use crate::sessions::SessionKey;

/// Updates are at most this frequent (a burst of commits is one update).
const MIN_GAP: Duration = Duration::from_millis(250);
/// Checked at least this often, for the waits that grow on their own.
const TICK: Duration = Duration::from_secs(1);

/// The board of `scope` now, read on the engine thread.
pub async fn read_board(app: &AppState, scope: Scope) -> Option<Board> {
    let now = smsdesk_engine::clock::now();
    app.read(move |e| board(e.state(), now, scope.filter())).await.ok()
}

/// The board of `scope`, for as long as `session` (if any) lasts.
pub fn stream(
    wb: Arc<Wallboard>,
    session: Option<SessionKey>,
    scope: Scope,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let mut changes = wb.app.changes.subscribe();
    let stream = async_stream::stream! {
        let mut last: Option<Board> = None;
        loop {
            if session.is_some_and(|key| !wb.sessions.is_live(&key, std::time::Instant::now())) {
                // Signed out: a last word, then the end (the page says so).
                // (The page words it from its catalog.)
                yield Ok(Event::default().event("signed-out").data("signed-out"));
                break;
            }
            if let Some(b) = read_board(&wb.app, scope.clone()).await {
                // `at` always differs: compare what is shown.
                let same = last.as_ref().is_some_and(|l| l.queues == b.queues && l.agents == b.agents);
                let due = last.as_ref().is_none_or(|l| b.at.saturating_sub(l.at) >= TICK.as_millis() as u64);
                if !same || due {
                    if let Ok(json) = serde_json::to_string(&b) {
                        yield Ok(Event::default().event("board").data(json));
                    }
                    last = Some(b);
                }
            } else {
                break; // the engine is gone: shutting down
            }
            tokio::time::sleep(MIN_GAP).await;
            tokio::select! {
                _ = changes.changed() => {}
                _ = tokio::time::sleep(TICK.saturating_sub(MIN_GAP)) => {}
            }
        }
    };
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
