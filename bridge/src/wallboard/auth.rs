//! Who may see the wallboard: holders of `supervisor.token`, given as
//! `Authorization: Bearer <token>` or by the login form, which sets an
//! `HttpOnly`, `SameSite=Strict` cookie holding its issue time and a
//! digest of the token with that time (never the token itself). The
//! server honours a cookie for `COOKIE_LIFETIME` after it was issued, and
//! changing the token voids every cookie. Digests are compared, so the
//! comparison's timing says nothing about the token.

use axum::http::{header, HeaderMap};
use sha2::{Digest as _, Sha256};

/// The cookie's name.
pub const COOKIE: &str = "smsdesk_supervisor";

/// How long a sign-in lasts.
pub const COOKIE_LIFETIME_S: u64 = 12 * 3600;

fn cookie_digest(token: &str, issued: u64) -> String {
    hex::encode(Sha256::digest(format!("smsdesk wallboard cookie\0{token}\0{issued}")))
}

/// The cookie's value for `token`, issued at `issued` (Unix seconds).
pub fn cookie_value(token: &str, issued: u64) -> String {
    format!("{issued}.{}", cookie_digest(token, issued))
}

/// Whether a cookie value is one we issued for `token` and still honour at `now`.
fn cookie_ok(value: &str, token: &str, now: u64) -> bool {
    let Some((issued, digest)) = value.split_once('.') else {
        return false;
    };
    let Ok(issued) = issued.parse::<u64>() else {
        return false;
    };
    issued <= now + 60
        && now.saturating_sub(issued) < COOKIE_LIFETIME_S
        && self::digest(digest) == self::digest(&cookie_digest(token, issued))
}

/// Unix seconds now.
pub fn now_s() -> u64 {
    smsdesk_core::Timestamp::now().0 / 1000
}

/// Whether `headers` carry the token as a bearer (scripts, export).
pub fn bearer(headers: &HeaderMap, token: &str) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|b| digest(b) == digest(token))
}

fn digest(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

/// Whether `headers` carry the token (bearer) or a live sign-in cookie.
pub fn authorized(headers: &HeaderMap, token: &str, now: u64) -> bool {
    if bearer(headers, token) {
        return true;
    }
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .any(|(name, value)| name == COOKIE && cookie_ok(value, token, now))
}

/// Whether a login form's token is right.
pub fn matches(given: &str, token: &str) -> bool {
    digest(given.trim()) == digest(token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn bearer_or_cookie_and_nothing_else() {
        let token = "0123456789abcdef-secret";
        let now = 1_800_000_000;
        let mut h = HeaderMap::new();
        assert!(!authorized(&h, token, now));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer wrong"));
        assert!(!authorized(&h, token, now));
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
        );
        assert!(authorized(&h, token, now));
        let cookie = |value: String| {
            let mut h = HeaderMap::new();
            h.insert(
                header::COOKIE,
                HeaderValue::from_str(&format!("a=b; {COOKIE}={value}")).unwrap(),
            );
            h
        };
        let signed_in = cookie(cookie_value(token, now));
        assert!(authorized(&signed_in, token, now + 60));
        assert!(!bearer(&signed_in, token), "a cookie is not a bearer token (export)");
        // Expired, for another token, tampered, or the token itself: no.
        assert!(!authorized(&signed_in, token, now + COOKIE_LIFETIME_S));
        assert!(!authorized(&signed_in, "another-token-0123456789", now));
        let later = cookie_value(token, now).replacen(&now.to_string(), &(now + 1).to_string(), 1);
        assert!(!authorized(&cookie(later), token, now));
        assert!(!authorized(&cookie(token.to_owned()), token, now));
        assert!(matches(" 0123456789abcdef-secret\n", token));
    }
}
