//! Signing in to the desk and out of it:
//!
//! - `POST /desk/openid` with `{"access_token", "matrix_server_name"}`: a
//!   Matrix OpenID token our homeserver vouches for
//!   (`sessions::signin`). Only a roster agent comes in; the session is
//!   theirs. Answers JSON.
//! - `POST /desk/logout`: ends the session here and clears the cookie.

use std::sync::Arc;
use std::time::Instant;

use crate::sessions::lang::page_lang;
use crate::tr;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use smsdesk_core::AgentId;

use super::{Desk, COOKIE};
use crate::http::failure_limit::Source;
use crate::sessions::signin::Refusal;
use crate::sessions::{cookie, SessionId};

fn json_error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(serde_json::json!({ "error": message.into() }))).into_response()
}

/// `?widget=1`: the sign-in of the desk shown as a widget in the agent's client.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Mode {
    widget: Option<String>,
}

pub async fn openid(
    State(desk): State<Arc<Desk>>,
    Query(mode): Query<Mode>,
    source: Source,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(off) = desk.off() {
        return off;
    }
    let lang = page_lang(&desk.app.config, &desk.app.languages, None, None, &headers);
    let Some(signin) = &desk.signin else {
        return json_error(StatusCode::NOT_FOUND, lang.t("deskpage-matrix-off"));
    };
    let public = desk.app.config.public_url.clone();
    let user = match signin
        .user((&desk.limit, source), &headers, &body, (&public, "desk"))
        .await
    {
        Ok(user) => user,
        Err(Refusal::Status(status, why)) => return json_error(status, why),
        Err(Refusal::Limited(limited)) => {
            let secs = limited.retry_after_s();
            let mut r = json_error(StatusCode::TOO_MANY_REQUESTS, tr!(lang, "signin-too-many", secs = secs));
            r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
            return r;
        }
    };
    let agent = AgentId::new(user.to_string());
    let Some(entry) = desk.app.config.agent(&agent) else {
        tracing::warn!(%user, %source, "a sign-in to the desk by someone not on the roster was refused");
        return json_error(
            StatusCode::FORBIDDEN,
            tr!(lang, "deskpage-not-on-roster", user = user.to_string()),
        );
    };
    desk.limit.passed(source);
    tracing::info!(%user, %source, "an agent signed in to the desk");
    let name = entry.name().to_owned();
    let id = desk.sessions.start(agent, Instant::now());
    let mut r = Json(serde_json::json!({
        "matrix_id": user.to_string(),
        "name": name,
        "expires_in": desk.sessions.lifetime().as_secs(),
    }))
    .into_response();
    desk.set_cookie(&mut r, &id, mode.widget.is_some());
    r
}

pub async fn logout(State(desk): State<Arc<Desk>>, headers: HeaderMap) -> Response {
    if let Some(off) = desk.off() {
        return off;
    }
    if let Some(why) = cookie::cross_site(&headers, &desk.app.config.public_url) {
        return json_error(StatusCode::FORBIDDEN, why);
    }
    if let Some(id) = cookie::read(&headers, COOKIE).and_then(|c| SessionId::parse(&c)) {
        if let Some(agent) = desk.sessions.get(&id, Instant::now()) {
            tracing::info!(%agent, "an agent signed out of the desk");
        }
        desk.sessions.end(&id);
    }
    let mut r = Json(serde_json::json!({ "ok": true })).into_response();
    desk.clear_cookie(&mut r);
    r
}
