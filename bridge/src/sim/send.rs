//! The send path every simulated carrier shares: check the credentials,
//! take the next fault, read the request, record the message (honouring
//! `Idempotency-Key`), answer, then report `sent` and `delivered` to the
//! request's callback. A carrier (`Api`) says only what is its own: how it
//! authenticates, reads a request, names a message, words a refusal, answers
//! and calls back.

use std::future::Future;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

use super::{media, Effect, Kind, Shared, Sim, SimMessage};

/// A send the carrier refuses, in words every carrier has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Refusal {
    Unauthorized,
    ServerError,
    TooManyRequests,
    OptedOut,
    InvalidNumber,
}

/// A send request as the carrier read it.
pub(super) struct Request {
    pub from: String,
    pub to: String,
    pub text: String,
    pub media_urls: Vec<String>,
    /// Where the status reports go, if the request says.
    pub callback: Option<String>,
}

/// A recorded message, for the answer and the status reports.
#[derive(Clone, Debug)]
pub(super) struct Sent {
    pub id: String,
    pub from: String,
    pub to: String,
    pub text: String,
    pub mms: bool,
}

/// What one carrier's send API does its own way.
pub(super) trait Api: 'static {
    const KIND: Kind;

    /// Whether the request carries this carrier's credentials.
    fn authorized(sim: &Sim, headers: &HeaderMap) -> bool;

    /// The carrier's error answer for `refusal`.
    fn refuse(refusal: Refusal) -> Response;

    /// The request, or the carrier's answer to a malformed one (boxed: a
    /// `Response` is large).
    fn parse(body: &str) -> Result<Request, Box<Response>>;

    /// The carrier's id for the `n`th message.
    fn message_id(n: u64) -> String;

    /// The carrier's answer to an accepted send.
    fn answer(sim: &Sim, sent: &Sent) -> Response;

    /// Reports `status` (`sent`, `delivered`) of `sent` to `url`, signed.
    fn report(
        sim: &Sim,
        url: &str,
        sent: &Sent,
        status: &'static str,
    ) -> impl Future<Output = Result<(u16, String), reqwest::Error>> + Send;
}

/// Sends one message through carrier `C`.
pub(super) async fn create_message<C: Api>(State(sim): State<Shared>, headers: HeaderMap, body: String) -> Response {
    let received_at_us = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX));
    if !C::authorized(&sim, &headers) {
        return C::refuse(Refusal::Unauthorized);
    }
    let effect = sim.fault().await;
    let refusal = match effect {
        Effect::ServerError => Some(Refusal::ServerError),
        Effect::TooManyRequests => Some(Refusal::TooManyRequests),
        Effect::OptedOut => Some(Refusal::OptedOut),
        Effect::InvalidNumber => Some(Refusal::InvalidNumber),
        Effect::Drop | Effect::None => None,
    };
    if let Some(refusal) = refusal {
        return C::refuse(refusal);
    }
    let request = match C::parse(&body) {
        Ok(request) => request,
        Err(answer) => return *answer,
    };
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let carrier = sim.name_of(C::KIND);
    let fetched = media::fetch_all(&sim.client, &request.media_urls).await;
    let (id, fresh) = sim.record(key, |n| SimMessage {
        media: fetched,
        carrier,
        sid: C::message_id(n),
        from: request.from.clone(),
        to: request.to.clone(),
        body: request.text.clone(),
        status: "queued".into(),
        error_code: None,
        received_at_us,
    });
    let sent = Sent {
        id,
        from: request.from,
        to: request.to,
        text: request.text,
        mms: !request.media_urls.is_empty(),
    };
    if let Some(url) = request.callback.filter(|_| fresh && effect != Effect::Drop) {
        let (sim, sent) = (sim.clone(), sent.clone());
        tokio::spawn(async move {
            for status in ["sent", "delivered"] {
                tokio::time::sleep(Duration::from_millis(50)).await;
                sim.set_status(&sent.id, status);
                if let Err(error) = C::report(&sim, &url, &sent, status).await {
                    tracing::warn!(%error, "status callback failed");
                }
            }
        });
    }
    C::answer(&sim, &sent)
}
