//! The desk page's script and style, in the binary (`include_str!` of
//! `assets/`): no CDN, nothing fetched at run time, and no inline script
//! for the Content-Security-Policy to allow. Plain JavaScript, no library.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

use super::Desk;

const DESK_JS: &str = include_str!("assets/desk.js");
const SIGNIN_JS: &str = crate::sessions::SIGNIN_JS;
const DESK_CSS: &str = include_str!("assets/desk.css");

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

pub async fn desk_css(State(d): State<Arc<Desk>>) -> Response {
    asset(&d, DESK_CSS, "text/css; charset=utf-8")
}
