//! Carrier adapter: Telnyx Messaging (API v2).
//!
//! - Webhooks: JSON events (`message.received` for customer messages,
//!   `message.sent` and `message.finalized` for delivery status), verified
//!   by the host with Ed25519 over `"{telnyx-timestamp}|{raw body}"`
//!   (`telnyx-signature-ed25519`, base64) and the public key in the
//!   `public_key` config entry; a timestamp more than 300 s from the
//!   request's receive time, either way, is refused (see `webhook`).
//!   Telnyx sends every event of a messaging profile to one URL, so both
//!   webhook paths accept every event type; other event types are
//!   acknowledged and ignored.
//! - Sending: `POST {api_base}/v2/messages`, JSON, `Authorization: Bearer`
//!   with the `api_key` entry (added by the host).
//! - Answers: 2xx with `data.id` ⇒ sent; error 40300 (the recipient texted
//!   STOP) ⇒ opted out; 429 and 5xx ⇒ retryable; other 4xx ⇒ permanent.
//!
//! Settings (non-secret `[carriers.config]` entries): `api_base` (default
//! `https://api.telnyx.com`), `messaging_profile_id` (optional).

mod webhook;

wit_bindgen::generate!({ path: "../../../plugins/wit/since_v0.2.0", world: "carrier-plugin" });

use exports::smsdesk::plugin::carrier::{
    Auth, CarrierError, Guest, HttpRequest, HttpResponse, OutboundMessage, OutgoingRequest, SendOutcome, SentInfo,
    Settings, WebhookError, WebhookKind, WebhookResult,
};
use serde_json::{json, Value};

const DEFAULT_API_BASE: &str = "https://api.telnyx.com";
/// Telnyx's "Blocked due to STOP message".
pub(crate) const OPTED_OUT: &str = "40300";

pub(crate) fn setting<'a>(settings: &'a Settings, name: &str) -> Option<&'a str> {
    settings.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// The first error of a Telnyx `errors` array: (code, title and detail).
pub(crate) fn first_error(errors: Option<&Value>) -> Option<(Option<String>, String)> {
    let e = errors?.as_array()?.first()?;
    let code = match e.get("code") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let text = |k: &str| e.get(k).and_then(Value::as_str).unwrap_or("").trim().to_owned();
    let message = match (text("title"), text("detail")) {
        (t, d) if d.is_empty() || d == t => t,
        (t, d) if t.is_empty() => d,
        (t, d) => format!("{t}: {d}"),
    };
    Some((code, message))
}

struct Plugin;

impl Guest for Plugin {
    fn handle_webhook(
        _kind: WebhookKind,
        request: HttpRequest,
        settings: Settings,
    ) -> Result<WebhookResult, WebhookError> {
        webhook::handle(&request, &settings)
    }

    fn build_send(message: OutboundMessage, settings: Settings) -> Result<OutgoingRequest, String> {
        let base = setting(&settings, "api_base").unwrap_or(DEFAULT_API_BASE).trim_end_matches('/');
        let mut body = json!({
            "from": message.from,
            "to": message.to,
        });
        // Telnyx wants text, media_urls or both; a picture alone has no text.
        if !message.body.is_empty() || message.media_urls.is_empty() {
            body["text"] = json!(message.body);
        }
        if !message.media_urls.is_empty() {
            body["media_urls"] = json!(message.media_urls);
        }
        if let Some(profile) = setting(&settings, "messaging_profile_id") {
            body["messaging_profile_id"] = json!(profile);
        }
        if let Some(url) = &message.status_callback_url {
            body["webhook_url"] = json!(url);
        }
        Ok(OutgoingRequest {
            method: "POST".into(),
            url: format!("{base}/v2/messages"),
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("accept".into(), "application/json".into()),
                // Stable across retries, for carriers (and the simulator) that honour it.
                ("idempotency-key".into(), format!("smsdesk-{}", message.message_id)),
            ],
            body: body.to_string().into_bytes(),
            auth: Auth::Bearer("api_key".into()),
        })
    }

    fn parse_send_response(response: HttpResponse, _settings: Settings) -> SendOutcome {
        let json: Value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
        if (200..300).contains(&response.status) {
            let data = json.get("data");
            return match data.and_then(|d| d.get("id")).and_then(Value::as_str) {
                Some(id) => SendOutcome::Sent(SentInfo {
                    provider_id: id.to_owned(),
                    segments: data
                        .and_then(|d| d.get("parts"))
                        .and_then(Value::as_u64)
                        .and_then(|n| u32::try_from(n).ok()),
                }),
                None => SendOutcome::Retryable(CarrierError {
                    code: None,
                    message: format!("HTTP {} without a message id", response.status),
                    retry_after_ms: None,
                }),
            };
        }
        let (code, message) =
            first_error(json.get("errors")).unwrap_or_else(|| (None, format!("HTTP {}", response.status)));
        let retry_after_ms = response
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("retry-after"))
            .and_then(|(_, v)| v.trim().parse::<u64>().ok())
            .map(|s| s * 1000);
        let error = CarrierError {
            code,
            message: if message.is_empty() {
                format!("HTTP {}", response.status)
            } else {
                message
            },
            retry_after_ms,
        };
        if error.code.as_deref() == Some(OPTED_OUT) {
            SendOutcome::OptedOut(error)
        } else if response.status == 429 || response.status >= 500 {
            SendOutcome::Retryable(error)
        } else {
            SendOutcome::Permanent(error)
        }
    }
}

export!(Plugin);
