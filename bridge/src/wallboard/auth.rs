//! Who is asking, and what they may see. Two ways in:
//!
//! - **the operator's key**, `supervisor.token`, as `Authorization: Bearer
//!   <token>` (scripts, monitoring, `smsdesk export` over HTTP): sees
//!   every queue. Compared as SHA-256 digests in constant time (neither
//!   the token's length nor a matching prefix shows in the timing), and
//!   only after the failure limiter let the request through;
//! - **a session cookie** (`session`), set by a sign-in (`signin`): a
//!   supervisor's Matrix identity, scoped to their `[[supervisors]]
//!   queues` (all if they list none), or the operator's key typed into the
//!   form (all queues).
//!
//! A request with an `Authorization` header is judged by it alone. An
//! unknown or expired cookie is not a failed guess (ids are 256 random
//! bits; a browser with a stale cookie must not lock its user out): it is
//! answered like no cookie at all, and cleared. Cross-site POSTs are
//! refused by `cross_site` (the cookie is `SameSite=Strict` too).

use axum::http::{header, HeaderMap};
use matrix_sdk::ruma::OwnedUserId;
use sha2::{Digest as _, Sha256};
use smsdesk_core::QueueName;
use subtle::ConstantTimeEq as _;

use crate::sessions::{cookie as session_cookie, SessionId, SessionKey};

/// The cookie's name.
pub const COOKIE: &str = "smsdesk_supervisor";

/// Who signed in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Who {
    /// The holder of `supervisor.token`.
    Operator,
    /// A `[[supervisors]]` entry, by their Matrix identity.
    Supervisor(OwnedUserId),
}

impl std::fmt::Display for Who {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Operator => f.write_str("the operator (supervisor.token)"),
            Self::Supervisor(user) => user.fmt(f),
        }
    }
}

/// The queues a viewer may see.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    All,
    Queues(Vec<QueueName>),
}

impl Scope {
    /// A `[[supervisors]]` entry's queues (none listed: all).
    pub fn of(queues: &[QueueName]) -> Self {
        if queues.is_empty() {
            Self::All
        } else {
            Self::Queues(queues.to_vec())
        }
    }

    /// As a filter for the figures and the export (`None`: every queue).
    pub fn filter(&self) -> Option<&[QueueName]> {
        match self {
            Self::All => None,
            Self::Queues(q) => Some(q),
        }
    }

    pub fn allows(&self, queue: &QueueName) -> bool {
        self.filter().is_none_or(|q| q.contains(queue))
    }

    /// Narrowed to `?queue=` when given. A queue outside the scope is
    /// refused with the same words whether or not it exists, so a scoped
    /// supervisor learns no other queue's name.
    pub fn narrowed(&self, wanted: Option<&str>, existing: &[QueueName]) -> Result<Self, Narrowing> {
        let Some(wanted) = wanted else {
            return Ok(self.clone());
        };
        let queue = QueueName::from(wanted);
        match self {
            Self::Queues(mine) if !mine.contains(&queue) => Err(Narrowing::NotYours {
                queue: wanted.to_owned(),
                queues: names(mine),
            }),
            Self::All if !existing.contains(&queue) => Err(Narrowing::NoSuchQueue {
                queue: wanted.to_owned(),
                queues: names(existing),
            }),
            _ => Ok(Self::Queues(vec![queue])),
        }
    }

    /// For the page: "all queues" or "billing, support".
    pub fn label(&self) -> String {
        match self {
            Self::All => "all queues".to_owned(),
            Self::Queues(q) => names(q),
        }
    }
}

/// Why `?queue=` cannot be shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Narrowing {
    /// 403: outside the viewer's queues (which are listed).
    NotYours { queue: String, queues: String },
    /// 404: the operator asked for a queue that does not exist.
    NoSuchQueue { queue: String, queues: String },
}

impl Narrowing {
    /// Why, in `lang`.
    pub fn text(&self, lang: &crate::i18n::Lang) -> String {
        match self {
            Self::NotYours { queue, queues } => crate::tr!(
                lang,
                "wallboard-not-your-queue",
                queue = queue.as_str(),
                queues = queues.as_str()
            ),
            Self::NoSuchQueue { queue, queues } => crate::tr!(
                lang,
                "wallboard-no-such-queue",
                queue = queue.as_str(),
                queues = queues.as_str()
            ),
        }
    }
}

fn names(queues: &[QueueName]) -> String {
    queues.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

/// Who is asking and what they may see.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Viewer {
    pub who: Who,
    pub scope: Scope,
    /// The session they came with (`None`: the bearer token).
    pub session: Option<SessionKey>,
}

impl Viewer {
    /// The bearer of `supervisor.token`.
    pub fn operator() -> Self {
        Self {
            who: Who::Operator,
            scope: Scope::All,
            session: None,
        }
    }
}

