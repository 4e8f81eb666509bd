//! {name}: an smsdesk carrier adapter, for a carrier with a JSON API.
//!
//! - Webhooks: JSON, `{"id", "from", "to", "text"}` for a customer's SMS and
//!   `{"id", "status"}` for delivery status, signed with `x-signature`:
//!   base64 HMAC-SHA256 of the raw body with the `webhook_secret` config
//!   entry. The host does the HMAC; the secret never enters the plugin.
//! - Sending: `POST {api_base}/messages` with `{"from", "to", "text"}` and
//!   `Authorization: Bearer` with the `api_key` entry (added by the host).
//! - Answers: 2xx with `id` is sent; 429 and 5xx are retried; other errors
//!   are permanent.

wit_bindgen::generate!({ path: "wit", world: "carrier-plugin" });

use base64::Engine as _;
use exports::smsdesk::plugin::carrier::{
    Auth, CarrierError, DeliveryState, Guest, HttpRequest, HttpResponse, InboundMessage, OutboundMessage,
    OutgoingRequest, SendOutcome, SentInfo, Settings, StatusUpdate, WebhookError, WebhookKind, WebhookResult,
};
use serde_json::{json, Value};
use smsdesk::plugin::secrets::{hmac_verify, HmacAlgorithm};

fn setting<'a>(settings: &'a Settings, name: &str) -> Option<&'a str> {
    settings.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn text(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_owned)
}

struct Plugin;

impl Guest for Plugin {
    fn handle_webhook(kind: WebhookKind, request: HttpRequest, _settings: Settings) -> Result<WebhookResult, WebhookError> {
        let signature = request
            .headers
            .iter()
            .find(|(k, _)| k == "x-signature")
            .and_then(|(_, v)| base64::engine::general_purpose::STANDARD.decode(v.trim()).ok())
            .ok_or_else(|| WebhookError::BadSignature("missing or unreadable x-signature".into()))?;
        match hmac_verify(HmacAlgorithm::Sha256, "webhook_secret", &request.body, &signature) {
            Ok(true) => {}
            Ok(false) => return Err(WebhookError::BadSignature("x-signature does not match".into())),
            Err(why) => return Err(WebhookError::RetryLater(why)),
        }
        let body: Value = serde_json::from_slice(&request.body)
            .map_err(|e| WebhookError::Malformed(format!("not JSON: {e}")))?;
        let id = text(&body, "id").ok_or_else(|| WebhookError::Malformed("no id".into()))?;
        let mut result = WebhookResult {
            messages: vec![],
            statuses: vec![],
            response: HttpResponse { status: 200, headers: vec![], body: vec![] },
        };
        match kind {
            WebhookKind::Inbound => result.messages.push(InboundMessage {
                carrier_message_id: id,
                from: text(&body, "from").ok_or_else(|| WebhookError::Malformed("no from".into()))?,
                to: text(&body, "to").ok_or_else(|| WebhookError::Malformed("no to".into()))?,
                body: text(&body, "text").unwrap_or_default(),
                media_urls: vec![],
            }),
            WebhookKind::Status => {
                let state = match text(&body, "status").as_deref() {
                    Some("sent") => DeliveryState::Sent,
                    Some("delivered") => DeliveryState::Delivered,
                    Some("failed") => DeliveryState::Failed,
                    _ => return Ok(result),
                };
                result.statuses.push(StatusUpdate {
                    provider_id: id,
                    state,
                    error_code: None,
                    error_message: None,
                    opted_out: false,
                });
            }
        }
        Ok(result)
    }

    fn build_send(message: OutboundMessage, settings: Settings) -> Result<OutgoingRequest, String> {
        let base = setting(&settings, "api_base").ok_or("this carrier needs `api_base` in its config")?;
        Ok(OutgoingRequest {
            method: "POST".into(),
            url: format!("{}/messages", base.trim_end_matches('/')),
            headers: vec![("content-type".into(), "application/json".into())],
            body: json!({ "from": message.from, "to": message.to, "text": message.body }).to_string().into_bytes(),
            auth: Auth::Bearer("api_key".into()),
        })
    }

    fn parse_send_response(response: HttpResponse, _settings: Settings) -> SendOutcome {
        let body: Value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
        let error = |message: String| CarrierError { code: None, message, retry_after_ms: None };
        match (response.status, text(&body, "id")) {
            (200..=299, Some(id)) => SendOutcome::Sent(SentInfo { provider_id: id, segments: None }),
            (429 | 500..=599, _) => SendOutcome::Retryable(error(format!("HTTP {}", response.status))),
            (status, _) => SendOutcome::Permanent(error(format!("HTTP {status}"))),
        }
    }
}

export!(Plugin);
