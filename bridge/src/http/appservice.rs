//! The application-service API the homeserver calls (appservice mode):
//!
//! - `PUT /_matrix/app/v1/transactions/{txnId}`: events pushed to smsdesk.
//!   Stored durably in the inbox, then answered 200 `{}`; a txnId seen
//!   before is answered 200 without being stored again.
//! - `POST /_matrix/app/v1/ping`: 200 `{}` (the homeserver's reachability check).
//! - anything else under `/_matrix/app/`: 404 `M_UNRECOGNIZED`.
//!
//! Every request must carry the registration's `hs_token` (`Authorization:
//! Bearer`, or the legacy `access_token` query parameter): none is 401
//! `M_UNAUTHORIZED`, a wrong one 403 `M_FORBIDDEN`; either way nothing is
//! stored. A body that is not a transaction is 400 `M_BAD_JSON`.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::appservice::inbox::{Accepted, StoredTxn};
use crate::appservice::Appservice;
use crate::metrics::Metrics;

/// What the appservice routes need: taken by any instance on a shared store.
#[derive(Clone, Debug)]
pub struct Pushed {
    /// `None` in bot mode (every request is `M_UNRECOGNIZED`).
    pub appservice: Option<Arc<Appservice>>,
    pub metrics: Arc<Metrics>,
}

/// `/_matrix/app/…`.
pub fn routes(pushed: Pushed) -> axum::Router {
    use axum::extract::DefaultBodyLimit;
    use axum::routing::{any, post, put};
    axum::Router::new()
        .route(
            "/_matrix/app/v1/transactions/{txn_id}",
            put(transaction).layer(DefaultBodyLimit::max(MAX_TRANSACTION)),
        )
        .route("/_matrix/app/v1/ping", post(ping))
        .route("/_matrix/app/{*rest}", any(unrecognized))
        .with_state(Arc::new(pushed))
}

/// The largest transaction taken (Synapse sends up to 100 events, each at
/// most 64 KiB, with ephemeral events beside them).
pub const MAX_TRANSACTION: usize = 16 << 20;

fn matrix_error(status: StatusCode, errcode: &str, error: &str) -> Response {
    (status, Json(serde_json::json!({ "errcode": errcode, "error": error }))).into_response()
}

fn ok() -> Response {
    (StatusCode::OK, Json(serde_json::json!({}))).into_response()
}

/// The token the request presents, if any.
fn presented<'a>(headers: &'a HeaderMap, query: Option<&'a str>) -> Option<std::borrow::Cow<'a, str>> {
    if let Some(value) = headers.get(axum::http::header::AUTHORIZATION) {
        let value = value.to_str().ok()?;
        return value.strip_prefix("Bearer ").map(|t| t.trim().into());
    }
    form_urlencoded::parse(query?.as_bytes())
        .find(|(k, _)| k == "access_token")
        .map(|(_, v)| v)
}

/// Why a request is not taken.
#[derive(Debug)]
enum Refused {
    BotMode,
    NoToken,
    WrongToken,
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        match self {
            Self::BotMode => matrix_error(
                StatusCode::NOT_FOUND,
                "M_UNRECOGNIZED",
                "smsdesk runs in bot mode (matrix.mode); it takes no appservice requests",
            ),
            Self::NoToken => matrix_error(
                StatusCode::UNAUTHORIZED,
                "M_UNAUTHORIZED",
                "missing the hs_token (Authorization: Bearer)",
            ),
            Self::WrongToken => matrix_error(
                StatusCode::FORBIDDEN,
                "M_FORBIDDEN",
                "the token is not this appservice's hs_token",
            ),
        }
    }
}

/// The appservice, when the request is from its homeserver.
fn authorized(state: &Pushed, headers: &HeaderMap, query: Option<&str>) -> Result<Arc<Appservice>, Refused> {
    let Some(appservice) = &state.appservice else {
        return Err(Refused::BotMode);
    };
    match presented(headers, query) {
        None => Err(Refused::NoToken),
        Some(token) if appservice.is_homeserver(&token) => Ok(appservice.clone()),
        Some(_) => {
            state.metrics.appservice_transaction("forbidden");
            Err(Refused::WrongToken)
        }
    }
}

