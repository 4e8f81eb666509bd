//! `POST /webhooks/{carrier}/{inbound|status}`.
//!
//! 1. Find the carrier (404 if unknown) and read the body (413 over the limit).
//! 2. Hand the exact request to the carrier's plugin, with the URL rebuilt
//!    from `http.public_url` (what the carrier signed).
//! 3. Bad signature ⇒ 403, malformed ⇒ 400: nothing changes. What the
//!    plugin parsed is checked too (`inbound_check`): a bad sender, id or
//!    text ⇒ 400, nothing of it reaches the store, and the raw request is
//!    kept for the operator.
//! 4. Map what the plugin parsed to commands (`webhook_commands`, pure),
//!    commit every message durably (all are submitted before any is
//!    awaited, so they share one group commit), then answer with what
//!    the plugin said. A duplicate carrier message id is acknowledged and
//!    stored once.
//! 5. A plugin failure (or a plugin that cannot judge the request now,
//!    e.g. its key is missing) answers 503 so the carrier retries. The raw
//!    request is kept for replay, with its receive time, only if the host
//!    confirmed its signature during the call (`Judged::signature_verified`):
//!    an unsigned flood writes nothing. An SMS to a number with no entry
//!    point is kept too (if signed) and answered 422.
//! 6. A request that should be kept but cannot be (the folder is at
//!    `storage.dead_letters_max_mib`, or the write failed) is answered 503
//!    "storage for unroutable messages is full" and logged at error: the
//!    carrier retries, nothing is acknowledged that is not kept.
//!
//! Customer message bodies are logged at debug level only.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use smsdesk_core::{Command, Rejection};
use smsdesk_plugins::carrier::{
    HttpRequest, HttpResponse, InboundMessage, StatusUpdate, WebhookError, WebhookKind, WebhookResult,
};

use super::inbound_check;
use super::sink::{Stored, WebhookSink};
use super::webhook_commands::to_commands;
use crate::dead_letters::{DeadLetter, Refused};

/// What became of a request that was to be kept for replay.
enum Keeping {
    /// On disk (now, or before: a replay).
    Kept,
    /// Its signature was never confirmed: not kept.
    Unsigned,
    /// Keeping it failed (the cap, or the disk): the carrier must retry.
    Refused(Refused),
}

/// 503 for a request that must be kept but cannot be: the carrier retries.
fn storage_full(refused: &Refused) -> Response {
    text(
        StatusCode::SERVICE_UNAVAILABLE,
        match refused {
            Refused::Full { .. } => "storage for unroutable messages is full; please retry later",
            Refused::Unwritable(_) => {
                "storage for unroutable messages is full or cannot be written; please retry later"
            }
        },
    )
}

fn text(status: StatusCode, message: impl Into<String>) -> Response {
    let mut body = message.into();
    body.push('\n');
    (status, body).into_response()
}

/// An early answer: the request goes no further. (Boxed: a `Response` is
/// large, and each step's `Ok` is small.)
type Answer = Box<Response>;

/// The handler: the steps of the module doc, in order: `decode`, the
/// plugin's judgement (`Call::judge`), `Call::check`, `to_commands`,
/// `Call::store`, `Call::tally` and `Call::unknown_numbers`, `respond`.
pub async fn webhook<S: WebhookSink>(
    State(state): State<Arc<S>>,
    Path((carrier, kind)): Path<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let (kind, body) = match decode(&*state, &carrier, &kind, body) {
        Ok(decoded) => decoded,
        Err(answer) => return *answer,
    };
    let mut call = Call::new(&*state, &carrier, kind, &method, &uri, &headers, &body);
    let result = match call.judge().await {
        Ok(result) => result,
        Err(answer) => return *answer,
    };
    if let Err(answer) = call.check(&result) {
        return *answer;
    }
    let mapped = to_commands(&carrier, &result);
    let stored = match call.store(&state, mapped.commands).await {
        Ok(stored) => stored,
        Err(answer) => return *answer,
    };
    let mut unknown = mapped.unknown;
    let tally = call.tally(&mapped.messages, &result.statuses, &stored, &mut unknown);
    if let Some(answer) = call.unknown_numbers(&unknown, &tally) {
        return answer;
    }
    call.metric(if tally.accepted == 0 && tally.duplicates > 0 {
        "duplicate"
    } else {
        "accepted"
    });
    respond(result.response)
}

