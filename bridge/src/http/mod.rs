//! The HTTP side of `smsdesk run` (axum): carrier webhooks in, health and
//! metrics out. Handlers reach the engine only through `AppState`
//! (`execute`, `read`); nothing here sends SMS or talks to Matrix.
//!
//! - `webhooks`: `POST /webhooks/{carrier}/inbound|status`: verify and parse
//!   with the carrier's plugin, check what the plugin parsed
//!   (`inbound_check`), commit durably, only then answer.
//! - `health`: `/healthz`, `/readyz`, `/metrics`.
//! - `media`: `GET /media/{token}`: agents' attachments for the carrier.
//! - `/supervisor…`: the wallboard (`crate::wallboard`).
//! - `appservice`: `/_matrix/app/v1/…`, what the homeserver pushes in
//!   appservice mode.

pub mod appservice;
mod health;
pub mod inbound_check;
mod media;
pub mod sink;
pub mod webhooks;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{any, get, post, put};

use crate::app::AppState;

pub fn router(state: Arc<AppState>) -> axum::Router {
    let max_body = state.config.max_body;
    without_webhooks(state.clone()).merge(webhook_routes(state, max_body))
}

/// `POST /webhooks/{carrier}/{kind}` into `sink` (the engine, or the shared inbox).
pub fn webhook_routes<S: sink::WebhookSink>(sink: Arc<S>, max_body: usize) -> axum::Router {
    axum::Router::new()
        .route("/webhooks/{carrier}/{kind}", post(webhooks::webhook::<S>))
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(sink)
}

/// Every route but the webhooks (a leader on a shared store takes those
/// through the shared inbox, as every instance does).
pub fn without_webhooks(state: Arc<AppState>) -> axum::Router {
    let max_body = state.config.max_body;
    axum::Router::new()
        .route("/media/{token}", get(media::media))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .merge(crate::wallboard::router())
        .route(
            "/_matrix/app/v1/transactions/{txn_id}",
            put(appservice::transaction).layer(DefaultBodyLimit::max(appservice::MAX_TRANSACTION)),
        )
        .route("/_matrix/app/v1/ping", post(appservice::ping))
        .route("/_matrix/app/{*rest}", any(appservice::unrecognized))
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(state)
}
