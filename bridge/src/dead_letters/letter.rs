//! One kept request and its file. A `*.letter` file is one line of JSON
//! (the header: carrier, webhook, path, method, headers, receive time,
//! reason, body length) and then the body's raw bytes, exactly as the
//! carrier sent them: a binary body costs its own size on disk, nothing
//! escaped. Letters written by an older smsdesk (`*.json`: the whole
//! request as JSON) are still read, for replay and inspection.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use smsdesk_plugins::carrier::{HttpRequest, WebhookKind};

/// The extension of letters written now.
pub const EXTENSION: &str = "letter";
/// The extension of letters an older smsdesk wrote (read, never written).
pub const OLD_EXTENSION: &str = "json";

/// Why a kept request's file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LetterError {
    #[error("no header line")]
    NoHeader,
    #[error("the header line is not valid: {0}")]
    Header(serde_json::Error),
    #[error("the body is {body} bytes, the header says {declared}: the file is damaged")]
    Damaged { body: u64, declared: u64 },
    /// An older `*.json` letter that is not one.
    #[error("{0}")]
    Old(serde_json::Error),
    #[error("cannot read {}: {error}", path.display())]
    Unreadable { path: PathBuf, error: std::io::Error },
    #[error("{} is not a kept request: {why}", path.display())]
    NotALetter { path: PathBuf, why: Box<LetterError> },
}

/// A webhook request smsdesk could not process, with why and when.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DeadLetter {
    pub carrier: String,
    pub kind: WebhookKind,
    pub reason: String,
    pub received_at_ms: u64,
    pub request: HttpRequest,
}

/// The first line of a `*.letter` file: everything but the body.
#[derive(Debug, Serialize, Deserialize)]
struct Header {
    carrier: String,
    /// Which webhook it came in on: inbound or status.
    webhook: WebhookKind,
    /// The path (and query) it was posted to, for reading at a glance.
    path: String,
    method: String,
    /// The URL the carrier signed (`http.public_url` and the path).
    url: String,
    headers: Vec<(String, String)>,
    received_at_ms: u64,
    reason: String,
    /// The body's length: a file cut short is told from a whole one.
    body_bytes: u64,
}

impl DeadLetter {
    /// The `*.letter` file's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let path = url_path(&self.request.url);
        let header = Header {
            carrier: self.carrier.clone(),
            webhook: self.kind,
            path,
            method: self.request.method.clone(),
            url: self.request.url.clone(),
            headers: self.request.headers.clone(),
            received_at_ms: self.received_at_ms,
            reason: self.reason.clone(),
            body_bytes: self.request.body.len() as u64,
        };
        // Compact JSON escapes every newline inside strings: one line.
        let mut out = serde_json::to_vec(&header).unwrap_or_default();
        out.push(b'\n');
        out.extend_from_slice(&self.request.body);
        out
    }

    /// Reads a `*.letter` file's bytes.
    pub fn decode(bytes: &[u8]) -> Result<Self, LetterError> {
        let newline = bytes.iter().position(|b| *b == b'\n').ok_or(LetterError::NoHeader)?;
        let header: Header = serde_json::from_slice(&bytes[..newline]).map_err(LetterError::Header)?;
        let body = &bytes[newline + 1..];
        if body.len() as u64 != header.body_bytes {
            return Err(LetterError::Damaged {
                body: body.len() as u64,
                declared: header.body_bytes,
            });
        }
        Ok(Self {
            carrier: header.carrier,
            kind: header.webhook,
            reason: header.reason,
            received_at_ms: header.received_at_ms,
            request: HttpRequest {
                method: header.method,
                url: header.url,
                headers: header.headers,
                body: body.to_vec(),
                received_at_ms: Some(header.received_at_ms),
            },
        })
    }

    /// Reads a kept request from `path`: a `*.letter`, or an older `*.json`.
    pub fn read(path: &Path) -> Result<Self, LetterError> {
        let bytes = std::fs::read(path).map_err(|error| LetterError::Unreadable {
            path: path.to_owned(),
            error,
        })?;
        let parsed = if path.extension().is_some_and(|x| x == OLD_EXTENSION) {
            serde_json::from_slice(&bytes).map_err(LetterError::Old)
        } else {
            Self::decode(&bytes)
        };
        parsed.map_err(|why| LetterError::NotALetter {
            path: path.to_owned(),
            why: Box::new(why),
        })
    }
}

/// Whether `path` names a kept request (new or old).
pub fn is_letter(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    !name.starts_with('.') && path.extension().is_some_and(|x| x == EXTENSION || x == OLD_EXTENSION)
}

/// The path and query of `url` (the whole of it if it has no host part).
fn url_path(url: &str) -> String {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    after_scheme
        .find('/')
        .map_or_else(|| "/".to_owned(), |i| after_scheme[i..].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letter(body: Vec<u8>) -> DeadLetter {
        DeadLetter {
            carrier: "twilio".into(),
            kind: WebhookKind::Inbound,
            reason: "no entry point for +15559999999\nsecond line".into(),
            received_at_ms: 1_700_000_000_000,
            request: HttpRequest {
                method: "POST".into(),
                url: "https://desk.example.com/webhooks/twilio/inbound?x=1".into(),
                headers: vec![("x-twilio-signature".into(), "abc".into())],
                body,
                received_at_ms: Some(1_700_000_000_000),
            },
        }
    }

    #[test]
    fn a_binary_body_is_stored_raw_and_read_back_exactly() {
        let body: Vec<u8> = (0..=255u8).cycle().take(64 * 1024).collect();
        let l = letter(body.clone());
        let bytes = l.encode();
        // One header line, then the body as it came: no escaping.
        let newline = bytes.iter().position(|b| *b == b'\n').unwrap();
        assert!(newline < 1024, "the header is one short line");
        assert_eq!(&bytes[newline + 1..], body.as_slice());
        let header: serde_json::Value = serde_json::from_slice(&bytes[..newline]).unwrap();
        assert_eq!(header["path"], "/webhooks/twilio/inbound?x=1");
        assert_eq!(header["webhook"], "inbound");
        let back = DeadLetter::decode(&bytes).unwrap();
        assert_eq!(back.request.body, body);
        assert_eq!(back.reason, l.reason);
        assert_eq!(back.request.url, l.request.url);
        assert_eq!(back.request.headers, l.request.headers);
    }

    #[test]
    fn a_letter_cut_short_is_refused_with_the_reason() {
        let bytes = letter(b"MessageSid=SM1&Body=hi".to_vec()).encode();
        let error = DeadLetter::decode(&bytes[..bytes.len() - 3]).unwrap_err().to_string();
        assert!(error.contains("the file is damaged"), "{error}");
    }
}
