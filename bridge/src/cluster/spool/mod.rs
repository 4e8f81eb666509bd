//! The local spool (PostgreSQL only): verified webhooks this instance
//! could not store in the shared inbox because the database is away. A
//! carrier does not retry an inbound message webhook it got an error for,
//! so a verified webhook is acknowledged whenever this machine's disk
//! works: its commands are appended to `storage.path/spool/log` and
//! `fdatasync`ed before the 200 (appends arriving together share one
//! sync), and `drain` moves them into the shared inbox when the database
//! answers again, oldest first, `BATCH` per transaction.
//!
//! Exactly once: an entry is marked moved (`spool/drained`, the offset up
//! to which the log is in the inbox) only after the inbox's commit; a
//! crash in between moves it again, and the engine answers the copy as a
//! duplicate (carrier message ids; statuses never go back). The log is
//! emptied once everything in it is moved.
//!
//! Record: `len: u32 LE | crc32(payload): u32 LE | payload` (the JSON of
//! one webhook's commands, as an inbox row). A torn last record was never
//! acknowledged and is cut at open; a damaged record with others after it
//! stops the start (they were acknowledged) instead.
//!
//! It must not refuse silently: full (`storage.spool_mib`) or unwritable,
//! `append` fails with a sentence saying so, and the webhook gets 503.
//! A lock on `storage.path` (`smsdesk.lock`) keeps a second instance from
//! sharing the directory (and so the spool).

mod error;

use std::fs::{File, OpenOptions};
use std::io::{Read as _, Write as _};
use std::os::unix::fs::{DirBuilderExt as _, FileExt as _, OpenOptionsExt as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::Context as _;
use smsdesk_pgstore::inbox;
use tokio::sync::oneshot;

use crate::backoff::Backoff;
use crate::cluster::pg_pool::Pool;
use crate::metrics::Metrics;

pub use error::SpoolError;

/// Entries moved into the shared inbox in one transaction.
const BATCH: usize = 256;
/// Bytes before each record's payload.
const HEADER: u64 = 8;
/// Moved bytes past which the log is compacted (when they are most of it).
const COMPACT_AFTER: u64 = 4 * 1024 * 1024;

type Waiting = (String, oneshot::Sender<Result<(), SpoolError>>);

/// The spool, shared by the webhook handlers (`append`) and `drain`.
pub struct Spool {
    dir: PathBuf,
    /// `storage.spool_mib`, in bytes: the log's size at most.
    limit: u64,
    state: Mutex<State>,
    /// To the group writer (a thread of its own: it blocks on `fdatasync`).
    queue: std::sync::mpsc::Sender<Waiting>,
    /// Woken when an entry is appended.
    wake: tokio::sync::Notify,
    metrics: Arc<Metrics>,
    /// Held for as long as the process runs (see the module's doc).
    _lock: File,
}

impl std::fmt::Debug for Spool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spool").field("dir", &self.dir).finish_non_exhaustive()
    }
}

#[derive(Debug)]
struct State {
    log: File,
    /// Bytes in the log, all synced.
    len: u64,
    /// The log up to here is in the shared inbox.
    drained: u64,
    /// Entries after `drained`.
    depth: u64,
    /// Why the spool takes nothing more (a failed write or sync: what
    /// the file holds past `len` is unknown).
    broken: Option<String>,
}

impl State {
    /// Bytes of entries not moved yet: what counts against the limit.
    fn live(&self) -> u64 {
        self.len.saturating_sub(self.drained)
    }
}

/// What `/readyz` shows of the spool.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct Status {
    pub depth: u64,
    pub bytes: u64,
    pub accepting: bool,
}

/// Takes the lock on `storage` (refusing a directory another instance
/// uses), for as long as the returned file is open.
fn lock(storage: &Path) -> anyhow::Result<File> {
    let path = storage.join("smsdesk.lock");
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
            "another smsdesk runs with storage.path = {} (it holds {}): each instance needs a directory of its own, since each keeps its own spool of webhooks",
            storage.display(),
            path.display()
        ),
        Err(std::fs::TryLockError::Error(error)) => {
            Err(error).with_context(|| format!("cannot lock {}", path.display()))
        }
    }
}

