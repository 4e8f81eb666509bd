//! Raw webhook requests smsdesk could not process (a plugin failure, an SMS
//! to a number with no entry point, a field smsdesk does not store), kept
//! as files for inspection and replay:
//! `<storage.path>/dead-letters/<carrier>-<kind>-<hash>.letter`, named by a
//! hash of the request so a carrier's retries are kept once (`letter`:
//! the file format). Each is written and `fsync`ed before the carrier gets
//! its answer.
//!
//! Only a request whose signature the host confirmed is kept (the webhook
//! handler decides; `Refused::Unsigned` counts the others), and all of them
//! together never take more than `storage.dead_letters_max_mib`: a letter
//! that would pass it is refused (`Refused::Full`), and the carrier is
//! answered 503 so it retries. Letters older than `storage.retention` are
//! deleted (`expiry`). The count and bytes are kept in memory, set from
//! the folder at start and after every expiry pass, and looked at again
//! before a refusal (`smsdesk replay` or the operator may have made room).

pub mod expiry;
pub mod letter;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use smsdesk_plugins::carrier::{HttpRequest, WebhookKind};

pub use letter::DeadLetter;

use crate::metrics::dead_letters::DeadLetterMetrics;

/// How often, at most, a refusal for a full folder looks at the folder
/// again: a flood of signed requests against a full folder must not scan
/// it for each.
const RESCAN_AT_MOST_EVERY: Duration = Duration::from_secs(1);

/// Why a request was not kept.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// Keeping it would pass `storage.dead_letters_max_mib`.
    #[error("storage for unroutable messages is full ({held} of {cap} bytes held; this request needs {needed})")]
    Full { held: u64, cap: u64, needed: u64 },
    /// The file could not be written.
    #[error("storage for unroutable messages cannot be written: {0}")]
    Unwritable(std::io::Error),
}

impl Refused {
    /// The `reason` label of `smsdesk_dead_letters_refused_total`.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Full { .. } => "full",
            Self::Unwritable(_) => "unwritable",
        }
    }
}

/// What is in the folder, as far as this process knows.
#[derive(Debug)]
struct Held {
    count: u64,
    bytes: u64,
    /// When the folder was last read (`None`: never).
    scanned: Option<Instant>,
}

#[derive(Debug)]
struct Inner {
    dir: PathBuf,
    cap: u64,
    held: Mutex<Held>,
    metrics: DeadLetterMetrics,
}

/// The dead-letter folder; clones share it.
#[derive(Clone, Debug)]
pub struct DeadLetters(Arc<Inner>);

impl DeadLetters {
    /// The folder `dir`, holding at most `cap` bytes, counted in `metrics`.
    /// Reads what is there already (a missing folder holds nothing).
    pub fn open(dir: PathBuf, cap: u64, metrics: DeadLetterMetrics) -> Self {
        let this = Self(Arc::new(Inner {
            dir,
            cap,
            held: Mutex::new(Held {
                count: 0,
                bytes: 0,
                scanned: None,
            }),
            metrics,
        }));
        this.rescan();
        this
    }

    /// The folder and cap of `config`, counted in `metrics`.
    pub fn for_config(config: &crate::config::Config, metrics: &crate::metrics::Metrics) -> Self {
        Self::open(
            config.dead_letters_dir(),
            config.dead_letters_max_bytes(),
            metrics.dead_letters.clone(),
        )
    }

    pub fn dir(&self) -> &Path {
        &self.0.dir
    }

    /// Counts a request that was not kept because its signature was never
    /// confirmed.
    pub fn refused_unsigned(&self) {
        self.0.metrics.refused("unsigned");
    }

    /// Reads the folder again: count and bytes of its letters.
    pub fn rescan(&self) {
        let mut held = self.0.held.lock().unwrap_or_else(PoisonError::into_inner);
        self.rescan_locked(&mut held);
    }

    fn rescan_locked(&self, held: &mut Held) {
        let (mut count, mut bytes) = (0, 0);
        if let Ok(entries) = std::fs::read_dir(&self.0.dir) {
            for entry in entries.flatten() {
                let path = entry.path();
                if letter::is_letter(&path) {
                    if let Ok(meta) = entry.metadata() {
                        count += 1;
                        bytes += meta.len();
                    }
                } else if is_temporary(&path) && held.scanned.is_none() {
                    // Left by a write cut short before this start: never a letter.
                    let _ = std::fs::remove_file(&path);
                }
            }
        }
        *held = Held {
            count,
            bytes,
            scanned: Some(Instant::now()),
        };
        self.0.metrics.set(count, bytes);
    }

    /// A letter of this process was deleted (expired).
    fn forget(&self, bytes: u64) {
        let mut held = self.0.held.lock().unwrap_or_else(PoisonError::into_inner);
        held.count = held.count.saturating_sub(1);
        held.bytes = held.bytes.saturating_sub(bytes);
        self.0.metrics.set(held.count, held.bytes);
    }

    /// Where a request of `carrier` is (or would be) kept, with `extension`.
    fn path_for(&self, carrier: &str, kind: WebhookKind, request: &HttpRequest, extension: &str) -> PathBuf {
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
        self.0
            .dir
            .join(format!("{carrier}-{kind}-{}.{extension}", hex(&digest[..12])))
    }

