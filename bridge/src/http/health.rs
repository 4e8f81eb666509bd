//! `/healthz` (the process answers and its engine makes progress), `/readyz` (store healthy, engine
//! running, plugins loaded — carriers by name, router plugins by queue —,
//! homeserver reachable) and `/metrics`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;

use crate::app::AppState;

/// How long the engine thread may be busy with one piece of work before
/// `/healthz` says the process is not healthy: a batch takes milliseconds,
/// and a plugin call is cut at its budget, so this is only reached by a
/// stuck engine (a restart is the cure).
pub const STUCK_AFTER: std::time::Duration = std::time::Duration::from_secs(30);

/// 200 while the engine thread makes progress; 503 once it has been busy
/// with one piece of work for `STUCK_AFTER` (fed by the committer itself,
/// so a stuck engine cannot look healthy).
pub async fn healthz(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    match state.committer.liveness().busy_for() {
        Some(busy) if busy >= STUCK_AFTER => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "stuck: the engine has been busy with one piece of work for {} s\n",
                busy.as_secs()
            ),
        ),
        _ => (StatusCode::OK, "ok\n".to_owned()),
    }
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
        // Each Matrix device's encryption: device id, crypto store, identity.
        "matrix_crypto": state.crypto(),
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
    let now = smsdesk_engine::clock::now();
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
