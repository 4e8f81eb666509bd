//! Inbound webhooks and status callbacks: verify, then parse.

use base64::Engine as _;
use sha2::Digest as _;

use crate::exports::smsdesk::plugin::carrier::{
    DeliveryState, HttpRequest, HttpResponse, InboundMessage, Settings, StatusUpdate, WebhookError, WebhookKind,
    WebhookResult,
};
use crate::signature::{signed_data, url_variants};
use crate::smsdesk::plugin::secrets::{hmac_verify, HmacAlgorithm};
use crate::setting;

const EMPTY_TWIML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>";

fn header<'a>(request: &'a HttpRequest, name: &str) -> Option<&'a str> {
    request
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or(query);
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The request's parameters: form pairs, or the string fields of a JSON object.
fn params(request: &HttpRequest, json: bool) -> Result<Vec<(String, String)>, WebhookError> {
    if json {
        let value: serde_json::Value = serde_json::from_slice(&request.body)
            .map_err(|e| WebhookError::Malformed(format!("body is not valid JSON: {e}")))?;
        let object = value
            .as_object()
            .ok_or_else(|| WebhookError::Malformed("JSON body is not an object".into()))?;
        Ok(object
            .iter()
            .filter_map(|(k, v)| match v {
                serde_json::Value::String(s) => Some((k.clone(), s.clone())),
                serde_json::Value::Number(n) => Some((k.clone(), n.to_string())),
                _ => None,
            })
            .collect())
    } else {
        if std::str::from_utf8(&request.body).is_err() {
            return Err(WebhookError::Malformed("form body is not UTF-8".into()));
        }
        Ok(form_urlencoded::parse(&request.body).into_owned().collect())
    }
}

fn verify(request: &HttpRequest, settings: &Settings) -> Result<Vec<(String, String)>, WebhookError> {
    let given = header(request, "x-twilio-signature")
        .ok_or_else(|| WebhookError::BadSignature("missing X-Twilio-Signature header".into()))?;
    let expected = base64::engine::general_purpose::STANDARD
        .decode(given.trim())
        .map_err(|_| WebhookError::BadSignature("X-Twilio-Signature is not base64".into()))?;
    let secret = setting(settings, "signature_secret").unwrap_or("auth_token");
    let body_hash = query_param(&request.url, "bodySHA256");
    let json = body_hash.is_some();
    if let Some(hash) = &body_hash {
        let actual = hex(&sha2::Sha256::digest(&request.body));
        if !actual.eq_ignore_ascii_case(hash) {
            return Err(WebhookError::BadSignature("body does not match bodySHA256".into()));
        }
    }
    let params = params(request, json)?;
    for url in url_variants(&request.url) {
        let data = if json { url } else { signed_data(&url, &params) };
        match hmac_verify(HmacAlgorithm::Sha1, secret, data.as_bytes(), &expected) {
            Ok(true) => return Ok(params),
            Ok(false) => {}
            // The secret is missing from the config: the operator's to fix,
            // not the carrier's fault. Twilio retries; the request is kept.
            Err(e) => return Err(WebhookError::RetryLater(format!("cannot verify: {e}"))),
        }
    }
    Err(WebhookError::BadSignature("X-Twilio-Signature does not match".into()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn get<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn require<'a>(params: &'a [(String, String)], name: &str) -> Result<&'a str, WebhookError> {
    get(params, name)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| WebhookError::Malformed(format!("missing {name}")))
}

pub(crate) fn handle(
    kind: WebhookKind,
    request: &HttpRequest,
    settings: &Settings,
) -> Result<WebhookResult, WebhookError> {
    if !request.method.eq_ignore_ascii_case("POST") {
        return Err(WebhookError::Malformed(format!("expected POST, got {}", request.method)));
    }
    let params = verify(request, settings)?;
    let mut result = WebhookResult {
        messages: Vec::new(),
        statuses: Vec::new(),
        response: HttpResponse {
            status: 200,
            headers: vec![("content-type".into(), "text/xml".into())],
            body: EMPTY_TWIML.as_bytes().to_vec(),
        },
    };
    match kind {
        WebhookKind::Inbound => {
            let sid = get(&params, "MessageSid")
                .or_else(|| get(&params, "SmsSid"))
                .filter(|v| !v.is_empty())
                .ok_or_else(|| WebhookError::Malformed("missing MessageSid".into()))?;
            let media_count: usize = match get(&params, "NumMedia") {
                None | Some("") => 0,
                Some(n) => n
                    .parse()
                    .map_err(|_| WebhookError::Malformed(format!("NumMedia is not a number: {n:?}")))?,
            };
            result.messages.push(InboundMessage {
                carrier_message_id: sid.to_owned(),
                from: require(&params, "From")?.to_owned(),
                to: require(&params, "To")?.to_owned(),
                body: get(&params, "Body").unwrap_or("").to_owned(),
                media_urls: (0..media_count.min(10))
                    .filter_map(|i| get(&params, &format!("MediaUrl{i}")).map(str::to_owned))
                    .collect(),
            });
        }
        WebhookKind::Status => {
            let sid = get(&params, "MessageSid")
                .or_else(|| get(&params, "SmsSid"))
                .filter(|v| !v.is_empty())
                .ok_or_else(|| WebhookError::Malformed("missing MessageSid".into()))?;
            let status = get(&params, "MessageStatus")
                .or_else(|| get(&params, "SmsStatus"))
                .ok_or_else(|| WebhookError::Malformed("missing MessageStatus".into()))?;
            let state = match status {
                "accepted" => DeliveryState::Accepted,
                "scheduled" => DeliveryState::Scheduled,
                "queued" => DeliveryState::Queued,
                "sending" => DeliveryState::Sending,
                "sent" => DeliveryState::Sent,
                "delivered" => DeliveryState::Delivered,
                "read" => DeliveryState::Read,
                "undelivered" => DeliveryState::Undelivered,
                "failed" => DeliveryState::Failed,
                "canceled" => DeliveryState::Canceled,
                other => return Err(WebhookError::Malformed(format!("unknown MessageStatus {other:?}"))),
            };
            let nonempty = |k: &str| get(&params, k).filter(|v| !v.is_empty()).map(str::to_owned);
            let error_code = nonempty("ErrorCode");
            result.statuses.push(StatusUpdate {
                provider_id: sid.to_owned(),
                state,
                opted_out: error_code.as_deref() == Some(crate::OPTED_OUT),
                error_code,
                error_message: nonempty("ErrorMessage"),
            });
            result.response = HttpResponse {
                status: 200,
                headers: Vec::new(),
                body: Vec::new(),
            };
        }
    }
    Ok(result)
}
