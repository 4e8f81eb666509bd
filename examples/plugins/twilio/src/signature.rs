//! `X-Twilio-Signature`, as Twilio's helper libraries compute it:
//!
//! 1. the full URL (with its query string, as configured in Twilio);
//! 2. for form bodies, every parameter name followed by its value, names
//!    sorted, values of a repeated name sorted, identical pairs counted once;
//!    for JSON bodies, nothing (the body is covered by `bodySHA256` in the URL);
//! 3. HMAC-SHA1 keyed with the auth token, base64.
//!
//! Like the official validators, the URL is tried as given with any port
//! removed, and with the scheme's default port added when it has none.
//! The HMAC itself happens in the host (`secrets::hmac-verify`), which holds
//! the token and compares in constant time.

use std::collections::BTreeSet;

/// The string that is signed for a form body.
pub fn signed_data(url: &str, params: &[(String, String)]) -> String {
    let pairs: BTreeSet<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut out = String::from(url);
    for (k, v) in pairs {
        out.push_str(k);
        out.push_str(v);
    }
    out
}

/// The URL variants the official validators accept: without any port, and
/// with the default port when none is given.
pub fn url_variants(url: &str) -> Vec<String> {
    let mut out = vec![url.to_owned()];
    let Some((scheme, rest)) = url.split_once("://") else {
        return out;
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (format!("{u}@"), h),
        None => (String::new(), authority),
    };
    // An IPv6 literal keeps its brackets; the port follows the closing bracket.
    let (host, port) = match hostport.rfind(':') {
        Some(i) if !hostport[i..].contains(']') => (&hostport[..i], Some(&hostport[i + 1..])),
        _ => (hostport, None),
    };
    match port {
        Some(_) => out.push(format!("{scheme}://{userinfo}{host}{tail}")),
        None => {
            let default = match scheme.to_ascii_lowercase().as_str() {
                "https" => "443",
                _ => "80",
            };
            out.push(format!("{scheme}://{userinfo}{host}:{default}{tail}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports() {
        assert_eq!(
            url_variants("https://a.example.com/x?y=1"),
            ["https://a.example.com/x?y=1", "https://a.example.com:443/x?y=1"]
        );
        assert_eq!(
            url_variants("http://a.example.com:8080/x"),
            ["http://a.example.com:8080/x", "http://a.example.com/x"]
        );
    }

    #[test]
    fn data_sorts_and_dedups() {
        let p = |k: &str, v: &str| (k.to_owned(), v.to_owned());
        assert_eq!(
            signed_data("u", &[p("b", "2"), p("a", "z"), p("a", "y"), p("b", "2")]),
            "uayaz" .to_owned() + "b2"
        );
    }
}
