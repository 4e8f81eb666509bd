//! `POST /webhooks/{carrier}/{inbound|status}`.
//!
//! 1. Find the carrier (404 if unknown) and read the body (413 over the limit).
//! 2. Hand the exact request to the carrier's plugin, with the URL rebuilt
//!    from `http.public_url` (what the carrier signed).
//! 3. Bad signature ⇒ 403, malformed ⇒ 400: nothing changes. What the
//!    plugin parsed is checked too (`inbound_check`): a bad sender, id or
//!    text ⇒ 400, nothing of it reaches the store, and the raw request is
//!    kept for the operator.
//! 4. Commit every message durably (all are submitted before any is
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
use smsdesk_core::{CarrierMessageId, CarrierName, Command, CustomerNumber, EntryNumber, InboundSms, Rejection};
use smsdesk_plugins::carrier::{HttpRequest, WebhookError, WebhookKind};

use super::inbound_check;
use super::sink::{Stored, WebhookSink};
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

pub async fn webhook<S: WebhookSink>(
    State(state): State<Arc<S>>,
    Path((carrier, kind)): Path<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let kind_label = kind.clone();
    let metric = |outcome: &str| state.parts().metrics.webhook(&carrier, &kind_label, outcome);
    let kind = match kind.as_str() {
        "inbound" => WebhookKind::Inbound,
        "status" => WebhookKind::Status,
        _ => {
            return text(
                StatusCode::NOT_FOUND,
                format!("no such webhook {kind:?}; use inbound or status"),
            )
        }
    };
    let Some(watched) = state.parts().carriers.get(&carrier) else {
        // A fixed label: the path segment is unauthenticated input.
        state.parts().metrics.webhook("unknown", &kind_label, "unknown_carrier");
        tracing::warn!(%carrier, "webhook for an unknown carrier");
        return text(StatusCode::NOT_FOUND, format!("unknown carrier {carrier:?}"));
    };
    let body = match body {
        Ok(b) => b,
        Err(rejection) => {
            let status = rejection.status();
            metric(if status == StatusCode::PAYLOAD_TOO_LARGE {
                "too_large"
            } else {
                "malformed"
            });
            tracing::warn!(%carrier, %status, "webhook body refused: {}", rejection.body_text());
            return text(
                status,
                if status == StatusCode::PAYLOAD_TOO_LARGE {
                    format!("body over the limit of {} bytes", state.parts().config.max_body)
                } else {
                    rejection.body_text()
                },
            );
        }
    };
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
        .then(|| tokio::task::block_in_place(|| state.parts().dead_letters.received_at(&carrier, kind, &request)))
        .flatten();
    let on_disk = kept_at.is_some();
    request.received_at_ms = Some(kept_at.unwrap_or_else(|| smsdesk_engine::clock::now().0));
    let plugin = watched.get();
    let call_request = request.clone();
    let judged = tokio::task::spawn_blocking(move || plugin.judge_webhook(kind, &call_request)).await;
    // Only a request whose signature the host confirmed may be kept: anyone
    // can send an unsigned one, and keeping those would let a flood fill
    // the disk. A carrier whose plugin asks the host for no signature
    // check has nothing kept.
    let signed = judged.as_ref().is_ok_and(|j| j.signature_verified);
    let outcome = judged.map(|j| j.outcome);
    let keep = |reason: String| -> Keeping {
        if on_disk {
            tracing::warn!(%carrier, %reason, "replayed request refused again; the kept copy stays");
            return Keeping::Kept;
        }
        if !signed {
            state.parts().dead_letters.refused_unsigned();
            tracing::warn!(%carrier, %reason, "webhook not kept: its signature was never confirmed");
            return Keeping::Unsigned;
        }
        let letter = DeadLetter {
            carrier: carrier.clone(),
            kind,
            reason,
            received_at_ms: request.received_at_ms.unwrap_or_else(|| smsdesk_engine::clock::now().0),
            request: request.clone(),
        };
        match tokio::task::block_in_place(|| state.parts().dead_letters.keep(&letter)) {
            Ok(path) => {
                tracing::warn!(%carrier, reason = %letter.reason, kept = %path.display(), "webhook kept for replay");
                Keeping::Kept
            }
            Err(refused) => {
                tracing::error!(%carrier, reason = %letter.reason, %refused, "could not keep the webhook for replay; answered 503 so the carrier retries");
                Keeping::Refused(refused)
            }
        }
    };
    let result = match outcome {
        Ok(Ok(r)) => r,
        Ok(Err(error)) => {
            metric("plugin_failure");
            return match keep(error.to_string()) {
                Keeping::Kept => text(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the carrier plugin failed; the request is kept and can be retried",
                ),
                Keeping::Unsigned => text(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the carrier plugin could not judge this request; please retry",
                ),
                Keeping::Refused(refused) => storage_full(&refused),
            };
        }
        Err(join) => {
            metric("plugin_failure");
            tracing::error!(%carrier, error = %join, "the carrier plugin's call panicked the host thread");
            return text(StatusCode::SERVICE_UNAVAILABLE, "internal error; please retry");
        }
    };
    let result = match result {
        Ok(r) => r,
        Err(WebhookError::BadSignature(why)) => {
            metric("bad_signature");
            // The URL the signature was checked against: with a wrong
            // `public_url` every signature fails, and this names it.
            tracing::warn!(%carrier, %why, url = %request.url, "webhook with a bad signature refused (checked against this URL; is public_url the one the carrier calls?)");
            return text(StatusCode::FORBIDDEN, format!("bad signature: {why}"));
        }
        Err(WebhookError::Malformed(why)) => {
            metric("malformed");
            tracing::warn!(%carrier, %why, "malformed webhook refused");
            return text(StatusCode::BAD_REQUEST, format!("malformed request: {why}"));
        }
        Err(WebhookError::RetryLater(why)) => {
            metric("plugin_failure");
            tracing::error!(%carrier, %why, "the carrier plugin cannot judge webhooks now; check this carrier's config");
            return match keep(format!("the plugin cannot judge it now: {why}")) {
                Keeping::Kept => text(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "this request cannot be processed now; it is kept and can be retried",
                ),
                Keeping::Unsigned => text(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "this request cannot be verified now; please retry",
                ),
                Keeping::Refused(refused) => storage_full(&refused),
            };
        }
    };

    // Sane fields, or nothing of this request is stored.
    let checked = result
        .messages
        .iter()
        .map(inbound_check::inbound)
        .chain(result.statuses.iter().map(inbound_check::status))
        .collect::<Result<Vec<()>, _>>();
    if let Err(refused) = checked {
        metric("malformed");
        tracing::warn!(%carrier, %refused, "webhook with a field smsdesk does not store refused");
        if let Keeping::Refused(full) = keep(format!("refused: {refused}")) {
            // Kept for the operator, or the carrier retries until it can be.
            return storage_full(&full);
        }
        return text(StatusCode::BAD_REQUEST, format!("malformed request: {refused}"));
    }

    // Every message and status becomes a command; all are stored at once
    // (one group commit, or one insert into the shared inbox) before we answer.
    let mut unknown = Vec::new();
    let mut commands = Vec::new();
    let mut messages = Vec::new();
    for m in &result.messages {
        let Ok(to) = EntryNumber::parse(&m.to) else {
            unknown.push(m.to.clone());
            continue;
        };
        messages.push(m);
        commands.push(Command::ReceiveSms(InboundSms {
            carrier: CarrierName::new(carrier.clone()),
            carrier_message_id: CarrierMessageId::new(m.carrier_message_id.clone()),
            from: CustomerNumber::new(m.from.clone()),
            to,
            body: m.body.clone(),
            media: m.media_urls.clone(),
        }));
    }
    for update in &result.statuses {
        use smsdesk_core::model::Delivery;
        use smsdesk_plugins::carrier::DeliveryState as S;
        let status = match update.state {
            S::Accepted | S::Scheduled | S::Queued | S::Sending | S::Sent => Delivery::Sent,
            S::Delivered => Delivery::Delivered,
            S::Read => Delivery::Read,
            S::Undelivered | S::Failed | S::Canceled => Delivery::Failed,
        };
        commands.push(Command::RecordDelivery {
            carrier: CarrierName::new(carrier.clone()),
            provider_id: update.provider_id.clone(),
            status,
            error_code: update.error_code.clone(),
            opted_out: update.opted_out,
        });
    }
    let stored = match state.store(commands).await {
        Ok(s) => s,
        Err(error) => {
            metric("store_failure");
            tracing::error!(%carrier, %error, "could not store a webhook");
            // The carrier is verified: it may read why (e.g. the spool is full).
            return text(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("storage failure: {error}; please retry"),
            );
        }
    };
    let (stored_messages, stored_updates) = stored.split_at(messages.len().min(stored.len()));
    let mut accepted = 0;
    let mut duplicates = 0;
    for (m, outcome) in messages.iter().zip(stored_messages) {
        match outcome {
            Stored::Queued => {
                accepted += 1;
                tracing::info!(%carrier, sid = %m.carrier_message_id, "inbound SMS stored in the shared inbox");
            }
            Stored::Done(Ok(done)) if done.duplicate => duplicates += 1,
            Stored::Done(Ok(done)) => {
                accepted += 1;
                tracing::info!(%carrier, sid = %m.carrier_message_id, conversation = done.conversation().map(|c| c.0), "inbound SMS stored");
                tracing::debug!(%carrier, sid = %m.carrier_message_id, body = %m.body, "inbound SMS body");
            }
            Stored::Done(Err(Rejection::UnknownEntryPoint(n))) => unknown.push(n.to_string()),
            Stored::Done(Err(rejection)) => unknown.push(format!("{} ({rejection})", m.to)),
        }
    }
    for (update, outcome) in result.statuses.iter().zip(stored_updates) {
        match outcome {
            Stored::Queued | Stored::Done(Ok(_)) => accepted += 1,
            // Not ours, or of a closed conversation: acknowledge so the carrier stops.
            Stored::Done(Err(rejection)) => {
                duplicates += 1;
                tracing::info!(%carrier, provider_id = %update.provider_id, %rejection, "status callback ignored");
            }
        }
    }
    if !unknown.is_empty() {
        metric("unknown_number");
        let numbers = unknown.join(", ");
        match keep(format!("no entry point for {numbers}")) {
            // Not kept, so not acknowledged, the stored ones with it: the
            // carrier retries the whole request, and they are duplicates then.
            Keeping::Refused(refused) => return storage_full(&refused),
            Keeping::Kept if accepted + duplicates == 0 => {
                return text(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!("no entry point is configured for {numbers}; the message is kept"),
                );
            }
            Keeping::Unsigned if accepted + duplicates == 0 => {
                return text(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!(
                        "no entry point is configured for {numbers}; the message is not kept (its signature could not be confirmed)"
                    ),
                );
            }
            Keeping::Kept | Keeping::Unsigned => {}
        }
    }
    metric(if accepted == 0 && duplicates > 0 {
        "duplicate"
    } else {
        "accepted"
    });
    let mut response = (
        StatusCode::from_u16(result.response.status).unwrap_or(StatusCode::OK),
        result.response.body,
    )
        .into_response();
    for (k, v) in result.response.headers {
        if let (Ok(k), Ok(v)) = (HeaderName::try_from(k), HeaderValue::try_from(v)) {
            response.headers_mut().append(k, v);
        }
    }
    response
}
