//! How the bot writes to a room, and what a failed write means.
//!
//! - Every write from the event feed carries a transaction id derived from
//!   the event it shows (`Txns`: store identity, sequence number, part), so
//!   a write repeated after a crash or a half-failed post is the same
//!   request to the homeserver, which answers it once.
//! - An edit's fallback (`body`, and `formatted_body` when there is one)
//!   carries the full new text, not just `"* "`.
//! - What needs an agent's action (an offer, a customer's message, the
//!   wrap-up list) is an `alert`: an `m.text` that mentions them in
//!   `m.mentions`, which default push rules notify with a sound. The
//!   rest are notices, which default push rules keep quiet.
//! - `PostError` says, as a type, whether a failed write is retried (the
//!   homeserver or our login is the problem) or skipped (this one write is
//!   refused for good).

use matrix_sdk::room::Room;
use matrix_sdk::ruma::api::error::{ErrorBody, ErrorKind, StandardErrorBody};
use matrix_sdk::ruma::events::reaction::ReactionEventContent;
use matrix_sdk::ruma::events::relation::{Annotation, Replacement};
use matrix_sdk::ruma::events::room::message::{
    Relation, RoomMessageEventContent, RoomMessageEventContentWithoutRelation,
};
use matrix_sdk::ruma::events::Mentions;
use matrix_sdk::ruma::{OwnedEventId, OwnedTransactionId, OwnedUserId};

use crate::matrix::texts::rich::Text;

/// Transaction ids for the writes that show one engine event: each write
/// has a part name of its own ("card", "close", "room", …), so the same
/// event gives the same ids on every retry, whichever writes succeeded
/// before. The base holds the store identity, the sequence number and the
/// event's time, so a store restored from a backup (same identity, older
/// sequence numbers) never reuses an id for another event.
#[derive(Debug)]
pub struct Txns {
    base: String,
}

impl Txns {
    pub fn for_event(identity: &str, seq: u64, at: smsdesk_core::Timestamp) -> Self {
        Self {
            base: format!("smsdesk.{identity}.{seq}.{}", at.0),
        }
    }

    /// For answers to an agent's message: one answer per message, also
    /// when a sync is replayed.
    pub fn for_answer(event: &matrix_sdk::ruma::EventId) -> Self {
        Self {
            base: format!("smsdesk.answer.{event}"),
        }
    }

    /// The id of the write named `part`.
    pub fn part(&self, part: &str) -> OwnedTransactionId {
        format!("{}.{part}", self.base).into()
    }
}

/// A notice's content: plain, or HTML with its plain twin.
pub(in crate::matrix) fn notice_content(text: &Text) -> RoomMessageEventContent {
    match &text.html {
        Some(html) => RoomMessageEventContent::notice_html(text.plain.clone(), html.clone()),
        None => RoomMessageEventContent::notice_plain(text.plain.clone()),
    }
}

/// Posts a notice; with `txn`, a repeat is answered once by the homeserver.
pub async fn notice(
    room: &Room,
    text: impl Into<Text>,
    txn: Option<OwnedTransactionId>,
) -> matrix_sdk::Result<OwnedEventId> {
    let content = notice_content(&text.into());
    let request = room.send(content);
    let request = match txn {
        Some(t) => request.with_transaction_id(t),
        None => request,
    };
    Ok(request.await?.response.event_id)
}

/// What an agent must act on: an `m.text` that mentions `to` (their
/// client notifies them, with a sound by default push rules, even in a
/// room they are not looking at); with `txn`, as `notice`.
pub async fn alert(
    room: &Room,
    text: impl Into<Text>,
    to: impl IntoIterator<Item = OwnedUserId>,
    txn: Option<OwnedTransactionId>,
) -> matrix_sdk::Result<OwnedEventId> {
    let request = room.send(alert_content(&text.into(), to));
    let request = match txn {
        Some(t) => request.with_transaction_id(t),
        None => request,
    };
    Ok(request.await?.response.event_id)
}

/// An alert's content: `text` as `m.text`, mentioning `to`.
pub fn alert_content(text: &Text, to: impl IntoIterator<Item = OwnedUserId>) -> RoomMessageEventContent {
    let content = match &text.html {
        Some(html) => RoomMessageEventContent::text_html(text.plain.clone(), html.clone()),
        None => RoomMessageEventContent::text_plain(text.plain.clone()),
    };
    content.add_mentions(Mentions::with_user_ids(to))
}

/// A notice that replaces `event`'s text with `text`. Clients that show
/// edits show `text`; those that do not show the fallback, `* text`.
pub fn edit(event: OwnedEventId, text: impl Into<Text>) -> RoomMessageEventContent {
    let text = text.into();
    let new = RoomMessageEventContentWithoutRelation::from(notice_content(&text));
    let fallback = Text {
        plain: format!("* {}", text.plain),
        html: text.html.as_ref().map(|h| format!("* {h}")),
    };
    let mut content = notice_content(&fallback);
    content.relates_to = Some(Relation::Replacement(Replacement::new(event, new)));
    content
}

pub async fn send_edit(
    room: &Room,
    event: OwnedEventId,
    text: impl Into<Text>,
    txn: Option<OwnedTransactionId>,
) -> matrix_sdk::Result<()> {
    let request = room.send(edit(event, text));
    match txn {
        Some(t) => request.with_transaction_id(t).await?,
        None => request.await?,
    };
    Ok(())
}

pub async fn react(room: &Room, event: OwnedEventId, key: &str, txn: OwnedTransactionId) -> matrix_sdk::Result<()> {
    room.send(ReactionEventContent::new(Annotation::new(event, key.to_owned())))
        .with_transaction_id(txn)
        .await?;
    Ok(())
}