    /// When a replayed request was first received, if this server kept it:
    /// a replay is judged at its original time (a carrier's signature
    /// tolerance would refuse it otherwise), and only a request really kept
    /// here gets that, so a header cannot buy an old request a new life.
    pub fn received_at(&self, carrier: &str, kind: WebhookKind, request: &HttpRequest) -> Option<u64> {
        [letter::EXTENSION, letter::OLD_EXTENSION].into_iter().find_map(|ext| {
            let kept = DeadLetter::read(&self.path_for(carrier, kind, request, ext)).ok()?;
            (kept.request.body == request.body).then_some(kept.received_at_ms)
        })
    }

    /// Writes the letter durably (a temporary file, `fsync`, renamed into
    /// place: never half a letter); its path, also when it was kept before.
    pub fn keep(&self, letter: &DeadLetter) -> Result<PathBuf, Refused> {
        let path = self.path_for(&letter.carrier, letter.kind, &letter.request, letter::EXTENSION);
        let old = self.path_for(&letter.carrier, letter.kind, &letter.request, letter::OLD_EXTENSION);
        let bytes = letter.encode();
        let needed = bytes.len() as u64;
        // Held across the write: two copies of one request are kept once, and counted once.
        let mut held = self.0.held.lock().unwrap_or_else(PoisonError::into_inner);
        if path.exists() {
            return Ok(path);
        }
        if old.exists() {
            return Ok(old);
        }
        if held.bytes.saturating_add(needed) > self.0.cap {
            // Room may have been made since (a replay, the operator): look again, now and then.
            if held.scanned.is_none_or(|at| at.elapsed() >= RESCAN_AT_MOST_EVERY) {
                self.rescan_locked(&mut held);
            }
            if held.bytes.saturating_add(needed) > self.0.cap {
                return Err(self.refuse(Refused::Full {
                    held: held.bytes,
                    cap: self.0.cap,
                    needed,
                }));
            }
        }
        match self.write(&path, &bytes) {
            Ok(()) => {
                held.count += 1;
                held.bytes += needed;
                self.0.metrics.set(held.count, held.bytes);
                Ok(path)
            }
            Err(error) => Err(self.refuse(Refused::Unwritable(error))),
        }
    }

    fn refuse(&self, refused: Refused) -> Refused {
        self.0.metrics.refused(refused.label());
        refused
    }

    fn write(&self, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.0.dir)?;
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("letter");
        let temporary = self.0.dir.join(format!(".{name}.tmp"));
        let written = (|| {
            let mut f = std::fs::File::create(&temporary)?;
            f.write_all(bytes)?;
            f.sync_all()?;
            std::fs::rename(&temporary, path)?;
            std::fs::File::open(&self.0.dir)?.sync_all()
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        written
    }
}

/// A write in progress (or cut short): `.<name>.tmp`.
fn is_temporary(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.') && n.ends_with(".tmp"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letter(body: &str) -> DeadLetter {
        DeadLetter {
            carrier: "twilio".into(),
            kind: WebhookKind::Inbound,
            reason: "no entry point for +15559999999".into(),
            received_at_ms: 1,
            request: HttpRequest {
                method: "POST".into(),
                url: "https://desk.example.com/webhooks/twilio/inbound".into(),
                headers: Vec::new(),
                body: body.as_bytes().to_vec(),
                received_at_ms: Some(1),
            },
        }
    }

    fn refused(metrics: &DeadLetterMetrics, reason: &str) -> u64 {
        metrics
            .refused
            .get_or_create(&crate::metrics::dead_letters::RefusedLabels {
                reason: reason.to_owned(),
            })
            .get()
    }

    #[test]
    fn the_cap_is_exact_a_retry_is_kept_once_and_room_is_seen_again() {
        let dir = tempfile::tempdir().expect("tmp");
        let one = letter("a").encode().len() as u64;
        let metrics = DeadLetterMetrics::default();
        let letters = DeadLetters::open(dir.path().join("dead-letters"), 2 * one, metrics.clone());
        let first = letters.keep(&letter("a")).expect("room for one");
        assert_eq!(letters.keep(&letter("a")).expect("the same again"), first);
        letters.keep(&letter("b")).expect("room for exactly two");
        assert!(matches!(letters.keep(&letter("c")), Err(Refused::Full { .. })));
        assert_eq!((metrics.count.get(), metrics.bytes.get()), (2, 2 * one as i64));
        assert_eq!(refused(&metrics, "full"), 1);
        // Someone else makes room (a replay, the operator): seen on the next refusal's look.
        std::fs::remove_file(&first).expect("remove");
        std::thread::sleep(RESCAN_AT_MOST_EVERY);
        letters.keep(&letter("c")).expect("room again");
        assert_eq!(metrics.count.get(), 2);
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(letters.dir())
            .expect("dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert!(
            names.iter().all(|n| n.to_string_lossy().ends_with(".letter")),
            "{names:?}"
        );
    }

    #[test]
    fn expired_letters_are_deleted_and_no_longer_counted() {
        let dir = tempfile::tempdir().expect("tmp");
        let metrics = DeadLetterMetrics::default();
        let letters = DeadLetters::open(dir.path().to_owned(), 1 << 20, metrics.clone());
        letters.keep(&letter("a")).expect("kept");
        let day = Duration::from_secs(86_400);
        let now = std::time::SystemTime::now();
        assert_eq!(letters.expire(day, now).letters, 0, "younger than the retention");
        let gone = letters.expire(day, now + 2 * day);
        assert_eq!(gone.letters, 1);
        assert_eq!((metrics.count.get(), metrics.bytes.get()), (0, 0));
    }
}
