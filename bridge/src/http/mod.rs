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
pub mod media;
pub mod sink;
pub mod webhooks;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::app::AppState;

/// Every route of a single instance.
pub fn router(state: Arc<AppState>) -> axum::Router {
    let max_body = state.config.max_body;
    engine_routes(state.clone())
        .merge(webhook_routes(state.clone(), max_body))
        .merge(appservice::routes(appservice::Pushed {
            appservice: state.appservice.clone(),
            metrics: state.metrics.clone(),
        }))
        .merge(media::routes(media::Served {
            media: state.media.clone(),
            metrics: state.metrics.clone(),
        }))
}

/// `POST /webhooks/{carrier}/{kind}` into `sink` (the engine, or the shared inbox).
pub fn webhook_routes<S: sink::WebhookSink>(sink: Arc<S>, max_body: usize) -> axum::Router {
    axum::Router::new()
        .route("/webhooks/{carrier}/{kind}", post(webhooks::webhook::<S>))
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(sink)
}

/// The routes only an engine serves: health, metrics, the wallboard.
/// (Webhooks, appservice transactions and attachments are served by any
/// instance on a shared store: see `shared_inbox::Gateway::routes`.)
pub fn engine_routes(state: Arc<AppState>) -> axum::Router {
    let max_body = state.config.max_body;
    axum::Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .merge(crate::wallboard::router())
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(state)
}
