//! Raw webhook requests smsdesk could not process (a plugin failure, an SMS
//! to a number with no entry point), kept as files for inspection and
//! replay: `<storage>/../dead-letters/<time>-<carrier>-<kind>-<n>.json`.
//! Each is written and `fsync`ed before the carrier gets its answer.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use smsdesk_plugins::carrier::{HttpRequest, WebhookKind};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DeadLetter {
    pub carrier: String,
    pub kind: WebhookKind,
    pub reason: String,
    pub received_at_ms: u64,
    pub request: HttpRequest,
}

#[derive(Debug)]
pub struct DeadLetters {
    dir: PathBuf,
    seq: AtomicU64,
}

impl DeadLetters {
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            seq: AtomicU64::new(0),
        }
    }

    /// Writes the letter durably; returns its path.
    pub fn keep(&self, letter: &DeadLetter) -> std::io::Result<PathBuf> {
        std::fs::create_dir_all(&self.dir)?;
        let n = self.seq.fetch_add(1, Ordering::Relaxed);
        let kind = match letter.kind {
            WebhookKind::Inbound => "inbound",
            WebhookKind::Status => "status",
        };
        let name = format!(
            "{}-{}-{kind}-{}-{n}.json",
            letter.received_at_ms,
            letter.carrier,
            std::process::id()
        );
        let path = self.dir.join(name);
        let mut f = std::fs::File::create(&path)?;
        f.write_all(&serde_json::to_vec_pretty(letter).map_err(std::io::Error::other)?)?;
        f.sync_all()?;
        std::fs::File::open(&self.dir)?.sync_all()?;
        Ok(path)
    }
}