/// The records of `bytes` from 0: where each ends; stops at a torn or
/// damaged one.
fn scan(bytes: &[u8]) -> Vec<u64> {
    let mut ends = Vec::new();
    let mut at = 0usize;
    while let Some(head) = bytes.get(at..at + 8) {
        let len = u32::from_le_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let crc = u32::from_le_bytes([head[4], head[5], head[6], head[7]]);
        let Some(payload) = bytes.get(at + 8..at + 8 + len) else {
            break;
        };
        if crc32fast::hash(payload) != crc {
            break;
        }
        at += 8 + len;
        ends.push(at as u64);
    }
    ends
}

impl Spool {
    /// Opens (or creates) the spool under `storage/spool`, keeping up to
    /// `limit_mib`; takes `storage`'s lock. Blocking.
    pub fn open(storage: &Path, limit_mib: u64, metrics: Arc<Metrics>) -> anyhow::Result<Arc<Self>> {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(storage)
            .with_context(|| format!("cannot create {}", storage.display()))?;
        let lock = lock(storage)?;
        let dir = storage.join("spool");
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let path = dir.join("log");
        let mut log = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .mode(0o600)
            .open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        let mut bytes = Vec::new();
        log.read_to_end(&mut bytes)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let ends = scan(&bytes);
        let len = ends.last().copied().unwrap_or(0);
        if len < bytes.len() as u64 {
            // A torn last record was never acknowledged; a damaged one with
            // records after it was, and so were they: never cut those.
            let rest = &bytes[usize::try_from(len).unwrap_or(usize::MAX)..];
            let declared = rest
                .get(..4)
                .map(|h| u64::from(u32::from_le_bytes([h[0], h[1], h[2], h[3]])));
            if declared.is_some_and(|d| len + HEADER + d < bytes.len() as u64) {
                anyhow::bail!(
                    "{}: the record at byte {len} is damaged and {} bytes of acknowledged webhooks follow it; smsdesk does not cut them. Copy the file aside for inspection, then move it away to start (what follows the damage is not in the database)",
                    path.display(),
                    bytes.len() as u64 - len
                );
            }
            tracing::warn!(path = %path.display(), dropped_bytes = bytes.len() as u64 - len, "the spool ends in a torn record (never acknowledged); cutting it");
            log.set_len(len)?;
            log.sync_all()?;
        }
        let drained = std::fs::read_to_string(dir.join("drained"))
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok())
            .unwrap_or(0);
        // Past the end: the log was emptied after everything moved, and the
        // mark not reset yet.
        let drained = if ends.contains(&drained) { drained } else { 0 };
        let depth = ends.iter().filter(|end| **end > drained).count() as u64;
        if depth > 0 {
            tracing::warn!(
                depth,
                "the spool holds webhooks not moved into the database yet; they are moved when it answers"
            );
        }
        let (queue, rx) = std::sync::mpsc::channel();
        let spool = Arc::new(Self {
            dir,
            limit: limit_mib.saturating_mul(1024 * 1024),
            state: Mutex::new(State {
                log,
                len,
                drained,
                depth,
                broken: None,
            }),
            queue,
            wake: tokio::sync::Notify::new(),
            metrics,
            _lock: lock,
        });
        spool.show(&spool.lock_state());
        let writer = Arc::downgrade(&spool);
        std::thread::Builder::new()
            .name("smsdesk-spool".into())
            .spawn(move || write_groups(&writer, &rx))
            .context("starting the spool's writer")?;
        Ok(spool)
    }

    fn lock_state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn show(&self, state: &State) {
        self.metrics
            .spool_depth
            .set(i64::try_from(state.depth).unwrap_or(i64::MAX));
        self.metrics
            .spool_bytes
            .set(i64::try_from(state.live()).unwrap_or(i64::MAX));
    }

    /// What `/readyz` shows.
    pub fn status(&self) -> Status {
        let state = self.lock_state();
        Status {
            depth: state.depth,
            bytes: state.live(),
            accepting: state.broken.is_none() && state.live() < self.limit,
        }
    }

    /// Whether nothing waits in the spool (then a webhook goes straight
    /// to the database; otherwise behind those waiting, in order).
    pub fn is_empty(&self) -> bool {
        self.lock_state().depth == 0
    }

    /// Keeps `row` (a webhook's commands); returns once it is on disk.
    pub async fn append(&self, row: String) -> Result<(), SpoolError> {
        let (tx, rx) = oneshot::channel();
        self.queue.send((row, tx)).map_err(|_| SpoolError::Stopped)?;
        let kept = rx.await.map_err(|_| SpoolError::Stopped)?;
        if kept.is_ok() {
            self.wake.notify_one();
        }
        kept
    }

    /// Writes a group of rows with one sync; each one's outcome.
    fn write(&self, rows: &[String]) -> Vec<Result<(), SpoolError>> {
        let mut state = self.lock_state();
        if state.broken.is_some() {
            // Cut whatever a failed write left; if that works, go on.
            let len = state.len;
            if state.log.set_len(len).and_then(|()| state.log.sync_all()).is_ok() {
                state.broken = None;
            }
        }
        if let Some(why) = &state.broken {
            return rows.iter().map(|_| Err(SpoolError::Unwritable(why.clone()))).collect();
        }
        let mut out = Vec::with_capacity(rows.len());
        let mut bytes = Vec::new();
        let mut added = 0;
        for row in rows {
            let size = HEADER + row.len() as u64;
            let Ok(len) = u32::try_from(row.len()) else {
                out.push(Err(SpoolError::TooLarge));
                continue;
            };
            if state.live() + bytes.len() as u64 + size > self.limit {
                out.push(Err(SpoolError::Full {
                    mib: self.limit / (1024 * 1024),
                }));
                continue;
            }
            bytes.extend_from_slice(&len.to_le_bytes());
            bytes.extend_from_slice(&crc32fast::hash(row.as_bytes()).to_le_bytes());
            bytes.extend_from_slice(row.as_bytes());
            added += 1;
            out.push(Ok(()));
        }
        if added == 0 {
            return out;
        }
        let written = state.log.write_all(&bytes).and_then(|()| state.log.sync_data());
        if let Err(error) = written {
            let why = format!("{}: {error}", self.dir.join("log").display());
            tracing::error!(%why, "cannot write the spool; webhooks are refused (503) until the database answers");
            // What follows `len` is unknown: nothing more is appended.
            state.broken = Some(why.clone());
            let why = SpoolError::Unwritable(why);
            return out.into_iter().map(|r| r.and_then(|()| Err(why.clone()))).collect();
        }
        if state.depth == 0 {
            tracing::warn!(
                "the database cannot be reached: verified webhooks are kept in this instance's spool until it answers"
            );
        }
        state.len += bytes.len() as u64;
        state.depth += added;
        self.show(&state);
        out
    }

    /// Up to `BATCH` entries after the drained mark: the rows and where
    /// the last ends. Blocking.
    fn next_batch(&self) -> std::io::Result<(Vec<String>, u64)> {
        let state = self.lock_state();
        let (mut at, end) = (state.drained, state.len);
        let mut rows = Vec::new();
        while at < end && rows.len() < BATCH {
            let mut head = [0u8; 8];
            state.log.read_exact_at(&mut head, at)?;
            let len = u64::from(u32::from_le_bytes([head[0], head[1], head[2], head[3]]));
            let mut payload = vec![0u8; usize::try_from(len).unwrap_or(usize::MAX)];
            state.log.read_exact_at(&mut payload, at + HEADER)?;
            rows.push(String::from_utf8(payload).map_err(std::io::Error::other)?);
            at += HEADER + len;
        }
        Ok((rows, at))
    }

    /// The entries up to `to` are in the shared inbox: marks them so,
    /// and empties the log once all are. Blocking.
    fn moved(&self, count: u64, to: u64) -> std::io::Result<()> {
        let mut state = self.lock_state();
        if to >= state.len {
            // Everything moved: start the log afresh. The mark first: a
            // crash before the log is emptied moves its entries again
            // (duplicates the engine answers once), never skips any.
            self.mark(0)?;
            state.log.set_len(0)?;
            state.len = 0;
            state.drained = 0;
            state.depth = 0;
            // A failed write left nothing behind now: take webhooks again.
            state.broken = None;
            state.log.sync_all()?;
            tracing::info!("the spool is empty: every webhook it kept is in the database");
        } else {
            self.mark(to)?;
            state.drained = to;
            state.depth = state.depth.saturating_sub(count);
            // Webhooks arriving all the time keep the log from ever being
            // empty at the moment it is drained: once most of it is moved,
            // what is left is copied to a new log.
            if state.drained >= COMPACT_AFTER && state.drained * 2 > state.len {
                self.compact(&mut state)?;
            }
        }
        self.show(&state);
        Ok(())
    }

    /// Replaces the log by its entries not moved yet. The new log is
    /// written and synced, then the mark reset, then it takes the old
    /// one's name: a crash before the rename moves the old log's entries
    /// again from the start (duplicates the engine answers once).
    fn compact(&self, state: &mut State) -> std::io::Result<()> {
        use std::io::{Seek as _, SeekFrom};
        let (path, fresh) = (self.dir.join("log"), self.dir.join("log.new"));
        let live = state.live();
        let mut from = File::open(&path)?;
        from.seek(SeekFrom::Start(state.drained))?;
        let mut to = OpenOptions::new()
            .create(true)
            .truncate(true)
            .write(true)
            .mode(0o600)
            .open(&fresh)?;
        std::io::copy(&mut from.take(live), &mut to)?;
        to.sync_all()?;
        self.mark(0)?;
        std::fs::rename(&fresh, &path)?;
        File::open(&self.dir)?.sync_all()?;
        state.log = OpenOptions::new().read(true).append(true).open(&path)?;
        state.len = live;
        state.drained = 0;
        tracing::info!(kept_bytes = live, "the spool's log was compacted");
        Ok(())
    }

    fn mark(&self, to: u64) -> std::io::Result<()> {
        let temporary = self.dir.join("drained.new");
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(true)
            .write(true)
            .mode(0o600)
            .open(&temporary)?;
        file.write_all(to.to_string().as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temporary, self.dir.join("drained"))
    }
}

