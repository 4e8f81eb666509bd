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
use smsdesk_core::AgentId;

use crate::i18n::Lang;
use crate::matrix::texts::refusals::reason;
use crate::sessions::cookie;
use crate::sessions::lang::page_lang;
use crate::tr;

/// The header the page's script sends with every action.
pub const HEADER: &str = "x-smsdesk-desk";

pub(super) fn json_error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(serde_json::json!({ "error": message.into() }))).into_response()
}

/// Who may change something from the page (an action, an attachment), and
/// their language; or the refusal: a request of another site, one without
/// the page's header, one without a live session.
pub(super) fn admit(d: &Desk, headers: &HeaderMap) -> Result<(AgentId, Lang), Box<Response>> {
    if let Some(off) = d.off() {
        return Err(Box::new(off));
    }
    let user = d.agent(headers).map(|(agent, _)| agent);
    let lang = page_lang(
        &d.app.config,
        &d.app.languages,
        user.as_ref().map(AgentId::as_str),
        None,
        headers,
    );
    if let Some(why) = cookie::cross_site(headers, &d.app.config.public_url) {
        return Err(Box::new(json_error(StatusCode::FORBIDDEN, why)));
    }
    if headers.get(HEADER).is_none() {
        return Err(Box::new(json_error(
            StatusCode::FORBIDDEN,
            tr!(lang, "deskpage-not-from-page", header = HEADER),
        )));
    }
    match user {
        Some(agent) => Ok((agent, lang)),
        None => Err(Box::new(json_error(
            StatusCode::UNAUTHORIZED,
            lang.t("deskpage-signed-out"),
        ))),
    }
}

pub async fn action(State(d): State<Arc<Desk>>, headers: HeaderMap, body: Bytes) -> Response {
    let (agent, lang) = match admit(&d, &headers) {
        Ok(a) => a,
        Err(refusal) => return *refusal,
    };
    let action: Action = match serde_json::from_slice(&body) {
        Ok(a) => a,
        Err(e) => {
            return json_error(
                StatusCode::BAD_REQUEST,
                tr!(lang, "deskpage-not-an-action", error = e.to_string()),
            )
        }
    };
    let command = match action.command(agent) {
        Ok(c) => c,
        Err(why) => return json_error(StatusCode::BAD_REQUEST, why.text(&lang)),
    };
    match d.app.execute(command).await {
        Ok(Ok(done)) if done.records.is_empty() => {
            Json(serde_json::json!({ "ok": true, "changed": false })).into_response()
        }
        Ok(Ok(_)) => Json(serde_json::json!({ "ok": true, "changed": true })).into_response(),
        Ok(Err(rejection)) => json_error(StatusCode::CONFLICT, reason(&lang, &rejection)),
        Err(gone) => json_error(StatusCode::SERVICE_UNAVAILABLE, gone.to_string()),
    }
}
