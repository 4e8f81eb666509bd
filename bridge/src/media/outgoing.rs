//! Agents' attachments waiting for the carrier to fetch them.
//!
//! On one machine each is two files under `storage.path/media/`: `<token>` (the bytes)
//! and `<token>.json` (content type, name, expiry). The token is 32 random
//! bytes in URL-safe base64, so the URL `{public_url}/media/<token>` cannot
//! be guessed. Both files are written to a temporary name, synced and
//! renamed before the reply that names the token is submitted, so a reply
//! that survives a crash finds its attachment.
//!
//! An attachment expires `lifetime` after it was kept, and the outbox
//! pushes the expiry on before every attempt (`keep_until`), so a reply
//! retried for hours still sends a live URL. Expired attachments are
//! removed by `sweep` once they have been expired for `SWEEP_GRACE`.
//!
//! On a shared PostgreSQL store they are rows of `smsdesk_media`
//! (`smsdesk_pgstore::media`), committed before the reply is submitted,
//! so that any instance answers the carrier's fetch and the next leader
//! still has the attachments of the replies it sends.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use rand::RngCore as _;
use serde::{Deserialize, Serialize};
use smsdesk_pgstore::Conn;

/// Milliseconds as the database keeps them (`bigint`).
fn ms(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// How long an expired attachment stays on disk before `sweep` removes it.
pub const SWEEP_GRACE: Duration = Duration::from_secs(24 * 3600);

/// What is kept beside an attachment's bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    pub content_type: String,
    /// The agent's file name, for `Content-Disposition`.
    pub name: String,
    pub size: u64,
    /// Unix milliseconds after which the URL answers 404.
    pub expires_at_ms: u64,
}

/// Where attachments are kept.
#[derive(Clone, Debug)]
pub struct MediaStore {
    dir: PathBuf,
    /// The shared database, when there is one (then `dir` is unused).
    shared: Option<Arc<Conn>>,
}

fn database(error: String) -> std::io::Error {
    std::io::Error::other(format!("the database: {error}"))
}

impl MediaStore {
    pub fn open(storage: &Path) -> std::io::Result<Self> {
        let dir = storage.join("media");
        std::fs::create_dir_all(&dir)?;
        Ok(Self { dir, shared: None })
    }

    /// The store on PostgreSQL: the files under `storage.path/media`, their
    /// records in the shared database's table.
    pub fn shared(storage: &Path, url: &str) -> std::io::Result<Self> {
        Ok(Self {
            dir: storage.join("media"),
            shared: Some(Arc::new(Conn::new(url))),
        })
    }

    /// A fresh unguessable token.
    fn token() -> String {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }

    /// Whether `token` could be one of ours: checked before it becomes a
    /// path, so no request can name another file.
    fn valid(token: &str) -> bool {
        token.len() == 43
            && token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }

    /// The tokens kept in the directory (not the database).
    pub fn tokens(&self) -> std::io::Result<Vec<String>> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&self.dir)? {
            let name = entry?.file_name().to_string_lossy().into_owned();
            if let Some(token) = name.strip_suffix(".json").filter(|t| Self::valid(t)) {
                out.push(token.to_owned());
            }
        }
        Ok(out)
    }

    /// Keeps an attachment under a token it already has (an import).
    pub fn put_as(&self, token: &str, bytes: &[u8], meta: &Meta) -> std::io::Result<()> {
        match &self.shared {
            Some(conn) => {
                let media = smsdesk_pgstore::media::Media {
                    content_type: meta.content_type.clone(),
                    name: meta.name.clone(),
                    body: bytes.to_vec(),
                    expires_at_ms: ms(meta.expires_at_ms),
                };
                conn.with(|c| smsdesk_pgstore::media::put(c, token, &media))
                    .map_err(database)
            }
            None => {
                self.write(token, bytes)?;
                self.write(&format!("{token}.json"), &serde_json::to_vec(meta)?)?;
                std::fs::File::open(&self.dir)?.sync_all()
            }
        }
    }

    /// Keeps `bytes` durably until `expires_at_ms`; returns the token.
    pub fn put(&self, bytes: &[u8], content_type: &str, name: &str, expires_at_ms: u64) -> std::io::Result<String> {
        let token = Self::token();
        let meta = Meta {
            content_type: content_type.to_owned(),
            name: name.to_owned(),
            size: bytes.len() as u64,
            expires_at_ms,
        };
        self.put_as(&token, bytes, &meta)?;
        Ok(token)
    }

    fn write(&self, name: &str, bytes: &[u8]) -> std::io::Result<()> {
        let tmp = self.dir.join(format!(".{name}.tmp"));
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, self.dir.join(name))
    }

    fn meta(&self, token: &str) -> std::io::Result<Option<Meta>> {
        if !Self::valid(token) {
            return Ok(None);
        }
        match std::fs::read(self.dir.join(format!("{token}.json"))) {
            Ok(bytes) => Ok(Some(serde_json::from_slice(&bytes)?)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Pushes the expiry on to at least `until_ms`; `false` when the
    /// attachment is gone (it can no longer be sent).
    pub fn keep_until(&self, token: &str, until_ms: u64) -> std::io::Result<bool> {
        if let Some(conn) = &self.shared {
            return conn
                .with(|c| smsdesk_pgstore::media::keep_until(c, token, ms(until_ms)))
                .map_err(database);
        }
        let Some(mut meta) = self.meta(token)? else {
            return Ok(false);
        };
        if !self.dir.join(token).exists() {
            return Ok(false);
        }
        if meta.expires_at_ms < until_ms {
            meta.expires_at_ms = until_ms;
            self.write(&format!("{token}.json"), &serde_json::to_vec(&meta)?)?;
        }
        Ok(true)
    }

    /// The attachment, if `token` names one that has not expired at `now_ms`.
    pub fn get(&self, token: &str, now_ms: u64) -> std::io::Result<Option<(Meta, Vec<u8>)>> {
        if let Some(conn) = &self.shared {
            if !Self::valid(token) {
                return Ok(None);
            }
            let found = conn.with(|c| smsdesk_pgstore::media::get(c, token)).map_err(database)?;
            return Ok(found.filter(|m| ms(now_ms) <= m.expires_at_ms).map(|m| {
                let meta = Meta {
                    content_type: m.content_type,
                    name: m.name,
                    size: m.body.len() as u64,
                    expires_at_ms: m.expires_at_ms.unsigned_abs(),
                };
                (meta, m.body)
            }));
        }
        let Some(meta) = self.meta(token)? else {
            return Ok(None);
        };
        if now_ms > meta.expires_at_ms {
            return Ok(None);
        }
        match std::fs::read(self.dir.join(token)) {
            Ok(bytes) => Ok(Some((meta, bytes))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Removes attachments expired for more than `SWEEP_GRACE` at `now_ms`,
    /// and temporary files left by a crash; returns how many went.
    pub fn sweep(&self, now_ms: u64) -> std::io::Result<usize> {
        let grace = SWEEP_GRACE.as_millis() as u64;
        if let Some(conn) = &self.shared {
            let before = ms(now_ms.saturating_sub(grace));
            let n = conn
                .with(|c| smsdesk_pgstore::media::sweep(c, before))
                .map_err(database)?;
            return Ok(usize::try_from(n).unwrap_or(usize::MAX));
        }
        let mut removed = 0;
        for entry in std::fs::read_dir(&self.dir)? {
            let name = entry?.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') && name.ends_with(".tmp") {
                let _ = std::fs::remove_file(self.dir.join(&name));
                continue;
            }
            let Some(token) = name.strip_suffix(".json") else {
                continue;
            };
            let expired = match self.meta(token) {
                Ok(Some(meta)) => meta.expires_at_ms.saturating_add(grace) < now_ms,
                Ok(None) => false,
                Err(_) => true, // unreadable: it can never be served
            };
            if expired {
                let _ = std::fs::remove_file(self.dir.join(token));
                std::fs::remove_file(self.dir.join(&name))?;
                removed += 1;
            }
        }
        Ok(removed)
    }
}

/// Runs `sweep` at start and then hourly, for as long as the server runs.
pub async fn sweeper(store: MediaStore) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        let s = store.clone();
        let now = smsdesk_engine::clock::now().0;
        match tokio::task::spawn_blocking(move || s.sweep(now)).await {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => tracing::info!(removed = n, "removed expired attachments"),
            Ok(Err(error)) => tracing::warn!(%error, "cannot sweep expired attachments"),
            Err(error) => tracing::warn!(%error, "sweeping expired attachments failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_served_until_expiry_pushed_on_and_swept() {
        let dir = tempfile::tempdir().unwrap();
        let store = MediaStore::open(dir.path()).unwrap();
        let token = store.put(b"\x89PNG", "image/png", "cat.png", 1_000).unwrap();
        assert!(MediaStore::valid(&token), "{token}");
        let (meta, bytes) = store.get(&token, 1_000).unwrap().unwrap();
        assert_eq!(
            (meta.content_type.as_str(), bytes.as_slice()),
            ("image/png", &b"\x89PNG"[..])
        );
        assert!(store.get(&token, 1_001).unwrap().is_none(), "expired");
        assert!(store.keep_until(&token, 5_000).unwrap());
        assert!(store.get(&token, 4_000).unwrap().is_some(), "pushed on");
        // A wrong token or one naming another file is nothing.
        assert!(store.get("../../etc/passwd", 0).unwrap().is_none());
        assert!(store.get(&"A".repeat(43), 0).unwrap().is_none());
        assert!(!store.keep_until(&"A".repeat(43), 1).unwrap());
        // Two tokens are never the same.
        assert_ne!(store.put(b"x", "image/png", "a.png", 0).unwrap(), token);
        let grace = SWEEP_GRACE.as_millis() as u64;
        assert_eq!(
            store.sweep(5_000 + grace).unwrap(),
            1,
            "only the other one is old enough"
        );
        assert_eq!(store.sweep(5_001 + grace).unwrap(), 1);
        assert!(!store.keep_until(&token, 1).unwrap(), "gone after the sweep");
    }
}
