//! A session's cookie, and the check that a browser's POST comes from our
//! own pages. The cookie is `HttpOnly` (no script reads it),
//! `SameSite=Strict` (no other site's page sends it), scoped to its
//! front end's path, and `Secure` when the public URL is https.
//!
//! A page shown inside another site (the desk as a widget in Element, on
//! its own domain) cannot keep a `Strict` cookie: there, over https, the
//! cookie is `SameSite=None; Secure; Partitioned` (CHIPS: kept only for
//! that embedding site, never sent when another site embeds or links the
//! page). What stops other sites then is the rest: every change needs the
//! page's own header (which no form and no cross-origin script without
//! CORS can send) and a same-site `Sec-Fetch-Site`/`Origin`.

use axum::http::{header, HeaderMap};

use super::SessionId;

/// The value of cookie `name`, if the request has it.
pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.trim().to_owned())
}

/// The `Set-Cookie` value for a new session `id`.
pub fn set(name: &str, path: &str, id: &SessionId, max_age_s: u64, secure: bool) -> String {
    format!(
        "{name}={}; Path={path}; HttpOnly; SameSite=Strict; Max-Age={max_age_s}{}",
        id.as_str(),
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value for a new session `id` of a page shown inside
/// another site's page (see the module's doc); over plain http (a test on
/// loopback, where every port is one site) the same as `set`.
pub fn set_embedded(name: &str, path: &str, id: &SessionId, max_age_s: u64, secure: bool) -> String {
    if !secure {
        return set(name, path, id, max_age_s, secure);
    }
    format!(
        "{name}={}; Path={path}; HttpOnly; SameSite=None; Secure; Partitioned; Max-Age={max_age_s}",
        id.as_str()
    )
}

/// The `Set-Cookie` value that removes cookie `name`.
pub fn clear(name: &str, path: &str, secure: bool) -> String {
    format!(
        "{name}=; Path={path}; HttpOnly; SameSite=Strict; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    )
}

/// Why a POST from a browser on another site is refused, if it is: its
/// `Origin` (when sent) must be this server as the browser reached it
/// (the `Host` header) or as `http.public_url` names it, and
/// `Sec-Fetch-Site` (when sent) must not be `cross-site`. Scripts send
/// neither and are let through; the cookie is `SameSite=Strict` anyway.
pub fn cross_site(headers: &HeaderMap, public_url: &str) -> Option<String> {
    let text = |name: header::HeaderName| headers.get(name).map(|v| v.to_str().unwrap_or("?").to_owned());
    if text(header::HeaderName::from_static("sec-fetch-site")).as_deref() == Some("cross-site") {
        return Some("refused: this request came from another site (Sec-Fetch-Site: cross-site)".to_owned());
    }
    let origin = text(header::ORIGIN)?;
    let authority = |url: &str| {
        url.split_once("://")
            .map(|(_, rest)| rest.split('/').next().unwrap_or("").to_ascii_lowercase())
    };
    let from = authority(&origin);
    let host = text(header::HOST).map(|h| h.to_ascii_lowercase());
    let ours = from.is_some() && (from == host || from == authority(public_url));
    (!ours).then(|| format!("refused: this request came from another site (Origin: {origin})"))
}

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
    fn cross_site_posts_are_refused() {
        let public = "https://desk.example.com";
        assert_eq!(cross_site(&HeaderMap::new(), public), None, "a script");
        let same = headers(&[("host", "127.0.0.1:8080"), ("origin", "http://127.0.0.1:8080")]);
        assert_eq!(cross_site(&same, public), None);
        let public_origin = headers(&[("host", "internal:8080"), ("origin", "https://desk.example.com")]);
        assert_eq!(cross_site(&public_origin, public), None, "behind a proxy");
        for bad in [
            headers(&[("host", "127.0.0.1:8080"), ("origin", "https://evil.example")]),
            headers(&[("host", "127.0.0.1:8080"), ("origin", "null")]),
            headers(&[("host", "127.0.0.1:8080"), ("sec-fetch-site", "cross-site")]),
        ] {
            assert!(cross_site(&bad, public).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn cookies_are_http_only_strict_scoped_and_secure_on_https() {
        let id = SessionId::parse(&"ab".repeat(32)).unwrap();
        let c = set("smsdesk_desk", "/desk", &id, 60, true);
        assert_eq!(
            c,
            format!(
                "smsdesk_desk={}; Path=/desk; HttpOnly; SameSite=Strict; Max-Age=60; Secure",
                "ab".repeat(32)
            )
        );
        assert!(!set("x", "/x", &id, 60, false).contains("Secure"));
        assert!(clear("x", "/x", false).contains("Max-Age=0"));
        let h = headers(&[("cookie", "a=1; smsdesk_desk=abc")]);
        assert_eq!(read(&h, "smsdesk_desk").as_deref(), Some("abc"));
        assert_eq!(read(&h, "smsdesk"), None);
    }
}
