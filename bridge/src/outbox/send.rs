//! One attempt to hand one reply to its carrier: the plugin builds the
//! request, the host checks the host is allowed, adds the authorization
//! and sends it, the plugin reads the answer (at most `MAX_ANSWER` bytes of
//! it; a longer one is retried). Nothing here retries,
//! schedules or commits: the outbox loop does that with the `Attempt`.

use std::time::Duration;

use smsdesk_engine::store::layout::OutboundSms;
use smsdesk_plugins::carrier::{HttpResponse, OutboundMessage, SendOutcome};

use crate::app::AppState;

/// The most of a carrier's answer to a send that is read: real answers are
/// a few hundred bytes; a carrier (or whatever answers in its place) must
/// not make smsdesk read without end.
pub const MAX_ANSWER: usize = 64 * 1024;

/// What one attempt came to.
#[derive(Debug)]
pub enum Attempt {
    /// The carrier took it, with its id for the message.
    Sent(String),
    /// It can never be sent (carrier code, reason).
    Permanent(Option<String>, String),
    /// It can never be sent: the recipient opted out with the carrier.
    OptedOut(Option<String>, String),
    /// Worth another try (reason, the carrier's Retry-After).
    Retry(String, Option<Duration>),
}

/// The HTTP client for carriers: a timeout, and no redirects (a redirect
/// could lead outside `allowed_hosts`).
pub fn client() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .redirect(reqwest::redirect::Policy::none())
        .build()
}

pub async fn attempt(state: &AppState, client: &reqwest::Client, sms: &OutboundSms) -> Attempt {
    state.metrics.send(sms.carrier.as_str(), "attempt");
    let Some(watched) = state.carriers.get(sms.carrier.as_str()) else {
        return Attempt::Permanent(None, format!("carrier {} is no longer configured", sms.carrier));
    };
    let Some(carrier_config) = state.config.carriers.iter().find(|c| c.name == sms.carrier) else {
        return Attempt::Permanent(None, format!("carrier {} is no longer configured", sms.carrier));
    };
    let plugin = watched.get();
    let media_urls = match media_urls(state, sms).await {
        Ok(urls) => urls,
        Err(attempt) => return attempt,
    };
    let message = OutboundMessage {
        message_id: sms.message_id.to_string(),
        from: sms.from.to_string(),
        to: sms.to.to_string(),
        body: sms.body.clone(),
        media_urls,
        status_callback_url: Some(format!("{}/webhooks/{}/status", state.config.public_url, sms.carrier)),
    };
    let p = plugin.clone();
    let built = match tokio::task::spawn_blocking(move || p.build_send(&message)).await {
        Ok(Ok(Ok(r))) => r,
        Ok(Ok(Err(why))) => {
            return Attempt::Permanent(None, format!("the carrier plugin cannot build this message: {why}"))
        }
        Ok(Err(error)) => return Attempt::Retry(error.to_string(), None),
        Err(error) => return Attempt::Retry(error.to_string(), None),
    };
    let url = match reqwest::Url::parse(&built.url) {
        Ok(u) => u,
        Err(e) => return Attempt::Permanent(None, format!("the plugin built an invalid URL {:?}: {e}", built.url)),
    };
    if let Err(host) = carrier_config.check_host(&url) {
        tracing::error!(carrier = %sms.carrier, %host, "refusing to send to a host not in allowed_hosts");
        return Attempt::Permanent(None, format!("host {host} is not in this carrier's allowed_hosts"));
    }
    let method = reqwest::Method::from_bytes(built.method.as_bytes()).unwrap_or(reqwest::Method::POST);
    let mut request = client.request(method, url).body(built.body.clone());
    for (k, v) in &built.headers {
        request = request.header(k.as_str(), v.as_str());
    }
    match plugin.authorization(&built.auth) {
        Ok(Some(value)) => request = request.header("authorization", value),
        Ok(None) => {}
        Err(why) => return Attempt::Permanent(None, why),
    }
    tracing::debug!(message_id = %sms.message_id, "sending to the carrier");
    let response = match request.send().await {
        Ok(r) => r,
        Err(error) => return Attempt::Retry(format!("HTTP error: {error}"), None),
    };
    let status = response.status().as_u16();
    tracing::debug!(message_id = %sms.message_id, status, "carrier answered");
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = match read_answer(response).await {
        Ok(body) => body,
        Err(why) => {
            tracing::warn!(carrier = %sms.carrier, message_id = %sms.message_id, %why, "the carrier's answer was not read; the reply is tried again");
            return Attempt::Retry(why.to_string(), None);
        }
    };
    let answer = HttpResponse { status, headers, body };
    match tokio::task::spawn_blocking(move || plugin.parse_send_response(&answer)).await {
        Ok(Ok(SendOutcome::Sent { provider_id, .. })) => Attempt::Sent(provider_id),
        Ok(Ok(SendOutcome::Permanent(e))) => Attempt::Permanent(e.code, e.message),
        Ok(Ok(SendOutcome::OptedOut(e))) => Attempt::OptedOut(e.code, e.message),
        Ok(Ok(SendOutcome::Retryable(e))) => {
            let reason = match &e.code {
                Some(code) => format!("{} (carrier error {code})", e.message),
                None => e.message.clone(),
            };
            Attempt::Retry(reason, e.retry_after_ms.map(Duration::from_millis))
        }
        Ok(Err(error)) => Attempt::Retry(error.to_string(), None),
        Err(error) => Attempt::Retry(error.to_string(), None),
    }
}

