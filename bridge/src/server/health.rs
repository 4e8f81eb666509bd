//! `/healthz` (the process answers), `/readyz` (store open, engine running,
//! plugins loaded) and `/metrics`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;

use super::AppState;

pub async fn healthz() -> &'static str {
    "ok\n"
}

pub async fn readyz(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    let s = state.clone();
    let engine = tokio::task::spawn_blocking(move || s.committer.query(|e| e.state().counters.next_seq))
        .await
        .ok()
        .flatten();
    let homeserver = state.homeserver_ok.load(std::sync::atomic::Ordering::Relaxed);
    let ready = engine.is_some() && (homeserver || state.config.matrix.is_none());
    let body = serde_json::json!({
        "ready": ready,
        "store": if engine.is_some() { "open" } else { "engine stopped" },
        "plugins": state.carriers.keys().collect::<Vec<_>>(),
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

pub async fn metrics(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    let s = state.clone();
    let depth = tokio::task::spawn_blocking(move || {
        s.committer.query(|e| {
            smsdesk_core::store::layout::pending_sms(e.store(), 1_000_000)
                .map(|v| v.len())
                .unwrap_or(0)
        })
    })
    .await
    .ok()
    .flatten()
    .unwrap_or(0);
    state.metrics.outbox_depth.set(i64::try_from(depth).unwrap_or(i64::MAX));
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(state.plugin_host.metrics()),
    )
}
