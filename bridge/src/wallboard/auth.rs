//! Who may see the wallboard: holders of `supervisor.token`, given as
//! `Authorization: Bearer <token>` or by the login form, which sets an
//! `HttpOnly`, `SameSite=Strict` cookie holding a digest of the token
//! (never the token itself). Digests are compared, so the comparison's
//! timing says nothing about the token.

use axum::http::{header, HeaderMap};
use sha2::{Digest as _, Sha256};

/// The cookie's name.
pub const COOKIE: &str = "smsdesk_supervisor";

/// The cookie's value for `token`.
pub fn cookie_value(token: &str) -> String {
    hex::encode(Sha256::digest(format!("smsdesk wallboard cookie\0{token}")))
}

fn digest(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

/// Whether `headers` carry the token (bearer) or the login cookie.
pub fn authorized(headers: &HeaderMap, token: &str) -> bool {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if bearer.is_some_and(|b| digest(b) == digest(token)) {
        return true;
    }
    let expected = digest(&cookie_value(token));
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .any(|(name, value)| name == COOKIE && digest(value) == expected)
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
        let mut h = HeaderMap::new();
        assert!(!authorized(&h, token));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer wrong"));
        assert!(!authorized(&h, token));
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
        );
        assert!(authorized(&h, token));
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("a=b; {COOKIE}={}", cookie_value(token))).unwrap(),
        );
        assert!(authorized(&h, token));
        // The token itself is not a cookie value.
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("{COOKIE}={token}")).unwrap(),
        );
        assert!(!authorized(&h, token));
        assert!(matches(" 0123456789abcdef-secret\n", token));
    }
}
