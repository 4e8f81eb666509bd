//! A customer's attachment, fetched from the carrier's media URL.
//!
//! Only the carrier's `allowed_hosts` are reached, redirects included
//! (each hop is checked; at most `MAX_REDIRECTS`), and its `media_auth`
//! goes to the first URL's origin only (scheme, host and port: a CDN a
//! carrier redirects to gets no credentials), and never over plain HTTP
//! except on loopback. The body is read in chunks and given up past `MAX_BYTES`,
//! and its content type must pass `policy`. A refusal (host, type, size, a
//! 4xx answer) is for good; a failure (network, 5xx) may be tried again.

use base64::Engine as _;
use reqwest::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, LOCATION};

use super::policy::{self, Kind};
use crate::config::{CarrierConfig, MediaAuth};

/// Redirects followed at most (Twilio's media URL redirects once, to its CDN).
const MAX_REDIRECTS: usize = 3;

/// An attachment as fetched.
#[derive(Clone, Debug)]
pub struct Fetched {
    pub bytes: Vec<u8>,
    /// Its content type's essence, e.g. `image/jpeg`.
    pub content_type: String,
    pub kind: Kind,
    /// A file name for Matrix, e.g. `picture-1.jpg`.
    pub name: String,
}

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// Never going to work: says why, for the agents' notice.
    #[error("{0}")]
    Refused(String),
    /// A type or size smsdesk does not take (the agents' notice says it in
    /// their language: `MediaRefused::text`).
    #[error("{0}")]
    NotAllowed(policy::MediaRefused),
    /// Worth another try later.
    #[error("{0}")]
    Failed(String),
}

/// The client for carriers' media URLs: a timeout, and redirects left to
/// `fetch` (each hop is checked against `allowed_hosts`).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_default()
}

/// Fetches attachment number `index` (from 1) of a customer's message.
pub async fn fetch(
    client: &reqwest::Client,
    carrier: &CarrierConfig,
    url: &str,
    index: usize,
) -> Result<Fetched, FetchError> {
    let mut url = reqwest::Url::parse(url).map_err(|e| FetchError::Refused(format!("not a URL ({e})")))?;
    let first = origin(&url);
    let mut hops = 0;
    let mut response = loop {
        if !matches!(url.scheme(), "https" | "http") {
            return Err(FetchError::Refused(format!("{} URLs are not fetched", url.scheme())));
        }
        carrier.check_host(&url).map_err(|host| {
            FetchError::Refused(format!(
                "host {host} is not in carrier {}'s allowed_hosts",
                carrier.name
            ))
        })?;
        let mut request = client.get(url.clone());
        if origin(&url) == first && (url.scheme() == "https" || is_loopback(&url)) {
            if let Some(auth) = &carrier.media_auth {
                request = request.header(AUTHORIZATION, authorization(auth));
            }
        }
        let response = request
            .send()
            .await
            .map_err(|e| FetchError::Failed(format!("cannot reach the carrier's media URL: {e}")))?;
        if !response.status().is_redirection() {
            break response;
        }
        hops += 1;
        let next = response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|l| url.join(l).ok());
        match next {
            Some(next) if hops <= MAX_REDIRECTS => url = next,
            Some(_) => return Err(FetchError::Refused(format!("more than {MAX_REDIRECTS} redirects"))),
            None => return Err(FetchError::Refused("a redirect without a usable Location".into())),
        }
    };
    let status = response.status();
    if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
        return Err(FetchError::Failed(format!("the carrier answered {status}")));
    }
    if !status.is_success() {
        return Err(FetchError::Refused(format!("the carrier answered {status}")));
    }
    let declared = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let (content_type, kind, ext) = policy::check_type(declared).map_err(FetchError::NotAllowed)?;
    let length = response
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if let Some(n) = length {
        policy::check_size(n).map_err(FetchError::NotAllowed)?;
    }
    let mut bytes = Vec::with_capacity(length.map_or(0, |n| n as usize));
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| FetchError::Failed(format!("the download broke off: {e}")))?
    {
        bytes.extend_from_slice(&chunk);
        policy::check_size(bytes.len() as u64).map_err(FetchError::NotAllowed)?;
    }
    let name = match kind {
        Kind::Image => format!("picture-{index}.{ext}"),
        Kind::File => format!("attachment-{index}.{ext}"),
    };
    Ok(Fetched {
        bytes,
        content_type,
        kind,
        name,
    })
}

/// Scheme, host and port: credentials go to the first URL's origin only.
fn origin(url: &reqwest::Url) -> (String, Option<String>, Option<u16>) {
    (
        url.scheme().to_owned(),
        url.host_str().map(str::to_ascii_lowercase),
        url.port_or_known_default(),
    )
}