/// A post that failed: try again (in order, with backoff), or skip it.
#[derive(Debug, thiserror::Error)]
pub enum PostError {
    /// The homeserver is down or overloaded, or refuses our login, or our
    /// own store failed: every later post would fail too, and skipping
    /// would lose them.
    #[error("{0:#}")]
    Retry(anyhow::Error),
    /// This one post is refused for good (400, 403, 404, 413), or there is
    /// nowhere to post it: waiting would stall every later notice.
    #[error("{0:#}")]
    Skip(anyhow::Error),
}

impl PostError {
    pub fn skip(why: impl Into<anyhow::Error>) -> Self {
        Self::Skip(why.into())
    }

    pub fn retry(why: impl Into<anyhow::Error>) -> Self {
        Self::Retry(why.into())
    }
}

impl PostError {
    /// Skip when the homeserver refused this one request for good; retry otherwise.
    fn classify(refused: bool, error: anyhow::Error) -> Self {
        if refused {
            Self::Skip(error)
        } else {
            Self::Retry(error)
        }
    }
}

impl From<matrix_sdk::Error> for PostError {
    fn from(error: matrix_sdk::Error) -> Self {
        let refused = error.as_client_api_error().is_some_and(refused_for_good);
        Self::classify(refused, error.into())
    }
}

impl From<matrix_sdk::HttpError> for PostError {
    fn from(error: matrix_sdk::HttpError) -> Self {
        let refused = error.as_client_api_error().is_some_and(refused_for_good);
        Self::classify(refused, error.into())
    }
}

impl From<smsdesk_engine::store::StoreError> for PostError {
    fn from(error: smsdesk_engine::store::StoreError) -> Self {
        Self::Retry(error.into())
    }
}

impl From<crate::app::EngineGone> for PostError {
    fn from(error: crate::app::EngineGone) -> Self {
        Self::Retry(error.into())
    }
}

/// 400, 403, 404, 413 refuse one request; but 401 (our token) and 403
/// M_RESOURCE_LIMIT_EXCEEDED (the whole server) would refuse every one.
fn refused_for_good(api: &matrix_sdk::ruma::api::error::Error) -> bool {
    let server_wide = matches!(
        &api.body,
        ErrorBody::Standard(StandardErrorBody {
            kind: ErrorKind::ResourceLimitExceeded { .. },
            ..
        })
    );
    matches!(api.status_code.as_u16(), 400 | 403 | 404 | 413) && !server_wide
}

#[cfg(test)]
mod tests {
    use super::*;
    use matrix_sdk::ruma::owned_event_id;

    fn refused(status: u16, kind: ErrorKind) -> PostError {
        use matrix_sdk::ruma::api::client::uiaa::UiaaResponse;
        use matrix_sdk::ruma::api::error::{Error, FromHttpResponseError};
        let body = ErrorBody::Standard(StandardErrorBody::new(kind, "refused".into()));
        let error = Error::new(reqwest::StatusCode::from_u16(status).expect("status"), body);
        let http = matrix_sdk::HttpError::Api(Box::new(FromHttpResponseError::Server(UiaaResponse::MatrixError(
            error,
        ))));
        PostError::from(matrix_sdk::Error::Http(Box::new(http)))
    }

    #[test]
    fn only_refusals_of_one_post_are_skipped() {
        assert!(matches!(refused(403, ErrorKind::Forbidden), PostError::Skip(_)));
        assert!(matches!(refused(404, ErrorKind::NotFound), PostError::Skip(_)));
        // Retried: the whole server or the bot's own login is the problem.
        let limit = ErrorKind::ResourceLimitExceeded(
            matrix_sdk::ruma::api::error::ResourceLimitExceededErrorData::new("mailto:ops".into()),
        );
        assert!(matches!(refused(403, limit), PostError::Retry(_)));
        assert!(matches!(refused(401, ErrorKind::Forbidden), PostError::Retry(_)));
        assert!(matches!(refused(429, ErrorKind::Forbidden), PostError::Retry(_)));
        assert!(matches!(refused(502, ErrorKind::Unknown), PostError::Retry(_)));
    }

    #[test]
    fn an_edit_falls_back_to_the_full_new_text() {
        let content = edit(owned_event_id!("$card"), "Offer #3 — accepted.");
        let json = serde_json::to_value(&content).expect("json");
        assert_eq!(json["body"], "* Offer #3 — accepted.");
        assert_eq!(json["m.new_content"]["body"], "Offer #3 — accepted.");
        assert_eq!(json["m.relates_to"]["rel_type"], "m.replace");
        assert_eq!(json["m.relates_to"]["event_id"], "$card");
        // No formatted body that would say only "* ".
        assert!(json.get("formatted_body").is_none(), "{json}");
    }

    #[test]
    fn the_same_event_gives_the_same_transaction_ids() {
        use smsdesk_core::Timestamp;
        let at = Timestamp(1_000);
        let (a, b) = (Txns::for_event("id1", 42, at), Txns::for_event("id1", 42, at));
        assert_eq!(a.part("card"), b.part("card"));
        assert_ne!(a.part("card"), a.part("close"));
        // Another event, another log, or the same number after a restore: other ids.
        assert_ne!(Txns::for_event("id1", 43, at).part("card"), a.part("card"));
        assert_ne!(Txns::for_event("id2", 42, at).part("card"), a.part("card"));
        assert_ne!(
            Txns::for_event("id1", 42, Timestamp(2_000)).part("card"),
            a.part("card")
        );
    }
}