/// What a transaction must look like before it is kept.
#[derive(serde::Deserialize)]
struct Transaction {
    events: Vec<serde_json::Map<String, serde_json::Value>>,
}

pub async fn transaction(
    State(state): State<Arc<Pushed>>,
    Path(txn_id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let appservice = match authorized(&state, &headers, query.as_deref()) {
        Ok(a) => a,
        Err(refusal) => return refusal.into_response(),
    };
    let body = match std::str::from_utf8(&body) {
        Ok(text) => text.to_owned(),
        Err(_) => return matrix_error(StatusCode::BAD_REQUEST, "M_NOT_JSON", "the body is not UTF-8 JSON"),
    };
    let events = match serde_json::from_str::<Transaction>(&body) {
        Ok(t) => {
            tracing::debug!(txn = %txn_id, events = t.events.len(), "appservice transaction received");
            t.events
        }
        Err(e) => {
            state.metrics.appservice_transaction("bad");
            return matrix_error(
                StatusCode::BAD_REQUEST,
                "M_BAD_JSON",
                &format!("not a transaction (a JSON object with an \"events\" list of events): {e}"),
            );
        }
    };
    let ids = events.iter().filter_map(|e| e.get("event_id")?.as_str());
    let txn = StoredTxn {
        txn_id: crate::appservice::inbox::identity(&txn_id, ids),
        body,
    };
    let failpoint = Failpoint::from_env().filter(|f| f.matches(&txn));
    let kept = appservice.clone();
    let accepted = tokio::task::spawn_blocking(move || kept.inbox.accept(&txn)).await;
    match accepted {
        Ok(Ok(Accepted::Queued)) => {
            state.metrics.appservice_transaction("queued");
            if let Some(failpoint) = failpoint {
                failpoint.exit_soon();
            } else {
                appservice.wake.notify_one();
            }
            ok()
        }
        Ok(Ok(Accepted::Duplicate)) => {
            state.metrics.appservice_transaction("duplicate");
            ok()
        }
        Ok(Err(error)) => {
            tracing::error!(%error, "cannot store an appservice transaction; the homeserver will send it again");
            matrix_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "M_UNKNOWN",
                "cannot store the transaction yet",
            )
        }
        Err(error) => {
            tracing::error!(%error, "storing an appservice transaction failed");
            matrix_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "M_UNKNOWN",
                "cannot store the transaction yet",
            )
        }
    }
}

pub async fn ping(State(state): State<Arc<Pushed>>, RawQuery(query): RawQuery, headers: HeaderMap) -> Response {
    match authorized(&state, &headers, query.as_deref()) {
        Ok(_) => ok(),
        Err(refusal) => refusal.into_response(),
    }
}

/// The user and room queries, third-party lookups: smsdesk makes its
/// ghosts itself and has no aliases or protocols to offer.
pub async fn unrecognized(State(state): State<Arc<Pushed>>, RawQuery(query): RawQuery, headers: HeaderMap) -> Response {
    match authorized(&state, &headers, query.as_deref()) {
        Ok(_) => matrix_error(
            StatusCode::NOT_FOUND,
            "M_UNRECOGNIZED",
            "smsdesk does not serve this request",
        ),
        Err(refusal) => refusal.into_response(),
    }
}

/// A test hook: `SMSDESK_FAILPOINT=appservice-exit-after-ack:<text>` ends
/// the process just after acknowledging the first transaction whose body
/// holds `<text>`, before it is handled, as a SIGKILL at that moment
/// would; the desk leaves such a transaction alone while the hook is set.
/// Unset in production.
#[derive(Debug)]
pub struct Failpoint {
    text: String,
}

impl Failpoint {
    pub fn from_env() -> Option<Self> {
        let value = std::env::var("SMSDESK_FAILPOINT").ok()?;
        let text = value.strip_prefix("appservice-exit-after-ack:")?;
        Some(Self { text: text.to_owned() })
    }

    pub fn matches(&self, txn: &StoredTxn) -> bool {
        txn.body.contains(&self.text)
    }

    fn exit_soon(&self) {
        tracing::warn!("failpoint appservice-exit-after-ack: exiting once the 200 is sent");
        tokio::spawn(async {
            tokio::time::sleep(Duration::from_millis(200)).await;
            std::process::exit(137);
        });
    }
}
