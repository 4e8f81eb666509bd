//! An agent's file, downloaded from our homeserver to be sent as MMS: the
//! authenticated media endpoint (`/_matrix/client/v1/media/download`,
//! Matrix 1.11; the older `/_matrix/media/v3/download` when the server does
//! not know it) with the bot's token, no redirects (the token goes to the
//! homeserver only), read in chunks and given up as soon as it passes
//! `cap` — a declared length over it is refused before any byte is read.
//! Plain (unencrypted) files only: the caller refuses the others first.

use matrix_sdk::ruma::MxcUri;
use reqwest::{StatusCode, Url};

use crate::i18n::Lang;
use crate::media::policy;
use crate::tr;

/// Why a file was not downloaded.
#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    /// Over the cap: as declared (its size), or once that much arrived.
    #[error("the file is over the limit ({declared:?} bytes declared)")]
    TooLarge { declared: Option<u64>, cap: usize },
    #[error("not a valid mxc:// URI: {0}")]
    BadUri(String),
    #[error("the homeserver has no such file")]
    NoSuchFile,
    #[error("the homeserver answered {0}")]
    Answered(String),
    #[error("the homeserver cannot be reached ({0})")]
    Unreachable(String),
}

impl DownloadError {
    /// Why, for the agent, in `lang`.
    pub fn text(&self, lang: &Lang) -> String {
        match self {
            Self::TooLarge {
                declared: Some(bytes), ..
            } => policy::MediaRefused::TooLarge { bytes: *bytes }.text(lang),
            Self::TooLarge { declared: None, cap } => tr!(
                lang,
                "media-over-limit",
                limit = policy::human_size(*cap as u64),
                cap = *cap
            ),
            other => {
                let why = match other {
                    Self::BadUri(uri) => tr!(lang, "media-bad-uri", uri = uri.as_str()),
                    Self::Answered(status) => tr!(lang, "media-homeserver-answered", status = status.as_str()),
                    Self::Unreachable(error) => tr!(lang, "media-unreachable", error = error.as_str()),
                    _ => lang.t("media-no-such-file"),
                };
                tr!(lang, "media-not-downloaded", why = why)
            }
        }
    }
}

/// Where `mxc` is downloaded from on `homeserver`: the authenticated
/// endpoint, or the older one.
fn url(homeserver: &Url, mxc: &MxcUri, authenticated: bool) -> Result<Url, DownloadError> {
    let (server, id) = mxc.parts().map_err(|e| DownloadError::BadUri(format!("{mxc} ({e})")))?;
    let mut url = homeserver.clone();
    let base: &[&str] = if authenticated {
        &["_matrix", "client", "v1", "media", "download"]
    } else {
        &["_matrix", "media", "v3", "download"]
    };
    url.path_segments_mut()
        .map_err(|()| DownloadError::BadUri(homeserver.to_string()))?
        .pop_if_empty()
        .extend(base)
        .extend([server.as_str(), id]);
    Ok(url)
}

/// Downloads `mxc` from `homeserver` as `token`, at most `cap` bytes.
pub async fn download(
    http: &reqwest::Client,
    homeserver: &Url,
    token: &str,
    mxc: &MxcUri,
    cap: usize,
) -> Result<Vec<u8>, DownloadError> {
    let get = |authenticated| async move {
        http.get(url(homeserver, mxc, authenticated)?)
            .bearer_auth(token)
            .send()
            .await
            .map_err(|e| DownloadError::Unreachable(e.to_string()))
    };
    let first = get(true).await?;
    let mut response = if first.status() == StatusCode::NOT_FOUND {
        // A server from before Matrix 1.11 does not know the endpoint.
        if errcode(first).await.as_deref() == Some("M_UNRECOGNIZED") {
            get(false).await?
        } else {
            return Err(DownloadError::NoSuchFile);
        }
    } else {
        first
    };
    if !response.status().is_success() {
        return Err(DownloadError::Answered(response.status().to_string()));
    }
    if let Some(declared) = response.content_length().filter(|n| *n > cap as u64) {
        return Err(DownloadError::TooLarge {
            declared: Some(declared),
            cap,
        });
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| DownloadError::Unreachable(e.to_string()))?
    {
        if bytes.len() + chunk.len() > cap {
            // Not read further: how large it really is, no one needs to know.
            return Err(DownloadError::TooLarge { declared: None, cap });
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// The `errcode` of an error answer (read to at most 4 KiB).
async fn errcode(mut response: reqwest::Response) -> Option<String> {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        if body.len() + chunk.len() > 4096 {
            return None;
        }
        body.extend_from_slice(&chunk);
    }
    let json: serde_json::Value = serde_json::from_slice(&body).ok()?;
    json["errcode"].as_str().map(str::to_owned)
}

/// An encrypted attachment whose bytes do not decrypt with its key (or
/// whose SHA-256 does not match): nothing of it is sent.
#[derive(Debug, thiserror::Error)]
#[error("the file could not be decrypted ({0})")]
pub struct Undecryptable(String);

impl Undecryptable {
    /// Why, for the agent, in `lang`.
    pub fn text(&self, lang: &Lang) -> String {
        tr!(lang, "media-undecryptable", error = self.0.as_str())
    }
}

/// The clear bytes of an end-to-end encrypted attachment downloaded as
/// `cipher` (AES-CTR keeps the length, so the cap applied to the
/// ciphertext holds for the file), checked against its SHA-256.
pub fn decrypt(
    cipher: Vec<u8>,
    file: &matrix_sdk::ruma::events::room::EncryptedFile,
) -> Result<Vec<u8>, Undecryptable> {
    use std::io::Read as _;
    let len = cipher.len();
    let mut cursor = std::io::Cursor::new(cipher);
    let mut reader = matrix_sdk_base::crypto::AttachmentDecryptor::new(&mut cursor, file.clone().into())
        .map_err(|e| Undecryptable(e.to_string()))?;
    let mut clear = Vec::with_capacity(len);
    reader
        .read_to_end(&mut clear)
        .map_err(|e| Undecryptable(e.to_string()))?;
    Ok(clear)
}