/// Why the carrier's answer was not read (the reply is tried again).
#[derive(Debug, thiserror::Error)]
enum AnswerUnread {
    #[error("the carrier's answer is longer than {MAX_ANSWER} bytes; not read further")]
    TooLong,
    #[error("reading the carrier's answer failed: {0}")]
    Failed(reqwest::Error),
}

/// Reads the carrier's answer, at most `MAX_ANSWER` bytes: a longer one
/// (declared or sent) is not read further, and the attempt is retried, as
/// for any answer that cannot be read.
async fn read_answer(mut response: reqwest::Response) -> Result<Vec<u8>, AnswerUnread> {
    if response.content_length().is_some_and(|n| n > MAX_ANSWER as u64) {
        return Err(AnswerUnread::TooLong);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(AnswerUnread::Failed)? {
        if body.len() + chunk.len() > MAX_ANSWER {
            return Err(AnswerUnread::TooLong);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The public URLs of the reply's attachments, each kept fetchable for
/// `http.media_lifetime` from now (the carrier fetches them while sending).
async fn media_urls(state: &AppState, sms: &OutboundSms) -> Result<Vec<String>, Attempt> {
    if sms.media.is_empty() {
        return Ok(Vec::new());
    }
    let (store, tokens) = (state.media.clone(), sms.media.clone());
    let until = smsdesk_engine::clock::now().plus(state.config.media_lifetime).0;
    let kept = tokio::task::spawn_blocking(move || {
        tokens
            .iter()
            .map(|t| store.keep_until(t, until).map(|live| (t.clone(), live)))
            .collect::<std::io::Result<Vec<_>>>()
    })
    .await;
    let kept = match kept {
        Ok(Ok(k)) => k,
        Ok(Err(error)) => {
            return Err(Attempt::Retry(
                format!("cannot read the reply's attachments: {error}"),
                None,
            ))
        }
        Err(error) => return Err(Attempt::Retry(error.to_string(), None)),
    };
    let mut urls = Vec::with_capacity(kept.len());
    for (token, live) in kept {
        if !live {
            return Err(Attempt::Permanent(
                None,
                "an attachment of this reply is no longer on disk; nothing was sent".to_owned(),
            ));
        }
        urls.push(format!("{}/media/{token}", state.config.public_url));
    }
    Ok(urls)
}
