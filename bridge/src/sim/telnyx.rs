//! The simulator's Telnyx: `POST /v2/messages` (`Authorization: Bearer`
//! with the API key, JSON body, 200 with `data.id`, then `message.sent` and
//! `message.finalized` events to the message's `webhook_url`), and a
//! customer's SMS as a `message.received` event. Every event is signed with
//! Ed25519 (the simulator's test key) over `"{timestamp}|{body}"`.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::send::{Api, Refusal, Request, Sent};
use super::{signing, Kind, Sim, Texted};

fn telnyx_error(status: StatusCode, code: &str, title: &str, detail: &str) -> Response {
    let body = json!({ "errors": [{ "code": code, "title": title, "detail": detail }] });
    (status, Json(body)).into_response()
}

/// A Telnyx-looking message id (UUID-shaped) from a counter.
fn message_id(n: u64) -> String {
    format!("40{:06x}-0000-4000-8000-{:012x}", n & 0xff_ffff, n)
}

/// Posts a signed Telnyx event to `url`; returns the status and body.
async fn post_event(sim: &Sim, url: &str, event_type: &str, payload: Value) -> Result<(u16, String), reqwest::Error> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let n = sim.next_id();
    let body = json!({
        "data": {
            "record_type": "event",
            "id": format!("e0{n:030x}"),
            "event_type": event_type,
            "occurred_at": "2026-01-01T00:00:00.000+00:00",
            "payload": payload,
        },
        "meta": { "attempt": 1, "delivered_to": url },
    })
    .to_string();
    let r = sim
        .client
        .post(url)
        .header("content-type", "application/json")
        .header("telnyx-timestamp", now.to_string())
        .header(
            "telnyx-signature-ed25519",
            signing::telnyx_signature(now, body.as_bytes()),
        )
        .body(body)
        .send()
        .await?;
    let status = r.status().as_u16();
    Ok((status, r.text().await.unwrap_or_default()))
}

/// A message as Telnyx describes it, in its answer and its status events.
fn payload(sent: &Sent, status: &str) -> Value {
    json!({
        "id": sent.id,
        "record_type": "message",
        "direction": "outbound",
        "type": if sent.mms { "MMS" } else { "SMS" },
        "from": { "phone_number": sent.from },
        "to": [{ "phone_number": sent.to, "status": status }],
        "text": sent.text,
        "parts": 1,
        "errors": [],
    })
}

/// Telnyx's send API.
pub(super) struct Telnyx;

impl Api for Telnyx {
    const KIND: Kind = Kind::Telnyx;

    fn authorized(sim: &Sim, headers: &HeaderMap) -> bool {
        let bearer = headers.get("authorization").and_then(|v| v.to_str().ok());
        bearer == Some(format!("Bearer {}", sim.args.telnyx_api_key).as_str())
    }

    fn refuse(refusal: Refusal) -> Response {
        let (status, code, title, detail) = match refusal {
            Refusal::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "10009",
                "Authentication failed",
                "The API key is missing or wrong.",
            ),
            Refusal::ServerError => (StatusCode::INTERNAL_SERVER_ERROR, "10001", "Inactive phone number", ""),
            Refusal::TooManyRequests => (StatusCode::TOO_MANY_REQUESTS, "10011", "Too many requests", ""),
            Refusal::OptedOut => (
                StatusCode::BAD_REQUEST,
                "40300",
                "Blocked due to STOP message",
                "The destination number has opted out.",
            ),
            Refusal::InvalidNumber => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "40310",
                "Invalid 'to' address",
                "The 'to' address is not a valid phone number.",
            ),
        };
        telnyx_error(status, code, title, detail)
    }

    fn parse(body: &str) -> Result<Request, Box<Response>> {
        let Ok(request) = serde_json::from_str::<Value>(body) else {
            return Err(Box::new(telnyx_error(
                StatusCode::BAD_REQUEST,
                "10015",
                "Bad request",
                "The body is not JSON.",
            )));
        };
        let field = |k: &str| request.get(k).and_then(Value::as_str).map(str::to_owned);
        let (Some(from), Some(to)) = (field("from"), field("to")) else {
            return Err(Box::new(telnyx_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "40310",
                "Invalid 'to' address",
                "Both 'from' and 'to' are required.",
            )));
        };
        let media_urls: Vec<String> = request
            .get("media_urls")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default();
        Ok(Request {
            from,
            to,
            text: field("text").unwrap_or_default(),
            media_urls,
            callback: field("webhook_url"),
        })
    }

    fn message_id(n: u64) -> String {
        message_id(n)
    }

    fn answer(_: &Sim, sent: &Sent) -> Response {
        (StatusCode::OK, Json(json!({ "data": payload(sent, "queued") }))).into_response()
    }

    async fn report(sim: &Sim, url: &str, sent: &Sent, status: &'static str) -> Result<(u16, String), reqwest::Error> {
        let event_type = if status == "delivered" {
            "message.finalized"
        } else {
            "message.sent"
        };
        post_event(sim, url, event_type, payload(sent, status)).await
    }
}

/// The customer texts through Telnyx: a signed `message.received` event to
/// smsdesk. Returns the message's id and smsdesk's answer.
pub(super) async fn inbound(sim: &Sim, carrier: &str, sms: Texted) -> Result<(String, u16, String), reqwest::Error> {
    let id = message_id(sim.next_id());
    let media: Vec<Value> = sms
        .media
        .iter()
        .map(|m| json!({ "url": m.url, "content_type": m.content_type, "size": m.size, "hash_sha256": null }))
        .collect();
    let kind = if media.is_empty() { "SMS" } else { "MMS" };
    let payload = json!({
        "id": id,
        "record_type": "message",
        "direction": "inbound",
        "type": kind,
        "from": { "phone_number": sms.from },
        "to": [{ "phone_number": sms.to, "status": "webhook_delivered" }],
        "text": sms.body,
        "media": media,
        "parts": 1,
    });
    let (status, answer) = post_event(sim, &sim.webhook_url(carrier, "inbound"), "message.received", payload).await?;
    Ok((id, status, answer))
}
