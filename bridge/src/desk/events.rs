//! `GET /desk/events`: the signed-in agent's desk (`view::DeskView`) as
//! server-sent events: one `desk` event at once, then whenever it changes
//! (checked after every commit and every second, sent only if different,
//! at most every `MIN_GAP`: a burst of commits is one update). The stream ends within a second of
//! its session ending, with a `signed-out` event.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use smsdesk_core::AgentId;
use smsdesk_engine::store::layout;

use super::view::{desk, held, DeskView};
use super::Desk;
use crate::app::AppState;

/// Updates are at most this frequent (a burst of commits is one update).
/// Short: an agent's desk changes seldom, and an offer that follows a
/// withdrawal must not wait (at 150 ms, back-to-back offers arrived on
/// the page 45 ms later than in Matrix; measured by the desk benchmark).
const MIN_GAP: Duration = Duration::from_millis(50);
/// Checked at least this often (a session that ended, timers).
const TICK: Duration = Duration::from_secs(1);

/// `agent`'s desk now, read on the engine thread.
pub async fn read_desk(app: &AppState, agent: &AgentId) -> Option<DeskView> {
    app.config.agent(agent)?;
    let roster: BTreeMap<AgentId, String> = app
        .config
        .roster
        .iter()
        .map(|a| (a.id().clone(), a.name().to_owned()))
        .collect();
    let mask = app.config.supervisor.mask_customer_numbers;
    let lang = crate::sessions::lang::lang_of(&app.config, &app.languages, agent.as_str());
    let agent = agent.clone();
    app.read(move |e| {
        let state = e.state();
        let mut histories = BTreeMap::new();
        for c in held(state, &agent) {
            if let Ok(records) = layout::history(e.store(), c.id) {
                histories.insert(c.id.0, records);
            }
        }
        let shown = |n: &str| if mask { crate::mask::mask(n) } else { n.to_owned() };
        let names = |id: &AgentId| roster.get(id).cloned().unwrap_or_else(|| id.to_string());
        desk(&lang, state, &agent, &names, &histories, &shown)
    })
    .await
    .ok()
}

pub async fn events(State(d): State<Arc<Desk>>, headers: HeaderMap) -> Response {
    if let Some(off) = d.off() {
        return off;
    }
    let Some((agent, session)) = d.agent(&headers) else {
        let lang = crate::sessions::lang::page_lang(&d.app.config, &d.app.languages, None, None, &headers);
        return (
            StatusCode::UNAUTHORIZED,
            format!("{}\n", lang.t("deskpage-sign-in-first")),
        )
            .into_response();
    };
    let mut changes = d.app.changes.subscribe();
    let desk = d.clone();
    let stream = async_stream::stream! {
        let d = desk;
        let mut last: Option<DeskView> = None;
        loop {
            if !d.sessions.is_live(&session, std::time::Instant::now()) {
                yield Ok::<_, Infallible>(Event::default().event("signed-out").data("signed-out"));
                break;
            }
            let Some(view) = read_desk(&d.app, &agent).await else { break };
            if last.as_ref() != Some(&view) {
                if let Ok(json) = serde_json::to_string(&view) {
                    yield Ok(Event::default().event("desk").data(json));
                }
                last = Some(view);
                // Only after an update: a commit that changed nothing here
                // (another agent's, the bot's own) must not delay the next.
                tokio::time::sleep(MIN_GAP).await;
            }
            tokio::select! {
                _ = changes.changed() => {}
                _ = tokio::time::sleep(TICK) => {}
            }
        }
    };
    let mut r = Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response();
    d.harden(r.headers_mut());
    r
}
