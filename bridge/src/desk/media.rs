//! Pictures and files (MMS) on the desk page, both ways.
//!
//! - `GET /desk/media?conversation=N&seq=S&k=K`: the `K`th attachment of
//!   the customer's message `S` of conversation `N`, fetched from the
//!   carrier as the Matrix desk fetches it (`media::fetch`: the carrier's
//!   `allowed_hosts`, its credentials, the type and size policy) and
//!   served from our own origin (the page's `img-src 'self'`). Only for the
//!   signed-in agent's own conversations (held, offered or invited); any
//!   other answers 404 alike.
//! - `POST /desk/attach?conversation=N&name=…&caption=…`: the agent's
//!   picture or file as the request's body (its `Content-Type`), checked by
//!   the same policy before it is kept, then sent as the agent's reply (an
//!   MMS with the caption as its text) through the engine like any reply.
//!   Only from our page (same origin and its header), like every action.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use smsdesk_core::{Command, ConversationId, Event};
use smsdesk_engine::store::layout;

use super::act::{admit, json_error};
use super::view::held;
use super::Desk;
use crate::media::{fetch, policy};
use crate::tr;

#[derive(Debug, Deserialize)]
pub struct Wanted {
    conversation: u64,
    seq: u64,
    k: usize,
}

fn not_found() -> Response {
    StatusCode::NOT_FOUND.into_response()
}

pub async fn media(State(d): State<Arc<Desk>>, headers: HeaderMap, Query(w): Query<Wanted>) -> Response {
    let Some((agent, _)) = d.agent(&headers) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let id = ConversationId(w.conversation);
    let record = d
        .app
        .read(move |e| {
            if !held(e.state(), &agent).iter().any(|c| c.id == id) {
                return None;
            }
            layout::history(e.store(), id)
                .ok()?
                .into_iter()
                .find(|r| r.seq == w.seq)
        })
        .await;
    let Ok(Some(record)) = record else {
        return not_found();
    };
    let Event::MessageReceived { conversation, sms, .. } = &record.event else {
        return not_found();
    };
    let (Some(url), true) = (sms.media.get(w.k), *conversation == id) else {
        return not_found();
    };
    let Some(carrier) = d.app.config.carriers.iter().find(|c| c.name == sms.carrier) else {
        return not_found();
    };
    match fetch::fetch(&d.http, carrier, url, w.k + 1).await {
        Ok(f) => {
            let mut r = f.bytes.into_response();
            let h = r.headers_mut();
            if let Ok(v) = HeaderValue::from_str(&f.content_type) {
                h.insert(header::CONTENT_TYPE, v);
            }
            // Pictures show in the page; anything else is a download.
            let disposition = if f.kind == policy::Kind::Image {
                "inline"
            } else {
                "attachment"
            };
            if let Ok(v) = HeaderValue::from_str(&format!("{disposition}; filename=\"{}\"", f.name)) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            d.harden(h);
            r
        }
        Err(why) => {
            tracing::info!(conversation = %id, %why, "a customer's attachment cannot be shown on the desk page");
            StatusCode::BAD_GATEWAY.into_response()
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct Attach {
    conversation: u64,
    #[serde(default)]
    name: String,
    #[serde(default)]
    caption: String,
}

pub async fn attach(State(d): State<Arc<Desk>>, headers: HeaderMap, Query(a): Query<Attach>, body: Bytes) -> Response {
    let (agent, lang) = match admit(&d, &headers) {
        Ok(a) => a,
        Err(refusal) => return *refusal,
    };
    let declared = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .filter(|t| !t.is_empty() && *t != "application/octet-stream")
        .or_else(|| policy::type_of_name(&a.name))
        .unwrap_or_default();
    let refused = |why: policy::MediaRefused| {
        let text = crate::matrix::texts::notices::attachment_refused(&lang, &why.text(&lang));
        json_error(StatusCode::BAD_REQUEST, text)
    };
    let (content_type, _, ext) = match policy::check_type(declared) {
        Ok(t) => t,
        Err(why) => return refused(why),
    };
    if let Err(why) = policy::check_size(body.len() as u64) {
        return refused(why);
    }
    let name = if a.name.trim().is_empty() {
        format!("attachment.{ext}")
    } else {
        a.name.clone()
    };
    let store = d.app.media.clone();
    let expires = smsdesk_engine::clock::now().plus(d.app.config.media_lifetime).0;
    let kept = tokio::task::spawn_blocking(move || store.put(&body, &content_type, &name, expires)).await;
    let token = match kept {
        Ok(Ok(token)) => token,
        Ok(Err(error)) => {
            let why = tr!(lang, "media-not-kept", error = error.to_string());
            return json_error(StatusCode::INTERNAL_SERVER_ERROR, why);
        }
        Err(error) => {
            let why = tr!(lang, "media-not-kept", error = error.to_string());
            return json_error(StatusCode::INTERNAL_SERVER_ERROR, why);
        }
    };
    // A desk reference (as the page's replies carry), so the Matrix room shows it.
    let nonce: u64 = rand::random();
    let reference = format!("desk:{agent}:attach-{nonce:016x}");
    let reply = Command::Reply {
        agent,
        conversation: ConversationId(a.conversation),
        body: a.caption,
        reference: Some(reference),
        media: vec![token],
        canned: None,
    };
    match d.app.execute(reply).await {
        Ok(Ok(_)) => Json(serde_json::json!({ "ok": true })).into_response(),
        Ok(Err(rejection)) => json_error(
            StatusCode::CONFLICT,
            crate::matrix::texts::refusals::reason(&lang, &rejection),
        ),
        Err(gone) => json_error(StatusCode::SERVICE_UNAVAILABLE, gone.to_string()),
    }
}
