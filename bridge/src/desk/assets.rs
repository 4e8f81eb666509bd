//! The desk page's script and style, in the binary (`include_str!` of
//! `assets/`): no CDN, nothing fetched at run time, and no inline script
//! for the Content-Security-Policy to allow. Plain JavaScript; the one
//! library is the Matrix Widget API (`assets/vendor/`, vendored by
//! `scripts/vendor-widget-api.sh`, pinned by version and checksum, with
//! its licence), for the desk shown as a widget in the agent's client.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

use super::Desk;

const DESK_JS: &str = include_str!("assets/desk.js");
const SIGNIN_JS: &str = crate::sessions::SIGNIN_JS;
const DESK_CSS: &str = include_str!("assets/desk.css");
const WIDGET_JS: &str = include_str!("assets/widget.js");
/// npm `matrix-widget-api` 1.19.0, `dist/api.js` (Apache-2.0).
const WIDGET_API_JS: &str = include_str!("assets/vendor/matrix-widget-api.js");

fn asset(d: &Desk, body: &'static str, kind: &'static str) -> Response {
    let mut r = body.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    d.harden(r.headers_mut());
    r
}

pub async fn desk_js(State(d): State<Arc<Desk>>) -> Response {
    asset(&d, DESK_JS, "text/javascript; charset=utf-8")
}

pub async fn signin_js(State(d): State<Arc<Desk>>) -> Response {
    asset(&d, SIGNIN_JS, "text/javascript; charset=utf-8")
}

pub async fn widget_js(State(d): State<Arc<Desk>>) -> Response {
    asset(&d, WIDGET_JS, "text/javascript; charset=utf-8")
}

pub async fn widget_api_js(State(d): State<Arc<Desk>>) -> Response {
    asset(&d, WIDGET_API_JS, "text/javascript; charset=utf-8")
}

pub async fn desk_css(State(d): State<Arc<Desk>>) -> Response {
    asset(&d, DESK_CSS, "text/css; charset=utf-8")
}
