//! `storage.retention` for kept requests: at start and then hourly, every
//! letter whose file was last written longer ago than the retention is
//! deleted (by the file's modification time: a copy an operator restored
//! counts from then). Nothing is deleted without `storage.retention`.

use std::time::{Duration, SystemTime};

use super::{letter, DeadLetters};

const EVERY: Duration = Duration::from_secs(3600);

/// What one pass deleted.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Expired {
    pub letters: u64,
    pub bytes: u64,
}

impl DeadLetters {
    /// Deletes the letters last written before `now - retention`.
    pub fn expire(&self, retention: Duration, now: SystemTime) -> Expired {
        let mut expired = Expired::default();
        let Some(cutoff) = now.checked_sub(retention) else {
            return expired;
        };
        let Ok(entries) = std::fs::read_dir(self.dir()) else {
            return expired;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if !letter::is_letter(&path) {
                continue;
            }
            let Ok(meta) = entry.metadata() else { continue };
            if meta.modified().is_ok_and(|written| written < cutoff) {
                match std::fs::remove_file(&path) {
                    Ok(()) => {
                        expired.letters += 1;
                        expired.bytes += meta.len();
                        self.forget(meta.len());
                    }
                    Err(error) => {
                        tracing::error!(file = %path.display(), %error, "retention: cannot delete an expired kept request");
                    }
                }
            }
        }
        // Whatever else changed meanwhile (a replay, the operator) is counted again.
        self.rescan();
        expired
    }
}

/// Runs while the server runs (nothing to do without `storage.retention`).
pub async fn run(dead_letters: DeadLetters, retention: Option<Duration>) {
    let Some(retention) = retention else {
        return;
    };
    let mut tick = tokio::time::interval(EVERY);
    loop {
        tick.tick().await;
        let letters = dead_letters.clone();
        let expired = tokio::task::spawn_blocking(move || letters.expire(retention, SystemTime::now())).await;
        match expired {
            Ok(e) if e.letters > 0 => tracing::info!(
                letters = e.letters,
                bytes = e.bytes,
                ?retention,
                "retention: deleted kept requests older than the retention"
            ),
            Ok(_) => {}
            Err(error) => tracing::error!(%error, "retention: the pass over kept requests failed"),
        }
    }
}
