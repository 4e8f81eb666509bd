//! The simulator's media, both ways.
//!
//! - Customers' attachments: a few fixed test files (`FILES`) at
//!   `GET /sim/media/{name}`, which redirects to `/sim/cdn/{name}` the way
//!   Twilio's media URLs redirect to its CDN; an unknown name is 404.
//!   `/sim/inbound` with `"media": ["cat.png"]` sends their URLs.
//! - Agents' attachments: every media URL of a sent message is fetched at
//!   once, as a carrier does, and what came back is recorded with the
//!   message (`SimMedia`: status, type, size, SHA-256).

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::Digest as _;

/// A 1×1 PNG: a real picture, small enough to read in a test.
const PNG_1X1: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

/// A test file: its content type and bytes.
pub fn file(name: &str) -> Option<(&'static str, Vec<u8>)> {
    let png = || {
        base64::engine::general_purpose::STANDARD
            .decode(PNG_1X1)
            .unwrap_or_default()
    };
    Some(match name {
        "cat.png" => ("image/png", png()),
        "receipt.pdf" => ("application/pdf", b"%PDF-1.4\n% smsdesk simulator\n%%EOF\n".to_vec()),
        "contact.vcf" => (
            "text/vcard",
            b"BEGIN:VCARD\nVERSION:3.0\nFN:Sim Customer\nEND:VCARD\n".to_vec(),
        ),
        "clip.mp4" => ("video/mp4", vec![0; 64]),
        // Over the 5 MB an MMS may carry.
        "huge.png" => {
            let mut bytes = png();
            bytes.resize(6 * 1024 * 1024, 0);
            ("image/png", bytes)
        }
        _ => return None,
    })
}

pub async fn redirect(Path(name): Path<String>) -> Response {
    if file(&name).is_none() {
        return (StatusCode::NOT_FOUND, "no such media\n").into_response();
    }
    Redirect::temporary(&format!("/sim/cdn/{name}")).into_response()
}

pub async fn serve(Path(name): Path<String>) -> Response {
    match file(&name) {
        Some((content_type, bytes)) => ([(header::CONTENT_TYPE, content_type)], bytes).into_response(),
        None => (StatusCode::NOT_FOUND, "no such media\n").into_response(),
    }
}

/// One media URL of a sent message, as the simulator found it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SimMedia {
    pub url: String,
    /// The HTTP status, or 0 when it could not be reached.
    pub status: u16,
    pub content_type: Option<String>,
    pub size: usize,
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
}

/// Fetches each URL once, as the carrier would when sending the MMS.
pub async fn fetch_all(client: &reqwest::Client, urls: &[String]) -> Vec<SimMedia> {
    let mut out = Vec::with_capacity(urls.len());
    for url in urls {
        let mut media = SimMedia {
            url: url.clone(),
            status: 0,
            content_type: None,
            size: 0,
            sha256: String::new(),
        };
        if let Ok(r) = client.get(url).send().await {
            media.status = r.status().as_u16();
            media.content_type = r
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            if let Ok(bytes) = r.bytes().await {
                media.size = bytes.len();
                media.sha256 = hex::encode(sha2::Sha256::digest(&bytes));
            }
        }
        out.push(media);
    }
    out
}
