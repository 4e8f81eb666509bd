//! `POST /desk/action`: the signed-in agent's action (`actions::Action`,
//! JSON) run as an engine command. Only from our own pages (no other
//! site's, and with the page's own header, which a plain form cannot
//! send); answers `{"ok": true}` or `{"error": …}` in the Matrix desk's
//! words.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::actions::Action;
use super::Desk;
use crate::sessions::cookie;

/// The header the page's script sends with every action.
pub const HEADER: &str = "x-smsdesk-desk";

fn json_error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(serde_json::json!({ "error": message.into() }))).into_response()
}

pub async fn action(State(d): State<Arc<Desk>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(off) = d.off() {
        return off;
    }
    if let Some(why) = cookie::cross_site(&headers, &d.app.config.public_url) {
        return json_error(StatusCode::FORBIDDEN, why);
    }
    if headers.get(HEADER).is_none() {
        return json_error(
            StatusCode::FORBIDDEN,
            format!("actions come from the desk page (header {HEADER})"),
        );
    }
    let Some((agent, _)) = d.agent(&headers) else {
        return json_error(StatusCode::UNAUTHORIZED, "your sign-in has ended; sign in again");
    };
    let action: Action = match serde_json::from_slice(&body) {
        Ok(a) => a,
        Err(e) => return json_error(StatusCode::BAD_REQUEST, format!("not an action: {e}")),
    };
    let command = match action.command(agent) {
        Ok(c) => c,
        Err(why) => return json_error(StatusCode::BAD_REQUEST, why.to_string()),
    };
    match d.app.execute(command).await {
        Ok(Ok(done)) if done.records.is_empty() => {
            Json(serde_json::json!({ "ok": true, "changed": false })).into_response()
        }
        Ok(Ok(_)) => Json(serde_json::json!({ "ok": true, "changed": true })).into_response(),
        Ok(Err(rejection)) => json_error(StatusCode::CONFLICT, rejection.to_string()),
        Err(gone) => json_error(StatusCode::SERVICE_UNAVAILABLE, gone.to_string()),
    }
}
