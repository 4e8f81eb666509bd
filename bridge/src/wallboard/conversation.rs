//! `GET /supervisor/conversation?id=N`: one conversation, read only, as
//! the agents board links it: the supervisor room's `!history` transcript
//! (every message and state change with its local time) on a page in the
//! viewer's language. Only a conversation of the viewer's queues; another
//! queue's is answered exactly as one that does not exist, so its number
//! tells nothing. Nothing on the page acts.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use maud::{html, DOCTYPE};
use serde::Deserialize;
use smsdesk_core::ConversationId;

use super::style::head;
use super::{admit, page, Only, Wallboard};
use crate::http::failure_limit::Source;
use crate::tr;

#[derive(Debug, Deserialize)]
pub struct Wanted {
    id: u64,
    lang: Option<String>,
}

pub async fn conversation(
    State(wb): State<Arc<Wallboard>>,
    source: Source,
    headers: HeaderMap,
    Query(wanted): Query<Wanted>,
) -> Response {
    let only = Only {
        queue: None,
        lang: wanted.lang.clone(),
    };
    let (viewer, scope) = match admit(&wb, &headers, source, &only) {
        Ok(v) => v,
        Err(refusal) => return refusal.into_response(),
    };
    let lang = wb.page_lang(wanted.lang.as_deref(), Some(&viewer), &headers);
    let id = ConversationId(wanted.id);
    let found = wb.app.read(move |e| crate::export::transcript(e, id)).await;
    let (c, records, zone) = match found {
        Ok(Ok((Some(c), records, zone))) if scope.allows(&c.queue) => (c, records, zone),
        Ok(Ok(_)) => {
            let text = tr!(lang, "wallboard-no-conversation", id = id.to_string());
            return (StatusCode::NOT_FOUND, format!("{text}\n")).into_response();
        }
        Ok(Err(error)) => return (StatusCode::INTERNAL_SERVER_ERROR, format!("{error}\n")).into_response(),
        Err(gone) => return (StatusCode::SERVICE_UNAVAILABLE, format!("{gone}\n")).into_response(),
    };
    let zone = zone.unwrap_or(jiff::tz::TimeZone::UTC);
    let notices = crate::matrix::supervisor::answers::history(&lang, &c, &records, &zone);
    // The notices' first lines are headers ("…, continued:"): the page shows one.
    let mut lines = notices.iter().flat_map(|n| n.lines().skip(1)).collect::<Vec<_>>();
    let header = notices.first().and_then(|n| n.lines().next()).unwrap_or_default();
    lines.retain(|l| !l.is_empty());
    let title = tr!(lang, "wallboard-conversation-title", id = id.to_string());
    let markup = html! {
        (DOCTYPE)
        html lang=(lang.as_str()) {
            (head(&title))
            body {
                h1 { (title) }
                p { (header) }
                ol.transcript { @for l in &lines { li { (l) } } }
                p { a href=(format!("/supervisor?lang={}", lang.as_str())) { (lang.t("wallboard-back")) } }
            }
        }
    };
    let mut r = Html(markup.into_string()).into_response();
    page::harden(r.headers_mut());
    r
}
