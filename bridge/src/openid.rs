//! Who a Matrix OpenID token belongs to, asked of our own homeserver
//! (`[matrix] homeserver`): `GET /_matrix/federation/v1/openid/userinfo`
//! answers `{"sub": "@user:server"}` for a token it issued and still
//! honours. A browser or a widget gets such a token from its client
//! (`POST /_matrix/client/v3/user/{userId}/openid/request_token`, or the
//! widget API) and hands it to smsdesk instead of a password.
//!
//! The server asked is always the configured one, never a server the
//! client names: a token whose `matrix_server_name` is not our homeserver's
//! name is refused before any request. A token is good for the
//! homeserver's own lifetime of it (Synapse: one hour); `OnceOnly` lets a
//! caller refuse a second sign-in with the same token within that time.
//!
//! This module knows nothing of supervisors or sessions (the wallboard
//! decides who may sign in); it never logs a token, and its errors never
//! carry the URL it was sent in.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use matrix_sdk::ruma::{OwnedServerName, OwnedUserId};
use serde::Deserialize;
use sha2::{Digest as _, Sha256};

/// How long a check may take, all included.
const TIMEOUT: Duration = Duration::from_secs(10);
/// The homeserver's answer is a few dozen bytes; more is not an answer.
const MAX_ANSWER: usize = 16 * 1024;
/// Tokens longer than this are not tokens (Synapse's are 24 characters).
const MAX_TOKEN: usize = 512;
/// How long a used token is remembered: at least the homeserver's lifetime
/// of it (Synapse: `openid_token_lifetime`, one hour by default).
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

/// What a client sends: the answer of `request_token` or of the widget
/// API (`token_type` and `expires_in` may come too and are ignored).
#[derive(Clone, Deserialize)]
pub struct OpenIdToken {
    pub access_token: String,
    pub matrix_server_name: String,
}

impl std::fmt::Debug for OpenIdToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenIdToken")
            .field("access_token", &"<secret>")
            .field("matrix_server_name", &self.matrix_server_name)
            .finish()
    }
}

/// Why a token names nobody.
#[derive(Debug, thiserror::Error)]
pub enum OpenIdError {
    #[error("access_token is empty, longer than {MAX_TOKEN} characters, or holds characters a token cannot have")]
    Malformed,
    #[error("the token is from Matrix server {given:?}; only tokens of {expected} are accepted")]
    OtherServer { given: String, expected: OwnedServerName },
    #[error("the homeserver does not know this OpenID token (expired, or never issued)")]
    Unknown,
    #[error("this OpenID token was used already; ask your homeserver for a new one")]
    Replayed,
    #[error("the homeserver vouched for {sub:?}, which is not a user of {expected}")]
    OtherUser { sub: String, expected: OwnedServerName },
    /// Our side: the homeserver is down, slow, or not set up to answer.
    #[error("cannot check the token with the homeserver: {0}")]
    Homeserver(String),
}

impl OpenIdError {
    /// Whether the token was refused (rather than left unchecked because
    /// of the homeserver): what counts as a failed sign-in.
    pub fn is_refusal(&self) -> bool {
        !matches!(self, Self::Homeserver(_))
    }
}

/// Checks tokens with one homeserver.
#[derive(Clone, Debug)]
pub struct Verifier {
    http: reqwest::Client,
    /// `{homeserver}/_matrix/federation/v1/openid/userinfo`.
    userinfo: String,
    server_name: OwnedServerName,
}

