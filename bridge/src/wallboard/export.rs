//! `GET /supervisor/export?since=&until=&format=&queue=`: `smsdesk export`
//! through the running server (`crate::export`), read page by page
//! between engine batches. The operator's bearer token exports every
//! queue (what `smsdesk export` sends); a signed-in supervisor gets only
//! conversations of their queues, with their customers' real numbers
//! (exports are never masked). Refusals are plain text, for scripts.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{Only, Wallboard};
use crate::export::Format;
use crate::http::failure_limit::Source;

#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    /// Required unless `conversation` names the one conversation to export.
    since: Option<String>,
    conversation: Option<u64>,
    until: Option<String>,
    format: Option<Format>,
    queue: Option<String>,
}

pub async fn export(
    State(wb): State<Arc<Wallboard>>,
    source: Source,
    headers: HeaderMap,
    Query(q): Query<ExportQuery>,
) -> Response {
    let viewer = match wb.viewer(&headers, source) {
        Ok(v) => v,
        // The sign-in page is no answer for a script.
        Err(refusal) if refusal.0.status() == StatusCode::UNAUTHORIZED => {
            let mut r = (
                StatusCode::UNAUTHORIZED,
                "export needs Authorization: Bearer <supervisor.token>, or a wallboard sign-in\n",
            )
                .into_response();
            if let Some(clear) = refusal.0.headers().get(header::SET_COOKIE) {
                r.headers_mut().insert(header::SET_COOKIE, clear.clone());
            }
            return r;
        }
        Err(refusal) => return refusal.into_response(),
    };
    let only = Only {
        queue: q.queue.clone(),
        lang: None,
    };
    let scope = match wb.scope(&viewer, &only, &headers) {
        Ok(s) => s,
        Err(refusal) => return refusal.into_response(),
    };
    let format = q.format.unwrap_or(Format::Jsonl);
    if let Some(id) = q.conversation {
        let queues = scope.filter().map(<[_]>::to_vec);
        let one = wb
            .app
            .read_store(move |s| crate::export::one(s, smsdesk_core::ConversationId(id), queues.as_deref()))
            .await;
        let records = match one {
            Ok(Ok(Some(r))) => vec![r],
            // Another queue's conversation is as unknown as a missing one.
            Ok(Ok(None)) => {
                return (StatusCode::NOT_FOUND, format!("no conversation #{id} in your queues\n")).into_response()
            }
            Ok(Err(error)) => return (StatusCode::INTERNAL_SERVER_ERROR, format!("{error}\n")).into_response(),
            Err(gone) => return (StatusCode::SERVICE_UNAVAILABLE, format!("{gone}\n")).into_response(),
        };
        let mut out = Vec::new();
        if let Err(why) = crate::export::write(&records, format, true, &mut out) {
            return (StatusCode::INTERNAL_SERVER_ERROR, format!("{why}\n")).into_response();
        }
        return exported(out, format, 1);
    }
    let Some(since) = q.since.as_deref() else {
        return (
            StatusCode::BAD_REQUEST,
            "export needs since= (or conversation=<number>)\n",
        )
            .into_response();
    };
    let parsed = crate::export::parse_time(since).and_then(|since| {
        let until = q.until.as_deref().map(crate::export::parse_time).transpose()?;
        Ok((since, until))
    });
    let (since, until) = match parsed {
        Ok(p) => p,
        Err(why) => return (StatusCode::BAD_REQUEST, format!("{why}\n")).into_response(),
    };
    let queues = scope.filter().map(<[_]>::to_vec);
    let (mut out, mut count, mut after) = (Vec::new(), 0usize, None);
    loop {
        let queues = queues.clone();
        let page = wb
            .app
            .read_store(move |s| crate::export::page(s, after, since, until, queues.as_deref()))
            .await;
        let (records, next) = match page {
            Ok(Ok(p)) => p,
            Ok(Err(error)) => return (StatusCode::INTERNAL_SERVER_ERROR, format!("{error}\n")).into_response(),
            Err(gone) => return (StatusCode::SERVICE_UNAVAILABLE, format!("{gone}\n")).into_response(),
        };
        if let Err(why) = crate::export::write(&records, format, after.is_none() && count == 0, &mut out) {
            return (StatusCode::INTERNAL_SERVER_ERROR, format!("{why}\n")).into_response();
        }
        count += records.len();
        match next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    exported(out, format, count)
}

/// The export's answer: its type, not cached, and how many conversations.
fn exported(out: Vec<u8>, format: Format, count: usize) -> Response {
    let content_type = match format {
        Format::Jsonl => "application/jsonl",
        Format::Csv => "text/csv; charset=utf-8",
    };
    let mut r = out.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&count.to_string()) {
        h.insert("x-smsdesk-count", v);
    }
    r
}