/// The group writer: takes every row waiting, writes them with one sync,
/// answers each. Ends when the spool is dropped.
fn write_groups(spool: &std::sync::Weak<Spool>, rx: &std::sync::mpsc::Receiver<Waiting>) {
    while let Ok(first) = rx.recv() {
        let mut group = vec![first];
        while let Ok(next) = rx.try_recv() {
            group.push(next);
        }
        let Some(spool) = spool.upgrade() else { return };
        let (rows, waiting): (Vec<String>, Vec<_>) = group.into_iter().unzip();
        let outcomes = spool.write(&rows);
        // Let go before answering: whoever drops the spool after its
        // append returned drops the last handle (and its lock).
        drop(spool);
        for (reply, kept) in waiting.into_iter().zip(outcomes) {
            let _ = reply.send(kept);
        }
    }
}

/// Moves the spool's entries into the shared inbox whenever the database
/// answers, for as long as the spool lives.
pub async fn drain(spool: Arc<Spool>, pool: Arc<Pool>) {
    let mut backoff = Backoff::new(Duration::from_millis(200), Duration::from_secs(5));
    loop {
        if spool.is_empty() {
            tokio::select! {
                () = spool.wake.notified() => {}
                () = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
            continue;
        }
        let reader = spool.clone();
        let (rows, to) = match tokio::task::spawn_blocking(move || reader.next_batch()).await {
            Ok(Ok(batch)) => batch,
            Ok(Err(error)) => {
                tracing::error!(%error, "cannot read the spool; retrying");
                tokio::time::sleep(Duration::from_secs(5)).await;
                continue;
            }
            Err(_) => return,
        };
        let count = rows.len() as u64;
        let rows = Arc::new(rows);
        let pushed = rows.clone();
        match pool.run(move |c| inbox::push(c, &pushed)).await {
            Ok(()) => {
                backoff.reset();
                let marker = spool.clone();
                match tokio::task::spawn_blocking(move || marker.moved(count, to)).await {
                    Ok(Ok(())) => {}
                    Ok(Err(error)) => {
                        // Moved again later: the engine answers duplicates.
                        tracing::error!(%error, "cannot mark the spool's entries as moved; retrying");
                        tokio::time::sleep(Duration::from_secs(5)).await;
                    }
                    Err(_) => return,
                }
            }
            Err(error) => {
                if error.is_retry() {
                    tracing::debug!(%error, "the database still does not take the spool's entries");
                } else {
                    // Tried again all the same: what it refused may change
                    // (a permission granted), and nothing is dropped.
                    tracing::error!(%error, "the database refuses the spool's entries; retrying");
                }
                backoff.sleep().await;
            }
        }
    }
}

#[cfg(test)]
mod tests;