impl Verifier {
    /// For the homeserver at `homeserver` (a base URL), whose users are
    /// `@…:server_name`.
    pub fn new(homeserver: &str, server_name: OwnedServerName) -> Self {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT / 2)
            // The answer comes from the homeserver we configured, not from
            // wherever it would send us.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Self {
            http,
            userinfo: format!(
                "{}/_matrix/federation/v1/openid/userinfo",
                homeserver.trim_end_matches('/')
            ),
            server_name,
        }
    }

    /// The Matrix server name tokens must come from.
    pub fn server_name(&self) -> &OwnedServerName {
        &self.server_name
    }

    /// Checks what a client may send before anything is asked: shape and server.
    pub fn precheck(&self, token: &OpenIdToken) -> Result<(), OpenIdError> {
        let t = &token.access_token;
        if t.is_empty() || t.len() > MAX_TOKEN || !t.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(OpenIdError::Malformed);
        }
        if token.matrix_server_name != self.server_name.as_str() {
            return Err(OpenIdError::OtherServer {
                given: token.matrix_server_name.chars().take(255).collect(),
                expected: self.server_name.clone(),
            });
        }
        Ok(())
    }

    /// The user the homeserver says `token` belongs to.
    pub async fn verify(&self, token: &OpenIdToken) -> Result<OwnedUserId, OpenIdError> {
        self.precheck(token)?;
        let answer = self
            .http
            .get(&self.userinfo)
            .query(&[("access_token", token.access_token.as_str())])
            .send()
            .await
            .map_err(|e| OpenIdError::Homeserver(e.without_url().to_string()))?;
        let status = answer.status();
        let body = read_capped(answer).await?;
        match status.as_u16() {
            200 => {}
            // Synapse: 401 M_UNKNOWN_TOKEN for an unknown or expired token.
            401 | 403 => return Err(OpenIdError::Unknown),
            404 => {
                return Err(OpenIdError::Homeserver(
                    "the homeserver does not serve /openid/userinfo on this listener (Synapse: add `openid` to the listener's resources)".to_owned(),
                ))
            }
            other => return Err(OpenIdError::Homeserver(format!("it answered HTTP {other}"))),
        }
        #[derive(Deserialize)]
        struct UserInfo {
            sub: String,
        }
        let info: UserInfo = serde_json::from_slice(&body)
            .map_err(|e| OpenIdError::Homeserver(format!("its answer is not {{\"sub\": …}}: {e}")))?;
        match OwnedUserId::try_from(info.sub.as_str()) {
            Ok(user) if user.server_name() == self.server_name => Ok(user),
            _ => Err(OpenIdError::OtherUser {
                sub: info.sub.chars().take(255).collect(),
                expected: self.server_name.clone(),
            }),
        }
    }
}

/// The body, or an error past `MAX_ANSWER` bytes.
async fn read_capped(mut answer: reqwest::Response) -> Result<Vec<u8>, OpenIdError> {
    let mut body = Vec::new();
    while let Some(chunk) = answer
        .chunk()
        .await
        .map_err(|e| OpenIdError::Homeserver(e.without_url().to_string()))?
    {
        if body.len() + chunk.len() > MAX_ANSWER {
            return Err(OpenIdError::Homeserver(format!(
                "its answer is longer than {MAX_ANSWER} bytes"
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Tokens that already signed someone in, remembered (as digests) for
/// `TOKEN_LIFETIME`, so a token seen on the way cannot sign in again.
#[derive(Debug, Default)]
pub struct OnceOnly {
    used: Mutex<HashMap<[u8; 32], Instant>>,
}

impl OnceOnly {
    fn key(token: &OpenIdToken) -> [u8; 32] {
        Sha256::digest(token.access_token.as_bytes()).into()
    }

    /// Whether `token` signed someone in within `TOKEN_LIFETIME` before `now`.
    pub fn used(&self, token: &OpenIdToken, now: Instant) -> bool {
        let used = self.used.lock().unwrap_or_else(|p| p.into_inner());
        used.get(&Self::key(token))
            .is_some_and(|at| now.duration_since(*at) < TOKEN_LIFETIME)
    }

    /// Remembers `token` as used at `now`; forgets tokens past their lifetime.
    pub fn remember(&self, token: &OpenIdToken, now: Instant) {
        let mut used = self.used.lock().unwrap_or_else(|p| p.into_inner());
        used.retain(|_, at| now.duration_since(*at) < TOKEN_LIFETIME);
        used.insert(Self::key(token), now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(t: &str, server: &str) -> OpenIdToken {
        OpenIdToken {
            access_token: t.to_owned(),
            matrix_server_name: server.to_owned(),
        }
    }

    #[test]
    fn only_tokens_of_our_server_are_sent_to_it() {
        let v = Verifier::new("http://127.0.0.1:9/", "example.com".try_into().unwrap());
        assert_eq!(v.userinfo, "http://127.0.0.1:9/_matrix/federation/v1/openid/userinfo");
        assert!(v.precheck(&token("abcDEF123", "example.com")).is_ok());
        for bad in ["", "with space", "new\nline", &"x".repeat(MAX_TOKEN + 1)] {
            assert!(matches!(
                v.precheck(&token(bad, "example.com")),
                Err(OpenIdError::Malformed)
            ));
        }
        let other = v.precheck(&token("abc", "evil.example")).unwrap_err();
        assert_eq!(
            other.to_string(),
            "the token is from Matrix server \"evil.example\"; only tokens of example.com are accepted"
        );
        assert!(other.is_refusal());
        assert!(!OpenIdError::Homeserver("down".into()).is_refusal());
        assert!(!format!("{:?}", token("s3cret", "example.com")).contains("s3cret"));
    }

    #[test]
    fn a_token_signs_in_once_within_its_lifetime() {
        let once = OnceOnly::default();
        let (t, now) = (token("abc", "example.com"), Instant::now());
        assert!(!once.used(&t, now));
        once.remember(&t, now);
        assert!(once.used(&t, now + Duration::from_secs(60)));
        assert!(!once.used(&token("abd", "example.com"), now));
        assert!(!once.used(&t, now + TOKEN_LIFETIME));
    }
}
