//! Raw webhook requests smsdesk could not process (a plugin failure, an SMS
//! to a number with no entry point), kept as files for inspection and
//! replay: `<storage.path>/dead-letters/<carrier>-<kind>-<hash>.json`, named by
//! a hash of the request so a carrier's retries are kept once. Each is
//! written and `fsync`ed before the carrier gets its answer. At most
//! `MAX_LETTERS` are kept: requests are unverified when a plugin fails, and
//! must not be able to fill the disk.

use std::io::Write;
use std::path::PathBuf;

use sha2::{Digest, Sha256};

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

pub const MAX_LETTERS: usize = 10_000;

#[derive(Debug)]
pub struct DeadLetters {
    dir: PathBuf,
}

impl DeadLetters {
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    /// Where a request of `carrier` is (or would be) kept.
    fn path_for(&self, carrier: &str, kind: WebhookKind, request: &HttpRequest) -> PathBuf {
        let kind = match kind {
            WebhookKind::Inbound => "inbound",
            WebhookKind::Status => "status",
        };
        let mut hash = Sha256::new();
        hash.update(request.url.as_bytes());
        hash.update(&request.body);
        let digest = hash.finalize();
        let carrier: String = carrier
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        self.dir.join(format!("{carrier}-{kind}-{}.json", hex(&digest[..12])))
    }

    /// When a replayed request was first received, if this server kept it:
    /// a replay is judged at its original time (a carrier's signature
    /// tolerance would refuse it otherwise), and only a request really kept
    /// here gets that, so a header cannot buy an old request a new life.
    pub fn received_at(&self, carrier: &str, kind: WebhookKind, request: &HttpRequest) -> Option<u64> {
        let text = std::fs::read(self.path_for(carrier, kind, request)).ok()?;
        let letter: DeadLetter = serde_json::from_slice(&text).ok()?;
        (letter.request.body == request.body).then_some(letter.received_at_ms)
    }

    /// Writes the letter durably; returns its path (also when it was kept before).
    pub fn keep(&self, letter: &DeadLetter) -> std::io::Result<PathBuf> {
        std::fs::create_dir_all(&self.dir)?;
        let path = self.path_for(&letter.carrier, letter.kind, &letter.request);
        if path.exists() {
            return Ok(path);
        }
        if std::fs::read_dir(&self.dir)?.count() >= MAX_LETTERS {
            return Err(std::io::Error::other(format!(
                "{} already holds {MAX_LETTERS} kept requests; not keeping more",
                self.dir.display()
            )));
        }
        let mut f = std::fs::File::create(&path)?;
        f.write_all(&serde_json::to_vec_pretty(letter).map_err(std::io::Error::other)?)?;
        f.sync_all()?;
        std::fs::File::open(&self.dir)?.sync_all()?;
        Ok(path)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