/// Plain HTTP carries credentials only on loopback (tests, a local proxy).
fn is_loopback(url: &reqwest::Url) -> bool {
    let host = url
        .host_str()
        .unwrap_or_default()
        .trim_start_matches('[')
        .trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn authorization(auth: &MediaAuth) -> String {
    match auth {
        MediaAuth::Basic { user, password } => format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
        ),
        MediaAuth::Bearer(token) => format!("Bearer {token}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderMap, StatusCode};
    use axum::response::{IntoResponse, Redirect, Response};
    use axum::routing::get;
    use smsdesk_core::CarrierName;

    /// A media server on loopback: `/pic` (auth required), `/hop` →
    /// `/open` on "localhost" (another host name), `/open`, `/mp4`,
    /// `/endless` (no length, too big), `/busy` (503).
    async fn server() -> u16 {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let png = || ([("content-type", "image/png")], b"\x89PNG....".to_vec());
        let app = axum::Router::new()
            .route(
                "/pic",
                get(move |h: HeaderMap| async move {
                    // "user:secret" in base64
                    if h.get("authorization").and_then(|v| v.to_str().ok()) == Some("Basic dXNlcjpzZWNyZXQ=") {
                        png().into_response()
                    } else {
                        StatusCode::UNAUTHORIZED.into_response()
                    }
                }),
            )
            .route(
                "/hop",
                get(move || async move { Redirect::temporary(&format!("http://localhost:{port}/open")) }),
            )
            .route(
                "/open",
                get(move |h: HeaderMap| async move {
                    assert!(h.get("authorization").is_none(), "credentials went to another host");
                    png()
                }),
            )
            .route(
                "/mp4",
                get(|| async { ([("content-type", "video/mp4")], vec![0u8; 8]) }),
            )
            .route(
                "/endless",
                get(|| async {
                    let chunks = (0..7).map(|_| Ok::<_, std::io::Error>(vec![0u8; 1024 * 1024]));
                    let body = axum::body::Body::from_stream(futures_util::stream::iter(chunks));
                    Response::builder()
                        .header("content-type", "image/png")
                        .body(body)
                        .unwrap()
                }),
            )
            .route("/busy", get(|| async { StatusCode::SERVICE_UNAVAILABLE }));
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        port
    }

    fn carrier(hosts: &[&str], auth: bool) -> CarrierConfig {
        CarrierConfig {
            key: "carriers[0]".into(),
            name: CarrierName::from("twilio"),
            plugin: "twilio.wasm".into(),
            allowed_hosts: hosts.iter().map(|h| (*h).to_owned()).collect(),
            settings: Vec::new(),
            secrets: Vec::new(),
            media_auth: auth.then(|| MediaAuth::Basic {
                user: "user".into(),
                password: "secret".into(),
            }),
        }
    }

    #[tokio::test]
    async fn only_allowed_hosts_with_credentials_to_the_first_only() {
        let port = server().await;
        let url = |p: &str| format!("http://127.0.0.1:{port}{p}");
        let c = client();
        let both = carrier(&["127.0.0.1", "localhost"], true);
        let got = fetch(&c, &both, &url("/pic"), 1).await.unwrap();
        assert_eq!((got.name.as_str(), got.kind), ("picture-1.png", Kind::Image));
        // Without media_auth the carrier says no: for good.
        let Err(FetchError::Refused(why)) = fetch(&c, &carrier(&["127.0.0.1"], false), &url("/pic"), 1).await else {
            panic!("fetched without credentials");
        };
        assert_eq!(why, "the carrier answered 401 Unauthorized");
        // A redirect to another host: followed only if allowed, without credentials.
        assert!(fetch(&c, &both, &url("/hop"), 2).await.is_ok());
        let Err(FetchError::Refused(why)) = fetch(&c, &carrier(&["127.0.0.1"], true), &url("/hop"), 2).await else {
            panic!("followed a redirect to a host not allowed");
        };
        assert_eq!(why, "host localhost is not in carrier twilio's allowed_hosts");
    }

    #[tokio::test]
    async fn types_sizes_and_busy_carriers() {
        let port = server().await;
        let url = |p: &str| format!("http://127.0.0.1:{port}{p}");
        let (c, carrier) = (client(), carrier(&["127.0.0.1"], false));
        let Err(FetchError::NotAllowed(why)) = fetch(&c, &carrier, &url("/mp4"), 1).await else {
            panic!("a video passed");
        };
        assert!(why.to_string().starts_with("video/mp4 is not allowed"), "{why}");
        // The agents read it in their language.
        let german = why.text(&crate::i18n::Lang::new("de"));
        assert!(german.starts_with("video/mp4 ist nicht erlaubt"), "{german}");
        let Err(FetchError::NotAllowed(why)) = fetch(&c, &carrier, &url("/endless"), 1).await else {
            panic!("an endless body passed");
        };
        assert!(why.to_string().contains("is over the limit"), "{why}");
        assert!(matches!(
            fetch(&c, &carrier, &url("/busy"), 1).await,
            Err(FetchError::Failed(_))
        ));
        assert!(matches!(
            fetch(&c, &carrier, "file:///etc/passwd", 1).await,
            Err(FetchError::Refused(_))
        ));
    }
}
