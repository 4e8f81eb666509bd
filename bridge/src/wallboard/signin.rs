//! Signing in and out of the wallboard:
//!
//! - `POST /supervisor/openid` with `{"access_token", "matrix_server_name"}`
//!   (JSON; the page's script sends it, scripts may too): a Matrix OpenID
//!   token of our homeserver's server name, checked with the homeserver
//!   (`crate::openid`), good for one sign-in. The user it names must be a
//!   `[[supervisors]]` entry; the session sees their queues. Answers JSON.
//! - `POST /supervisor/login` (form, `token=`): the operator's key typed
//!   into the page; the session sees every queue.
//! - `POST /supervisor/logout`: ends the session here and clears the cookie.
//!
//! Every attempt passes the failure limiter first; a refused credential
//! keeps its token spent, a right one (or a homeserver that could not
//! answer) gives it back. Cross-site POSTs are refused (`auth::cross_site`).
//! Neither tokens nor session ids are logged.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use serde::Deserialize;

use super::auth::{self, Scope, Viewer, Who};
use super::Wallboard;
use super::LIFETIME;
use crate::http::failure_limit::Source;
use crate::sessions::signin::Refusal;
use crate::sessions::SessionId;
use crate::tr;

fn json_error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(serde_json::json!({ "error": message.into() }))).into_response()
}

impl Wallboard {
    /// `r` with the new session's cookie.
    fn with_cookie(&self, mut r: Response, id: &SessionId) -> Response {
        let cookie = auth::set_cookie(id, LIFETIME.as_secs(), self.secure());
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            r.headers_mut().insert(header::SET_COOKIE, v);
        }
        r
    }
}

pub async fn openid(State(wb): State<Arc<Wallboard>>, source: Source, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(off) = wb.off() {
        return off;
    }
    let Some(matrix) = &wb.openid else {
        let lang = wb.page_lang(None, None, &headers);
        return json_error(StatusCode::NOT_FOUND, lang.t("signin-matrix-off"));
    };
    let public = wb.app.config.public_url.clone();
    let user = match matrix
        .user((&wb.limit, source), &headers, &body, (&public, "wallboard"))
        .await
    {
        Ok(user) => user,
        Err(Refusal::Status(status, why)) => return json_error(status, why),
        Err(Refusal::Limited(limited)) => return wb.too_many(limited, &headers, true),
    };
    let Some(entry) = wb.app.config.supervisors.iter().find(|s| s.user == user) else {
        tracing::warn!(%user, %source, "a sign-in to the wallboard by someone not a supervisor was refused");
        let lang = wb.page_lang(None, None, &headers);
        return json_error(
            StatusCode::FORBIDDEN,
            tr!(lang, "signin-not-supervisor", user = user.to_string()),
        );
    };
    wb.limit.passed(source);
    let scope = Scope::of(&entry.queues);
    let queues: Vec<String> = wb
        .app
        .config
        .queues
        .iter()
        .map(|q| &q.setup.name)
        .filter(|q| scope.allows(q))
        .map(ToString::to_string)
        .collect();
    tracing::info!(%user, %source, queues = %scope.label(), "a supervisor signed in to the wallboard");
    let id = wb.sessions.start(
        Viewer {
            who: Who::Supervisor(user.clone()),
            scope,
            session: None,
        },
        Instant::now(),
    );
    let answer = Json(serde_json::json!({
        "matrix_id": user.to_string(),
        "queues": queues,
        "expires_in": LIFETIME.as_secs(),
    }));
    wb.with_cookie(answer.into_response(), &id)
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    token: String,
}

pub async fn login(
    State(wb): State<Arc<Wallboard>>,
    source: Source,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    if let Some(off) = wb.off() {
        return off;
    }
    let Some(token) = wb.token() else {
        return wb.sign_in_page(StatusCode::NOT_FOUND, &headers, Some("signin-use-matrix"));
    };
    if let Some(why) = auth::cross_site(&headers, &wb.app.config.public_url) {
        let lang = wb.page_lang(None, None, &headers);
        return wb.sign_in_page_in(StatusCode::FORBIDDEN, &lang, Some(&why));
    }
    if let Err(limited) = wb.limit.before_check(source) {
        return wb.too_many(limited, &headers, false);
    }
    if !auth::token_matches(&form.token, token) {
        tracing::warn!(%source, "a wrong supervisor.token was typed into the wallboard's form");
        return wb.sign_in_page(StatusCode::UNAUTHORIZED, &headers, Some("signin-wrong-token"));
    }
    wb.limit.passed(source);
    tracing::info!(%source, "the operator signed in to the wallboard with supervisor.token");
    let id = wb.sessions.start(Viewer::operator(), Instant::now());
    wb.with_cookie(Redirect::to("/supervisor").into_response(), &id)
}

pub async fn logout(State(wb): State<Arc<Wallboard>>, headers: HeaderMap) -> Response {
    if let Some(off) = wb.off() {
        return off;
    }
    if let Some(why) = auth::cross_site(&headers, &wb.app.config.public_url) {
        return (StatusCode::FORBIDDEN, format!("{why}\n")).into_response();
    }
    if let Some(id) = auth::cookie(&headers).and_then(|c| SessionId::parse(&c)) {
        if let Some(viewer) = wb.sessions.get(&id, Instant::now()) {
            tracing::info!(who = %viewer.who, "signed out of the wallboard");
        }
        wb.sessions.end(&id);
    }
    let mut r = Redirect::to("/supervisor").into_response();
    wb.clear_cookie(&mut r);
    r
}