/// What a request's credentials say before any is checked.
#[derive(Debug, PartialEq, Eq)]
pub enum Presented {
    /// `Authorization: Bearer <token>`.
    Bearer(String),
    /// An `Authorization` header of another kind.
    BadAuthorization,
    /// A cookie of ours with the shape of a session id.
    Session(SessionId),
    /// A cookie of ours that cannot be a session id (e.g. an old or forged one).
    BadCookie,
    Nothing,
}

/// The credentials in `headers`.
pub fn presented(headers: &HeaderMap) -> Presented {
    if let Some(auth) = headers.get(header::AUTHORIZATION) {
        return match auth.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")) {
            Some(token) => Presented::Bearer(token.trim().to_owned()),
            None => Presented::BadAuthorization,
        };
    }
    match cookie(headers) {
        Some(value) => SessionId::parse(&value).map_or(Presented::BadCookie, Presented::Session),
        None => Presented::Nothing,
    }
}

/// Our cookie's value, if the request has it.
pub fn cookie(headers: &HeaderMap) -> Option<String> {
    session_cookie::read(headers, COOKIE)
}

/// Whether `given` is `token`, in constant time.
pub fn token_matches(given: &str, token: &str) -> bool {
    let (a, b): ([u8; 32], [u8; 32]) = (
        Sha256::digest(given.trim().as_bytes()).into(),
        Sha256::digest(token.as_bytes()).into(),
    );
    a.ct_eq(&b).into()
}

/// The `Set-Cookie` value for a new session; `Secure` when the public
/// URL is https.
pub fn set_cookie(id: &SessionId, max_age_s: u64, secure: bool) -> String {
    session_cookie::set(COOKIE, "/supervisor", id, max_age_s, secure)
}

/// The `Set-Cookie` value that removes the cookie.
pub fn clear_cookie(secure: bool) -> String {
    session_cookie::clear(COOKIE, "/supervisor", secure)
}

pub use session_cookie::cross_site;

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn credentials_are_told_apart() {
        assert_eq!(presented(&HeaderMap::new()), Presented::Nothing);
        assert_eq!(
            presented(&headers(&[("authorization", "Bearer abc ")])),
            Presented::Bearer("abc".into())
        );
        assert_eq!(
            presented(&headers(&[("authorization", "Basic abc")])),
            Presented::BadAuthorization
        );
        let id = "ab".repeat(32);
        let with_cookie = headers(&[("cookie", &format!("a=b; {COOKIE}={id}"))]);
        assert_eq!(
            presented(&with_cookie),
            Presented::Session(SessionId::parse(&id).unwrap())
        );
        // The old offline-checkable cookie, `issued.sha256(token, issued)`.
        let old = headers(&[("cookie", &format!("{COOKIE}=1800000000.{id}"))]);
        assert_eq!(presented(&old), Presented::BadCookie);
        // A bearer header wins over a cookie.
        let both = headers(&[("cookie", &format!("{COOKIE}={id}")), ("authorization", "Bearer t")]);
        assert_eq!(presented(&both), Presented::Bearer("t".into()));
    }

    #[test]
    fn tokens_compare_whole() {
        let token = "0123456789abcdef-secret";
        assert!(token_matches(" 0123456789abcdef-secret\n", token));
        assert!(!token_matches("0123456789abcdef-secre", token));
        assert!(!token_matches("", token));
    }

    #[test]
    fn scopes_narrow_without_naming_other_queues() {
        let all: Vec<QueueName> = vec!["billing".into(), "support".into()];
        let sue = Scope::of(&["billing".into()]);
        assert_eq!(sue.narrowed(None, &all), Ok(sue.clone()));
        assert_eq!(sue.narrowed(Some("billing"), &all), Ok(sue.clone()));
        let refusal = "you do not watch a queue \"support\"; your queues: billing";
        let why = sue.narrowed(Some("support"), &all).unwrap_err();
        assert_eq!(why.text(&crate::i18n::Lang::default()), refusal);
        assert!(matches!(
            sue.narrowed(Some("nope"), &all),
            Err(Narrowing::NotYours { .. })
        ));
        assert_eq!(Scope::of(&[]), Scope::All);
        assert_eq!(
            Scope::All.narrowed(Some("support"), &all),
            Ok(Scope::Queues(vec!["support".into()]))
        );
        assert!(matches!(
            Scope::All.narrowed(Some("nope"), &all),
            Err(Narrowing::NoSuchQueue { .. })
        ));
        assert!(sue.allows(&"billing".into()) && !sue.allows(&"support".into()));
    }

    #[test]
    fn cookies_are_http_only_strict_and_secure_on_https() {
        let id = SessionId::parse(&"ab".repeat(32)).unwrap();
        let c = set_cookie(&id, 60, true);
        assert_eq!(
            c,
            format!(
                "{COOKIE}={}; Path=/supervisor; HttpOnly; SameSite=Strict; Max-Age=60; Secure",
                "ab".repeat(32)
            )
        );
        assert!(!set_cookie(&id, 60, false).contains("Secure"));
        assert!(clear_cookie(false).contains("Max-Age=0"));
    }
}
