//! The host-side carrier types: the newest interface version's shape, in
//! the host's own names. The gateway, the outbox and `smsdesk plugin run`
//! use them; they serialize to JSON for fixtures, with bodies as text.

use serde::{Deserialize, Serialize};

use crate::error::PluginError;

/// Bodies as UTF-8 text in JSON fixtures (lossy for binary bodies).
mod text {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&String::from_utf8_lossy(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        Ok(String::deserialize(d)?.into_bytes())
    }
}

pub type Headers = Vec<(String, String)>;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpRequest {
    pub method: String,
    pub url: String,
    #[serde(default)]
    pub headers: Headers,
    #[serde(with = "text", default)]
    pub body: Vec<u8>,
    /// When smsdesk received it, Unix milliseconds; a replayed request keeps
    /// its original time. `None` (a fixture that does not say) means now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_at_ms: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpResponse {
    pub status: u16,
    #[serde(default)]
    pub headers: Headers,
    #[serde(with = "text", default)]
    pub body: Vec<u8>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WebhookKind {
    Inbound,
    Status,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboundMessage {
    pub carrier_message_id: String,
    pub from: String,
    pub to: String,
    pub body: String,
    pub media_urls: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeliveryState {
    Accepted,
    Scheduled,
    Queued,
    Sending,
    Sent,
    Delivered,
    Read,
    Undelivered,
    Failed,
    Canceled,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusUpdate {
    pub provider_id: String,
    pub state: DeliveryState,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    /// The carrier refused it because the recipient opted out.
    #[serde(default)]
    pub opted_out: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookResult {
    pub messages: Vec<InboundMessage>,
    pub statuses: Vec<StatusUpdate>,
    pub response: HttpResponse,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "kebab-case")]
pub enum WebhookError {
    #[error("bad signature: {0}")]
    BadSignature(String),
    #[error("malformed request: {0}")]
    Malformed(String),
    /// The plugin cannot judge it now (0.2.0 on): answer 503, keep it.
    #[error("cannot be judged now: {0}")]
    RetryLater(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboundMessage {
    pub message_id: String,
    pub from: String,
    pub to: String,
    pub body: String,
    /// Media to send (MMS); 0.1.0 plugins cannot send media and refuse.
    #[serde(default)]
    pub media_urls: Vec<String>,
    pub status_callback_url: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Auth {
    None,
    Basic(String, String),
    Bearer(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingRequest {
    pub method: String,
    pub url: String,
    pub headers: Headers,
    #[serde(with = "text")]
    pub body: Vec<u8>,
    pub auth: Auth,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarrierError {
    pub code: Option<String>,
    pub message: String,
    pub retry_after_ms: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SendOutcome {
    Sent {
        provider_id: String,
        segments: Option<u32>,
    },
    Retryable(CarrierError),
    Permanent(CarrierError),
    /// Permanent, and the recipient opted out with the carrier.
    OptedOut(CarrierError),
}

/// What a carrier plugin made of a webhook, and whether the host confirmed
/// its signature (an HMAC or Ed25519 check that the plugin asked for and
/// that matched) during the call. A request the plugin failed on is worth
/// keeping for replay only if its signature was confirmed: anyone can send
/// an unsigned one.
#[derive(Debug)]
pub struct Judged {
    pub outcome: Result<Result<WebhookResult, WebhookError>, PluginError>,
    pub signature_verified: bool,
}
