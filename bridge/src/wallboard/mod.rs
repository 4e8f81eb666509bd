//! The supervisor wallboard (PRODUCT.md §10): `GET /supervisor`, a live
//! page of each queue's figures and the agents by state, for holders of
//! `supervisor.token` (`auth`). Without a token configured the routes
//! answer 404 (there is nothing to sign in to); without the right token,
//! 401 and the sign-in form, which shows no figures.
//!
//! - `GET /supervisor`: the page (`page`), filled in at once, then kept
//!   current by `GET /supervisor/events` (`events`, server-sent events).
//! - `POST /supervisor/login`: the form; the right token sets the cookie.
//! - `GET /supervisor/figures.json`: the same figures for scripts.
//! - `GET /supervisor/export?since=&until=&format=`: `smsdesk export`
//!   through the running server (the bearer token only, not the sign-in
//!   cookie), read page by page between engine batches.

mod auth;
mod events;
mod page;
pub mod view;

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json};
use serde::Deserialize;

use crate::app::AppState;

pub fn router() -> axum::Router<Arc<AppState>> {
    axum::Router::new()
        .route("/supervisor", get(wallboard))
        .route("/supervisor/login", post(login))
        .route("/supervisor/events", get(events))
        .route("/supervisor/figures.json", get(figures))
        .route("/supervisor/export", get(export))
}

/// The answer for a request without the right token; `None` when it has it.
fn refused(state: &AppState, headers: &HeaderMap) -> Option<Response> {
    let Some(token) = state.config.supervisor.token.as_deref() else {
        return Some(
            (
                StatusCode::NOT_FOUND,
                "no wallboard: set [supervisor] token in the config to turn it on\n",
            )
                .into_response(),
        );
    };
    if auth::authorized(headers, token, auth::now_s()) {
        None
    } else {
        Some((StatusCode::UNAUTHORIZED, Html(page::login(false).into_string())).into_response())
    }
}

async fn wallboard(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    if let Some(refusal) = refused(&state, &headers) {
        return refusal;
    }
    match events::read_board(&state).await {
        Some(board) => {
            let mut r = Html(page::wallboard(&board).into_string()).into_response();
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        None => (StatusCode::SERVICE_UNAVAILABLE, "the engine is not running\n").into_response(),
    }
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    #[serde(default)]
    token: String,
}

async fn login(State(state): State<Arc<AppState>>, Form(form): Form<LoginForm>) -> Response {
    let Some(token) = state.config.supervisor.token.as_deref() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if !auth::matches(&form.token, token) {
        tracing::warn!("a wrong wallboard token was given");
        // Slows down guessing; the form says it was wrong.
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        return (StatusCode::UNAUTHORIZED, Html(page::login(true).into_string())).into_response();
    }
    let secure = if state.config.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{}={}; Path=/supervisor; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        auth::COOKIE,
        auth::cookie_value(token, auth::now_s()),
        auth::COOKIE_LIFETIME_S
    );
    let mut r = Redirect::to("/supervisor").into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

async fn events(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    if let Some(refusal) = refused(&state, &headers) {
        return refusal;
    }
    events::stream(state).into_response()
}

#[derive(Debug, Deserialize)]
struct ExportQuery {
    since: String,
    until: Option<String>,
    format: Option<crate::export::Format>,
}

async fn export(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<ExportQuery>,
) -> Response {
    // Transcripts with real numbers: the token itself, never a browser's cookie.
    let Some(token) = state.config.supervisor.token.as_deref() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if !auth::bearer(&headers, token) {
        return (
            StatusCode::UNAUTHORIZED,
            "export needs Authorization: Bearer <supervisor.token>\n",
        )
            .into_response();
    }
    let parsed = crate::export::parse_time(&q.since).and_then(|since| {
        let until = q.until.as_deref().map(crate::export::parse_time).transpose()?;
        Ok((since, until))
    });
    let (since, until) = match parsed {
        Ok(p) => p,
        Err(why) => return (StatusCode::BAD_REQUEST, format!("{why}\n")).into_response(),
    };
    let format = q.format.unwrap_or(crate::export::Format::Jsonl);
    let (mut out, mut count, mut after) = (Vec::new(), 0usize, None);
    loop {
        let page = state
            .read(move |e| crate::export::page(e.store(), after, since, until))
            .await;
        let (records, next) = match page {
            Ok(Ok(p)) => p,
            Ok(Err(error)) => return (StatusCode::INTERNAL_SERVER_ERROR, format!("{error}\n")).into_response(),
            Err(gone) => return (StatusCode::SERVICE_UNAVAILABLE, format!("{gone}\n")).into_response(),
        };
        if let Err(why) = crate::export::write(&records, format, after.is_none() && count == 0, &mut out) {
            return (StatusCode::INTERNAL_SERVER_ERROR, format!("{why}\n")).into_response();
        }
        count += records.len();
        match next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    let content_type = match format {
        crate::export::Format::Jsonl => "application/jsonl",
        crate::export::Format::Csv => "text/csv; charset=utf-8",
    };
    let mut r = out.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&count.to_string()) {
        r.headers_mut().insert("x-smsdesk-count", v);
    }
    r
}

async fn figures(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    if let Some(refusal) = refused(&state, &headers) {
        return refusal;
    }
    match events::read_board(&state).await {
        Some(board) => Json(board).into_response(),
        None => (StatusCode::SERVICE_UNAVAILABLE, "the engine is not running\n").into_response(),
    }
}
