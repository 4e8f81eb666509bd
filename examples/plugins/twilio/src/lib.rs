//! Carrier adapter: Twilio Programmable Messaging.
//!
//! - Webhooks: form-encoded (or JSON with `bodySHA256`) inbound SMS and
//!   status callbacks, verified with `X-Twilio-Signature` exactly as Twilio's
//!   helper libraries do (see `signature`).
//! - Sending: `POST {api_base}/2010-04-01/Accounts/{account_sid}/Messages.json`,
//!   form-encoded, HTTP basic auth done by the host with the `account_sid`
//!   and `auth_token` config entries.
//! - Answers: 201 ⇒ sent; 429 and 5xx ⇒ retryable; 21610 (the recipient
//!   replied STOP) ⇒ opted out; other 4xx ⇒ permanent, with Twilio's code.
//! - Media (MMS): one `MediaUrl` parameter per URL.
//!
//! Settings (non-secret `[carriers.config]` entries): `account_sid`
//! (required to send), `api_base` (default `https://api.twilio.com`),
//! `messaging_service_sid` (optional: send from a Messaging Service),
//! `signature_secret` (name of the secret that signs webhooks, default
//! `auth_token`).

pub mod signature;
mod webhook;

wit_bindgen::generate!({ path: "../../../plugins/wit/since_v0.2.0", world: "carrier-plugin" });

use exports::smsdesk::plugin::carrier::{
    Auth, CarrierError, Guest, HttpRequest, HttpResponse, OutboundMessage, OutgoingRequest, SendOutcome, SentInfo,
    Settings, WebhookError, WebhookKind, WebhookResult,
};

const DEFAULT_API_BASE: &str = "https://api.twilio.com";
/// Twilio's "Attempt to send to unsubscribed recipient".
pub(crate) const OPTED_OUT: &str = "21610";

pub(crate) fn setting<'a>(settings: &'a Settings, name: &str) -> Option<&'a str> {
    settings.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

struct Plugin;

impl Guest for Plugin {
    fn handle_webhook(
        kind: WebhookKind,
        request: HttpRequest,
        settings: Settings,
    ) -> Result<WebhookResult, WebhookError> {
        webhook::handle(kind, &request, &settings)
    }

    fn build_send(message: OutboundMessage, settings: Settings) -> Result<OutgoingRequest, String> {
        let sid = setting(&settings, "account_sid").ok_or("the twilio carrier needs `account_sid` in its config")?;
        let base = setting(&settings, "api_base").unwrap_or(DEFAULT_API_BASE).trim_end_matches('/');
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("To", &message.to);
        match setting(&settings, "messaging_service_sid") {
            Some(service) => form.append_pair("MessagingServiceSid", service),
            None => form.append_pair("From", &message.from),
        };
        // A picture alone (MMS) has no text: Twilio wants Body or MediaUrl.
        if !message.body.is_empty() || message.media_urls.is_empty() {
            form.append_pair("Body", &message.body);
        }
        for url in &message.media_urls {
            form.append_pair("MediaUrl", url);
        }
        if let Some(url) = &message.status_callback_url {
            form.append_pair("StatusCallback", url);
        }
        Ok(OutgoingRequest {
            method: "POST".into(),
            url: format!("{base}/2010-04-01/Accounts/{sid}/Messages.json"),
            headers: vec![
                ("content-type".into(), "application/x-www-form-urlencoded".into()),
                ("accept".into(), "application/json".into()),
                // Stable across retries. Twilio's Messages API does not document
                // idempotency keys; carriers (and the simulator) that honour one
                // turn a retried send into the same message.
                ("idempotency-key".into(), format!("smsdesk-{}", message.message_id)),
            ],
            body: form.finish().into_bytes(),
            auth: Auth::Basic(("account_sid".into(), "auth_token".into())),
        })
    }

    fn parse_send_response(response: HttpResponse, _settings: Settings) -> SendOutcome {
        let json: serde_json::Value = serde_json::from_slice(&response.body).unwrap_or(serde_json::Value::Null);
        let text = |k: &str| match json.get(k) {
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        if (200..300).contains(&response.status) {
            return match text("sid") {
                Some(sid) => SendOutcome::Sent(SentInfo {
                    provider_id: sid,
                    segments: text("num_segments").and_then(|n| n.parse().ok()),
                }),
                None => SendOutcome::Retryable(CarrierError {
                    code: None,
                    message: format!("HTTP {} without a message sid", response.status),
                    retry_after_ms: None,
                }),
            };
        }
        let retry_after_ms = response
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("retry-after"))
            .and_then(|(_, v)| v.trim().parse::<u64>().ok())
            .map(|s| s * 1000);
        let error = CarrierError {
            code: text("code"),
            message: text("message").unwrap_or_else(|| format!("HTTP {}", response.status)),
            retry_after_ms,
        };
        if response.status == 429 || response.status >= 500 {
            SendOutcome::Retryable(error)
        } else if error.code.as_deref() == Some(OPTED_OUT) {
            SendOutcome::OptedOut(error)
        } else {
            SendOutcome::Permanent(error)
        }
    }
}

export!(Plugin);
