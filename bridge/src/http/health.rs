//! `/healthz` (the process answers), `/readyz` (store healthy, engine
//! running, plugins loaded — carriers by name, router plugins by queue —,
//! homeserver reachable) and `/metrics`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;

use crate::app::AppState;

pub async fn healthz() -> &'static str {
    "ok\n"
}

pub async fn readyz(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    // A storage failure stops the engine (it refuses work until restarted):
    // not ready, and say why.
    let store = match state.read(|e| e.stopped().map(str::to_owned)).await {
        Ok(None) => "open".to_owned(),
        Ok(Some(why)) => format!("failed: {why}"),
        Err(gone) => gone.to_string(),
    };
    let store_ok = store == "open";
    let homeserver = state.homeserver_ok();
    let ready = store_ok && (homeserver || state.config.matrix.is_none());
    let body = serde_json::json!({
        "ready": ready,
        "role": "leader",
        "store": store,
        "plugins": state.carriers.keys().collect::<Vec<_>>(),
        "routers": state.routers.iter().map(|(queue, _)| queue).collect::<Vec<_>>(),
        "homeserver": match (state.config.matrix.is_some(), homeserver) {
            (false, _) => "not configured",
            (true, true) => "reachable",
            (true, false) => "unreachable",
        },
    });
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body))
}

/// The outbox keeps its depth gauge current itself; queue and agent gauges
/// are read from the engine's figures here (memory only, no store read).
pub async fn metrics(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    let now = smsdesk_core::Timestamp::now();
    if let Ok(board) = state
        .read(move |e| crate::wallboard::view::board(e.state(), now, None))
        .await
    {
        for q in &board.queues {
            let longest = q.longest_wait_s.unwrap_or(0) as f64;
            state.metrics.queues.set_queue(&q.queue, q.waiting, longest);
        }
        for (s, n) in &board.agents {
            state.metrics.queues.set_agents(s, *n);
        }
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(state.plugin_host.metrics()),
    )
}