/// Step 1: the kind from the path, the carrier (404 if unknown) and the
/// body (413 over the limit).
fn decode<S: WebhookSink>(
    state: &S,
    carrier: &str,
    kind: &str,
    body: Result<Bytes, BytesRejection>,
) -> Result<(WebhookKind, Bytes), Answer> {
    let kind_label = kind;
    let kind = match kind {
        "inbound" => WebhookKind::Inbound,
        "status" => WebhookKind::Status,
        _ => {
            return Err(Box::new(text(
                StatusCode::NOT_FOUND,
                format!("no such webhook {kind:?}; use inbound or status"),
            )))
        }
    };
    if !state.parts().carriers.contains_key(carrier) {
        // A fixed label: the path segment is unauthenticated input.
        state.parts().metrics.webhook("unknown", kind_label, "unknown_carrier");
        tracing::warn!(%carrier, "webhook for an unknown carrier");
        return Err(Box::new(text(
            StatusCode::NOT_FOUND,
            format!("unknown carrier {carrier:?}"),
        )));
    }
    let body = body.map_err(|rejection| {
        let status = rejection.status();
        let too_large = status == StatusCode::PAYLOAD_TOO_LARGE;
        state
            .parts()
            .metrics
            .webhook(carrier, kind_label, if too_large { "too_large" } else { "malformed" });
        tracing::warn!(%carrier, %status, "webhook body refused: {}", rejection.body_text());
        Box::new(text(
            status,
            if too_large {
                format!("body over the limit of {} bytes", state.parts().config.max_body)
            } else {
                rejection.body_text()
            },
        ))
    })?;
    Ok((kind, body))
}

/// One decoded request on its way through the plugin and the store.
struct Call<'a, S> {
    state: &'a S,
    carrier: &'a str,
    kind: WebhookKind,
    /// The path's kind, as the metrics label it.
    kind_label: &'static str,
    /// What the carrier sent, with the URL it signed.
    request: HttpRequest,
    /// A replay of a request already kept: it is not kept twice.
    on_disk: bool,
    /// The host confirmed its signature during the plugin call.
    signed: bool,
}

