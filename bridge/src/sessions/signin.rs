//! Sign-in with Matrix, shared by the front ends (the wallboard's
//! supervisors, the desk's agents): the page hands over a Matrix OpenID
//! token (`{"access_token", "matrix_server_name"}`, from the client's API
//! or the widget API), which our own homeserver must vouch for
//! (`crate::openid`), once. The front end then decides whether the user
//! it names may come in. Every attempt passes the failure limiter first; a
//! refused token keeps its slot spent, a right one (or a homeserver that
//! could not answer) gives it back. Cross-site POSTs are refused. Tokens
//! are never logged.

use std::time::Instant;

use axum::body::Bytes;
use axum::http::{header, HeaderMap, StatusCode};
use matrix_sdk::ruma::OwnedUserId;

use crate::http::failure_limit::{FailureLimit, Limited, Source};
use crate::openid::{OnceOnly, OpenIdError, OpenIdToken, Verifier};

/// Matrix sign-in for one front end.
#[derive(Debug)]
pub struct MatrixSignIn {
    verifier: Verifier,
    once: OnceOnly,
    /// Where the sign-in page's script logs in (the user may change it).
    pub homeserver: String,
}

/// Why a sign-in did not name anyone.
#[derive(Debug)]
pub enum Refusal {
    /// Too many failures: 429 with `Retry-After`.
    Limited(Limited),
    /// Answered with this status and message.
    Status(StatusCode, String),
}

impl MatrixSignIn {
    pub fn new(matrix: &crate::config::MatrixConfig) -> Self {
        Self {
            verifier: Verifier::new(&matrix.homeserver, matrix.user.server_name().to_owned()),
            once: OnceOnly::default(),
            homeserver: matrix.homeserver.trim_end_matches('/').to_owned(),
        }
    }

    /// The Matrix user the token in `body` names, checked with our
    /// homeserver; `what` names the front end in the log.
    pub async fn user(
        &self,
        (limit, source): (&FailureLimit, Source),
        headers: &HeaderMap,
        body: &Bytes,
        (public_url, what): (&str, &str),
    ) -> Result<OwnedUserId, Refusal> {
        if let Some(why) = super::cookie::cross_site(headers, public_url) {
            return Err(Refusal::Status(StatusCode::FORBIDDEN, why));
        }
        let json = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !json {
            return Err(Refusal::Status(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "send JSON (Content-Type: application/json): {\"access_token\": …, \"matrix_server_name\": …}".into(),
            ));
        }
        let token: OpenIdToken = serde_json::from_slice(body).map_err(|e| {
            Refusal::Status(
                StatusCode::BAD_REQUEST,
                format!("expected {{\"access_token\": …, \"matrix_server_name\": …}}: {e}"),
            )
        })?;
        limit.before_check(source).map_err(Refusal::Limited)?;
        let refused = |why: String| {
            tracing::warn!(%source, %why, "a sign-in with Matrix to the {what} was refused");
            Refusal::Status(StatusCode::UNAUTHORIZED, why)
        };
        self.verifier.precheck(&token).map_err(|why| refused(why.to_string()))?;
        if self.once.used(&token, Instant::now()) {
            return Err(refused(OpenIdError::Replayed.to_string()));
        }
        let user = match self.verifier.verify(&token).await {
            Ok(user) => user,
            Err(why) if why.is_refusal() => return Err(refused(why.to_string())),
            Err(why) => {
                // Not the user's doing: it does not count against them.
                limit.passed(source);
                tracing::warn!(%why, "cannot check a sign-in to the {what} with the homeserver");
                return Err(Refusal::Status(StatusCode::BAD_GATEWAY, why.to_string()));
            }
        };
        // The homeserver vouched for them: the token is spent whoever they are.
        self.once.remember(&token, Instant::now());
        Ok(user)
    }
}
