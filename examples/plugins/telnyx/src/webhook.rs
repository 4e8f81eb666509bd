//! Telnyx webhooks: check the Ed25519 signature and the timestamp, then read
//! the event. The raw body is verified exactly as received (never
//! re-serialized); the time it is judged against is the host's receive time.

use base64::Engine as _;
use serde_json::Value;

use crate::exports::smsdesk::plugin::carrier::{
    DeliveryState, HttpRequest, HttpResponse, InboundMessage, Settings, StatusUpdate, WebhookError, WebhookResult,
};
use crate::smsdesk::plugin::secrets::ed25519_verify;
use crate::{first_error, setting, OPTED_OUT};

/// How far a timestamp may be from the receive time, either way.
pub const TOLERANCE_S: i64 = 300;

fn header<'a>(request: &'a HttpRequest, name: &str) -> Option<&'a str> {
    request
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
}

fn bad(why: impl Into<String>) -> WebhookError {
    WebhookError::BadSignature(why.into())
}

fn verify(request: &HttpRequest, settings: &Settings) -> Result<(), WebhookError> {
    let signature = header(request, "telnyx-signature-ed25519")
        .ok_or_else(|| bad("missing telnyx-signature-ed25519 header"))?;
    let timestamp = header(request, "telnyx-timestamp").ok_or_else(|| bad("missing telnyx-timestamp header"))?;
    let seconds: i64 = timestamp
        .parse()
        .map_err(|_| bad(format!("telnyx-timestamp {timestamp:?} is not Unix seconds")))?;
    let now = i64::try_from(request.received_at_ms / 1000).unwrap_or(i64::MAX);
    let skew = now.saturating_sub(seconds);
    if skew > TOLERANCE_S {
        return Err(bad(format!("timestamp is {skew} s old (tolerance {TOLERANCE_S} s)")));
    }
    if -skew > TOLERANCE_S {
        return Err(bad(format!(
            "timestamp is {} s in the future (tolerance {TOLERANCE_S} s)",
            -skew
        )));
    }
    let signature = base64::engine::general_purpose::STANDARD
        .decode(signature)
        .map_err(|_| bad("telnyx-signature-ed25519 is not base64"))?;
    let mut signed = Vec::with_capacity(timestamp.len() + 1 + request.body.len());
    signed.extend_from_slice(timestamp.as_bytes());
    signed.push(b'|');
    signed.extend_from_slice(&request.body);
    let key = setting(settings, "public_key_entry").unwrap_or("public_key");
    match ed25519_verify(key, &signed, &signature) {
        Ok(true) => Ok(()),
        Ok(false) => Err(bad("telnyx-signature-ed25519 does not match the body and timestamp")),
        // The key is missing or broken: the operator's to fix; Telnyx retries meanwhile.
        Err(why) => Err(WebhookError::RetryLater(why)),
    }
}

fn text(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_owned)
}

fn malformed(why: impl Into<String>) -> WebhookError {
    WebhookError::Malformed(why.into())
}

/// Telnyx's per-recipient status, in smsdesk's words.
fn state(status: &str) -> Option<DeliveryState> {
    Some(match status {
        "queued" => DeliveryState::Queued,
        "sending" => DeliveryState::Sending,
        "sent" | "delivery_unconfirmed" => DeliveryState::Sent,
        "delivered" => DeliveryState::Delivered,
        "delivery_failed" => DeliveryState::Undelivered,
        "sending_failed" | "expired" => DeliveryState::Failed,
        _ => return None,
    })
}

fn inbound(payload: &Value) -> Result<InboundMessage, WebhookError> {
    let id = text(payload, "id").ok_or_else(|| malformed("message.received without payload.id"))?;
    let from = payload
        .get("from")
        .and_then(|f| text(f, "phone_number"))
        .ok_or_else(|| malformed("message.received without payload.from.phone_number"))?;
    let to = payload
        .get("to")
        .and_then(Value::as_array)
        .and_then(|to| to.first())
        .and_then(|t| text(t, "phone_number"))
        .ok_or_else(|| malformed("message.received without payload.to[0].phone_number"))?;
    let media_urls = payload
        .get("media")
        .and_then(Value::as_array)
        .map(|m| m.iter().filter_map(|item| text(item, "url")).collect())
        .unwrap_or_default();
    Ok(InboundMessage {
        carrier_message_id: id,
        from,
        to,
        body: text(payload, "text").unwrap_or_default(),
        media_urls,
    })
}

fn status(payload: &Value) -> Result<Option<StatusUpdate>, WebhookError> {
    let id = text(payload, "id").ok_or_else(|| malformed("status event without payload.id"))?;
    let recipient = payload.get("to").and_then(Value::as_array).and_then(|to| to.first());
    let Some(state) = recipient.and_then(|r| text(r, "status")).as_deref().and_then(state) else {
        // A status smsdesk has no word for: acknowledged, nothing to record.
        return Ok(None);
    };
    let (error_code, error_message) = match first_error(payload.get("errors")) {
        Some((code, message)) => (code, (!message.is_empty()).then_some(message)),
        None => (None, None),
    };
    Ok(Some(StatusUpdate {
        provider_id: id,
        state,
        opted_out: error_code.as_deref() == Some(OPTED_OUT),
        error_code,
        error_message,
    }))
}

pub fn handle(request: &HttpRequest, settings: &Settings) -> Result<WebhookResult, WebhookError> {
    verify(request, settings)?;
    let event: Value =
        serde_json::from_slice(&request.body).map_err(|e| malformed(format!("body is not valid JSON: {e}")))?;
    let data = event.get("data").ok_or_else(|| malformed("no `data` object"))?;
    let kind = text(data, "event_type").ok_or_else(|| malformed("no data.event_type"))?;
    let payload = data.get("payload").ok_or_else(|| malformed("no data.payload"))?;
    let mut result = WebhookResult {
        messages: Vec::new(),
        statuses: Vec::new(),
        response: HttpResponse {
            status: 200,
            headers: Vec::new(),
            body: Vec::new(),
        },
    };
    match kind.as_str() {
        "message.received" => result.messages.push(inbound(payload)?),
        "message.sent" | "message.finalized" => result.statuses.extend(status(payload)?),
        // Other events of the profile (e.g. number updates): acknowledged.
        _ => {}
    }
    Ok(result)
}
