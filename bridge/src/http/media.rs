//! `GET /media/{token}`: an agent's attachment, for the carrier to fetch
//! when it sends the MMS. The token is the only key; a wrong or expired
//! one is 404 with nothing else said, so the answer tells a guesser
//! nothing. The file is read off the runtime threads.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::media::outgoing::MediaStore;
use crate::metrics::Metrics;

/// What `/media/{token}` needs: served by any instance on a shared store.
#[derive(Debug)]
pub struct Served {
    pub media: MediaStore,
    pub metrics: Arc<Metrics>,
}

/// `GET /media/{token}`.
pub fn routes(served: Served) -> axum::Router {
    axum::Router::new()
        .route("/media/{token}", axum::routing::get(media))
        .with_state(Arc::new(served))
}

async fn media(State(state): State<Arc<Served>>, Path(token): Path<String>) -> Response {
    let store = state.media.clone();
    let now = smsdesk_engine::clock::now().0;
    let found = tokio::task::spawn_blocking(move || store.get(&token, now)).await;
    match found {
        Ok(Ok(Some((meta, bytes)))) => {
            state.metrics.media("served");
            // Pictures inline, anything else as a download; never sniffed,
            // never run as a page of this origin (the wallboard's).
            let kind = if meta.content_type.starts_with("image/") {
                "inline"
            } else {
                "attachment"
            };
            let safe: String = meta
                .name
                .chars()
                .map(|c| {
                    if c == '"' || c == '\\' || !c.is_ascii() || c.is_control() {
                        '_'
                    } else {
                        c
                    }
                })
                .collect();
            let disposition = format!("{kind}; filename=\"{safe}\"");
            let mut response = bytes.into_response();
            let headers = response.headers_mut();
            if let Ok(v) = HeaderValue::from_str(&meta.content_type) {
                headers.insert(header::CONTENT_TYPE, v);
            }
            if let Ok(v) = HeaderValue::from_str(&disposition) {
                headers.insert(header::CONTENT_DISPOSITION, v);
            }
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
            headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
            headers.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("sandbox; default-src 'none'"),
            );
            response
        }
        Ok(Ok(None)) => {
            state.metrics.media("not_found");
            (StatusCode::NOT_FOUND, "no such attachment, or it has expired\n").into_response()
        }
        Ok(Err(error)) => {
            tracing::error!(%error, "cannot read an attachment");
            (StatusCode::INTERNAL_SERVER_ERROR, "cannot read the attachment\n").into_response()
        }
        Err(error) => {
            tracing::error!(%error, "reading an attachment failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "cannot read the attachment\n").into_response()
        }
    }
}
