//! A customer's attachment, fetched from the carrier's media URL.
//!
//! Only the carrier's `allowed_hosts` are reached, redirects included
//! (each hop is checked; at most `MAX_REDIRECTS`), and its `media_auth`
//! goes to the first host only (a CDN a carrier redirects to gets no
//! credentials). The body is read in chunks and given up past `MAX_BYTES`,
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
    let first_host = url.host_str().map(str::to_owned);
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
        if url.host_str().map(str::to_owned) == first_host {
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
    let (content_type, kind, ext) = policy::check_type(declared).map_err(FetchError::Refused)?;
    let length = response
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if let Some(n) = length {
        policy::check_size(n).map_err(FetchError::Refused)?;
    }
    let mut bytes = Vec::with_capacity(length.map_or(0, |n| n as usize));
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| FetchError::Failed(format!("the download broke off: {e}")))?
    {
        bytes.extend_from_slice(&chunk);
        policy::check_size(bytes.len() as u64).map_err(FetchError::Refused)?;
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

fn authorization(auth: &MediaAuth) -> String {
    match auth {
        MediaAuth::Basic { user, password } => format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
        ),
        MediaAuth::Bearer(token) => format!("Bearer {token}"),
    }
}
