//! The HTTP side of `smsdesk run` (axum): carrier webhooks in, health and
//! metrics out. Handlers reach the engine only through `AppState`
//! (`execute`, `read`); nothing here sends SMS or talks to Matrix.
//!
//! - `webhooks`: `POST /webhooks/{carrier}/inbound|status`: verify and parse
//!   with the carrier's plugin, check what the plugin parsed
//!   (`inbound_check`), map to commands (`webhook_commands`), commit
//!   durably, only then answer.
//! - `health`: `/healthz`, `/readyz`, `/metrics`.
//! - `media`: `GET /media/{token}`: agents' attachments for the carrier.
//! - `/supervisor…`: the wallboard (`crate::wallboard`).
//! - `failure_limit`: how many wrong credentials are checked, per source
//!   address and overall (the wallboard's sign-ins and bearer tokens).
//! - `appservice`: `/_matrix/app/v1/…`, what the homeserver pushes in
//!   appservice mode.

pub mod appservice;
pub mod failure_limit;
mod health;
pub mod inbound_check;
pub mod media;
pub mod sink;
pub mod webhook_commands;
pub mod webhooks;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::app::AppState;

/// Every route of a single instance.
pub fn router(state: Arc<AppState>) -> axum::Router {
    engine_routes(state.clone()).merge(outside_routes(
        state.clone(),
        state.appservice.clone(),
        state.media.clone(),
        state.metrics.clone(),
    ))
}

/// What the outside world sends, which any instance takes on a shared
/// store: webhooks into `sink`, appservice transactions, attachment fetches.
pub fn outside_routes<S: sink::WebhookSink>(
    sink: Arc<S>,
    pushed: Option<Arc<crate::appservice::Appservice>>,
    kept: crate::media::outgoing::MediaStore,
    metrics: Arc<crate::metrics::Metrics>,
) -> axum::Router {
    let max_body = sink.parts().config.max_body;
    webhook_routes(sink, max_body)
        .merge(appservice::routes(appservice::Pushed {
            appservice: pushed,
            metrics: metrics.clone(),
        }))
        .merge(media::routes(media::Served { media: kept, metrics }))
}

/// `POST /webhooks/{carrier}/{kind}` into `sink` (the engine, or the shared inbox).
fn webhook_routes<S: sink::WebhookSink>(sink: Arc<S>, max_body: usize) -> axum::Router {
    axum::Router::new()
        .route("/webhooks/{carrier}/{kind}", post(webhooks::webhook::<S>))
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(sink)
}

/// The routes only an engine serves: health, metrics, the wallboard.
/// (What the outside world sends is `outside_routes`, which any instance
/// serves on a shared store: see `shared_inbox::Gateway::routes`.)
pub fn engine_routes(state: Arc<AppState>) -> axum::Router {
    let max_body = state.config.max_body;
    axum::Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .merge(crate::wallboard::router(state.clone()))
        .merge(crate::desk::router(state.clone()))
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(state)
}