impl<'a, S: WebhookSink> Call<'a, S> {
    /// The request as the plugin sees it: the URL rebuilt from
    /// `http.public_url`, judged at the time it first arrived.
    fn new(
        state: &'a S,
        carrier: &'a str,
        kind: WebhookKind,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        body: &Bytes,
    ) -> Self {
        let path_and_query = uri
            .path_and_query()
            .map_or_else(|| uri.path().to_owned(), |pq| pq.as_str().to_owned());
        let mut request = HttpRequest {
            method: method.to_string(),
            url: format!("{}{}", state.parts().config.public_url, path_and_query),
            headers: headers
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_owned(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            body: body.to_vec(),
            received_at_ms: None,
        };
        // A replay of a kept request is already on disk: do not keep it twice,
        // and judge it at the time it first arrived. (The header alone proves
        // nothing: only a request found in the folder counts as a replay.)
        let kept_at = headers
            .contains_key("x-smsdesk-replay")
            .then(|| tokio::task::block_in_place(|| state.parts().dead_letters.received_at(carrier, kind, &request)))
            .flatten();
        request.received_at_ms = Some(kept_at.unwrap_or_else(|| smsdesk_engine::clock::now().0));
        Self {
            state,
            carrier,
            kind,
            kind_label: match kind {
                WebhookKind::Inbound => "inbound",
                WebhookKind::Status => "status",
            },
            request,
            on_disk: kept_at.is_some(),
            signed: false,
        }
    }

    fn metric(&self, outcome: &str) {
        self.state
            .parts()
            .metrics
            .webhook(self.carrier, self.kind_label, outcome);
    }

    /// Steps 2, 3 and 5: the plugin's verdict, or the answer to a request
    /// it refused or could not judge.
    async fn judge(&mut self) -> Result<WebhookResult, Answer> {
        let plugin = self.state.parts().carriers[self.carrier].get();
        let (kind, call_request) = (self.kind, self.request.clone());
        let judged = tokio::task::spawn_blocking(move || plugin.judge_webhook(kind, &call_request)).await;
        // Only a request whose signature the host confirmed may be kept: anyone
        // can send an unsigned one, and keeping those would let a flood fill
        // the disk. A carrier whose plugin asks the host for no signature
        // check has nothing kept.
        self.signed = judged.as_ref().is_ok_and(|j| j.signature_verified);
        match judged.map(|j| j.outcome) {
            Ok(Ok(result)) => self.refused(result),
            Ok(Err(error)) => {
                self.metric("plugin_failure");
                Err(Box::new(match self.keep(error.to_string()) {
                    Keeping::Kept => text(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "the carrier plugin failed; the request is kept and can be retried",
                    ),
                    Keeping::Unsigned => text(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "the carrier plugin could not judge this request; please retry",
                    ),
                    Keeping::Refused(refused) => storage_full(&refused),
                }))
            }
            Err(join) => {
                self.metric("plugin_failure");
                let carrier = self.carrier;
                tracing::error!(%carrier, error = %join, "the carrier plugin's call panicked the host thread");
                Err(Box::new(text(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "internal error; please retry",
                )))
            }
        }
    }

    /// Step 3: what the plugin refused (bad signature, malformed), or
    /// could not judge now.
    fn refused(&self, result: Result<WebhookResult, WebhookError>) -> Result<WebhookResult, Answer> {
        let carrier = self.carrier;
        match result {
            Ok(r) => Ok(r),
            Err(WebhookError::BadSignature(why)) => {
                self.metric("bad_signature");
                // The URL the signature was checked against: with a wrong
                // `public_url` every signature fails, and this names it.
                tracing::warn!(%carrier, %why, url = %self.request.url, "webhook with a bad signature refused (checked against this URL; is public_url the one the carrier calls?)");
                Err(Box::new(text(StatusCode::FORBIDDEN, format!("bad signature: {why}"))))
            }
            Err(WebhookError::Malformed(why)) => {
                self.metric("malformed");
                tracing::warn!(%carrier, %why, "malformed webhook refused");
                Err(Box::new(text(
                    StatusCode::BAD_REQUEST,
                    format!("malformed request: {why}"),
                )))
            }
            Err(WebhookError::RetryLater(why)) => {
                self.metric("plugin_failure");
                tracing::error!(%carrier, %why, "the carrier plugin cannot judge webhooks now; check this carrier's config");
                Err(Box::new(
                    match self.keep(format!("carrier {carrier}'s plugin cannot judge it now: {why}")) {
                        Keeping::Kept => text(
                            StatusCode::SERVICE_UNAVAILABLE,
                            "this request cannot be processed now; it is kept and can be retried",
                        ),
                        Keeping::Unsigned => text(
                            StatusCode::SERVICE_UNAVAILABLE,
                            "this request cannot be verified now; please retry",
                        ),
                        Keeping::Refused(refused) => storage_full(&refused),
                    },
                ))
            }
        }
    }

    /// Keeps the raw request for replay (steps 5 and 6).
    fn keep(&self, reason: String) -> Keeping {
        let carrier = self.carrier;
        if self.on_disk {
            tracing::warn!(%carrier, %reason, "replayed request refused again; the kept copy stays");
            return Keeping::Kept;
        }
        if !self.signed {
            self.state.parts().dead_letters.refused_unsigned();
            tracing::warn!(%carrier, %reason, "webhook not kept: its signature was never confirmed");
            return Keeping::Unsigned;
        }
        let letter = DeadLetter {
            carrier: carrier.to_owned(),
            kind: self.kind,
            reason,
            received_at_ms: self
                .request
                .received_at_ms
                .unwrap_or_else(|| smsdesk_engine::clock::now().0),
            request: self.request.clone(),
        };
        match tokio::task::block_in_place(|| self.state.parts().dead_letters.keep(&letter)) {
            Ok(path) => {
                tracing::warn!(%carrier, reason = %letter.reason, kept = %path.display(), "webhook kept for replay");
                Keeping::Kept
            }
            Err(refused) => {
                tracing::error!(%carrier, reason = %letter.reason, %refused, "could not keep the webhook for replay; answered 503 so the carrier retries");
                Keeping::Refused(refused)
            }
        }
    }

    /// Step 3: sane fields, or nothing of this request is stored.
    fn check(&self, result: &WebhookResult) -> Result<(), Answer> {
        let checked = result
            .messages
            .iter()
            .map(inbound_check::inbound)
            .chain(result.statuses.iter().map(inbound_check::status))
            .collect::<Result<Vec<()>, _>>();
        let Err(refused) = checked else {
            return Ok(());
        };
        self.metric("malformed");
        let carrier = self.carrier;
        tracing::warn!(%carrier, %refused, "webhook with a field smsdesk does not store refused");
        if let Keeping::Refused(full) = self.keep(format!("refused: {refused}")) {
            // Kept for the operator, or the carrier retries until it can be.
            return Err(Box::new(storage_full(&full)));
        }
        Err(Box::new(text(
            StatusCode::BAD_REQUEST,
            format!("malformed request: {refused}"),
        )))
    }

    /// Step 4: every command stored at once (one group commit, or one
    /// insert into the shared inbox) before we answer.
    async fn store(&self, state: &Arc<S>, commands: Vec<Command>) -> Result<Vec<Stored>, Answer> {
        state.store(commands).await.map_err(|error| {
            self.metric("store_failure");
            let carrier = self.carrier;
            tracing::error!(%carrier, %error, "could not store a webhook");
            // The carrier is verified: it may read why (e.g. the spool is full).
            Box::new(text(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("storage failure: {error}; please retry"),
            ))
        })
    }

    /// Counts what was stored; a message the engine refused for its entry
    /// point joins `unknown`.
    fn tally(
        &self,
        messages: &[&InboundMessage],
        statuses: &[StatusUpdate],
        stored: &[Stored],
        unknown: &mut Vec<String>,
    ) -> Tally {
        let carrier = self.carrier;
        let (stored_messages, stored_updates) = stored.split_at(messages.len().min(stored.len()));
        let mut tally = Tally::default();
        for (m, outcome) in messages.iter().zip(stored_messages) {
            match outcome {
                Stored::Queued => {
                    tally.accepted += 1;
                    tracing::info!(%carrier, sid = %m.carrier_message_id, "inbound SMS stored in the shared inbox");
                }
                Stored::Done(Ok(done)) if done.duplicate => tally.duplicates += 1,
                Stored::Done(Ok(done)) => {
                    tally.accepted += 1;
                    tracing::info!(%carrier, sid = %m.carrier_message_id, conversation = done.conversation().map(|c| c.0), "inbound SMS stored");
                    tracing::debug!(%carrier, sid = %m.carrier_message_id, body = %m.body, "inbound SMS body");
                }
                Stored::Done(Err(Rejection::UnknownEntryPoint(n))) => unknown.push(n.to_string()),
                Stored::Done(Err(rejection)) => unknown.push(format!("{} ({rejection})", m.to)),
            }
        }
        for (update, outcome) in statuses.iter().zip(stored_updates) {
            match outcome {
                Stored::Queued | Stored::Done(Ok(_)) => tally.accepted += 1,
                // Not ours, or of a closed conversation: acknowledge so the carrier stops.
                Stored::Done(Err(rejection)) => {
                    tally.duplicates += 1;
                    tracing::info!(%carrier, provider_id = %update.provider_id, %rejection, "status callback ignored");
                }
            }
        }
        tally
    }

    /// Step 5: an SMS to a number with no entry point is kept (if signed);
    /// answered 422 if nothing else of the request was stored.
    fn unknown_numbers(&self, unknown: &[String], tally: &Tally) -> Option<Response> {
        if unknown.is_empty() {
            return None;
        }
        self.metric("unknown_number");
        let numbers = unknown.join(", ");
        let nothing_stored = tally.accepted + tally.duplicates == 0;
        match self.keep(format!("no entry point for {numbers}")) {
            // Not kept, so not acknowledged, the stored ones with it: the
            // carrier retries the whole request, and they are duplicates then.
            Keeping::Refused(refused) => Some(storage_full(&refused)),
            Keeping::Kept if nothing_stored => Some(text(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("no entry point is configured for {numbers}; the message is kept"),
            )),
            Keeping::Unsigned if nothing_stored => Some(text(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "no entry point is configured for {numbers}; the message is not kept (its signature could not be confirmed)"
                ),
            )),
            Keeping::Kept | Keeping::Unsigned => None,
        }
    }
}

/// How many of a request's messages and statuses were taken.
#[derive(Default)]
struct Tally {
    accepted: usize,
    duplicates: usize,
}

/// Step 4's answer: what the plugin said to answer.
fn respond(answer: HttpResponse) -> Response {
    let mut response = (
        StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK),
        answer.body,
    )
        .into_response();
    for (k, v) in answer.headers {
        if let (Ok(k), Ok(v)) = (HeaderName::try_from(k), HeaderValue::try_from(v)) {
            response.headers_mut().append(k, v);
        }
    }
    response
}
