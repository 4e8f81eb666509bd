//! The sled store, with the durability sled 0.34 does not give by itself.
//!
//! sled's `flush()` writes its buffers with `pwrite` and then calls
//! `sync_file_range`, which survives a killed process but flushes neither
//! file metadata nor the drive's cache. So durability comes from our own
//! write-ahead log (`<dir>/wal`, see `wal`): `commit` appends the write set
//! there, `fdatasync`s it and returns; the writes reach sled's index at the
//! next `settle` (which every read does first, so reads see every commit). sled is
//! made durable at checkpoints (when the log passes `CHECKPOINT_BYTES`, at
//! open and on drop): `flush()`, then `fdatasync` of sled's log file
//! (`<dir>/db`) and of any blob file sled wrote (it never syncs those),
//! then the log is emptied. Events (`e/<seq>`) are not put in sled's tree
//! but appended to the event file beside it (`event_file`), synced at the
//! same checkpoints; reads and scans look in both.
//!
//! One `commit` is one sync: callers get group commit by putting many
//! commands' writes into one `WriteSet` (see `crate::committer`).

use std::collections::BTreeSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use super::event_file::{event_seq, first_seq_from, EventFile};
use super::keys::event_key;
use super::wal::Wal;
use super::{KvStore, Result, WriteSet};

/// Log size that triggers a checkpoint; bounds the replay work at start.
pub const CHECKPOINT_BYTES: u64 = 32 << 20;

/// sled's page cache unless told otherwise (`storage.cache_mib`): enough for
/// the records of the open conversations of a large contact center, and far
/// below sled's own default of 1 GiB.
pub const DEFAULT_CACHE_MIB: u64 = 64;

#[derive(Debug)]
pub struct SledStore {
    db: sled::Db,
    dir: PathBuf,
    /// sled's own log file, opened separately so we can `fdatasync` it.
    sled_log: File,
    /// The events, beside sled (`event_file`).
    events: EventFile,
    wal: Mutex<Wal>,
    /// Write sets that are durable in the log but not yet applied to sled.
    unsettled: Mutex<Vec<WriteSet>>,
    synced_blobs: Mutex<BTreeSet<std::ffi::OsString>>,
    syncs: AtomicU64,
    /// A test hook: `SMSDESK_FAILPOINT=store-commit-fails-after:N` makes
    /// every commit after the Nth fail as a full or broken disk would.
    fail_after: Option<u64>,
}

impl SledStore {
    /// Opens the store in `dir` with the default cache, replaying whatever
    /// the write-ahead log still holds.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self> {
        Self::open_with_cache(dir, DEFAULT_CACHE_MIB)
    }

    /// Opens the store in `dir` with a page cache of `cache_mib` MiB.
    pub fn open_with_cache(dir: impl AsRef<Path>, cache_mib: u64) -> Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        std::fs::create_dir_all(&dir)?;
        let db = open_sled(&dir, cache_mib)?;
        let sled_log = File::open(dir.join("db"))?;
        let events = EventFile::open(&dir)?;
        let (wal, pending) = Wal::open(&dir.join("wal"))?;
        // The directory entries of the files just created must be durable too.
        sync_dir(&dir)?;
        if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            sync_dir(parent)?;
        }
        let store = Self {
            db,
            dir,
            sled_log,
            events,
            wal: Mutex::new(wal),
            unsettled: Mutex::new(Vec::new()),
            synced_blobs: Mutex::new(BTreeSet::new()),
            syncs: AtomicU64::new(0),
            fail_after: std::env::var("SMSDESK_FAILPOINT")
                .ok()
                .and_then(|v| v.strip_prefix("store-commit-fails-after:")?.parse().ok()),
        };
        if !pending.is_empty() {
            tracing::info!(records = pending.len(), "replaying the write-ahead log into sled");
            for set in &pending {
                store.apply_to_sled(set)?;
            }
        }
        store.checkpoint()?;
        Ok(store)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Plain inserts, not `apply_batch`: sled writes and `sync_file_range`s
    /// its log for every batch (measured: one pwrite + sync per batch, which
    /// halved throughput). Atomicity across a crash comes from the
    /// write-ahead log instead: a set half-applied when the process died is
    /// applied whole again at the next open. Events go to the event file,
    /// in one write.
    fn apply_to_sled(&self, writes: &WriteSet) -> Result<()> {
        let mut events = Vec::new();
        for (k, v) in &writes.writes {
            match (event_seq(k), v) {
                (Some(seq), Some(v)) if self.events.takes(seq) => events.push((seq, v.as_slice())),
                (Some(seq), None) if self.events.erase(seq)? => {}
                (_, Some(v)) => drop(self.db.insert(k.as_slice(), v.as_slice())?),
                (_, None) => drop(self.db.remove(k.as_slice())?),
            }
        }
        self.events.put_many(&events)
    }

    /// The events in `[from, to)` (`to`: `None` for no end), at most `limit`.
    fn event_pairs(&self, from: &[u8], to: Option<&[u8]>, limit: usize) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let Some(first) = first_seq_from(from) else {
            return Ok(Vec::new());
        };
        let below = |seq: u64| to.is_none_or(|to| event_key(seq).as_slice() < to);
        Ok(self
            .events
            .range(first, limit, below)?
            .into_iter()
            .map(|(seq, v)| (event_key(seq), v))
            .collect())
    }

    /// Makes sled itself durable, then empties the write-ahead log.
    pub fn checkpoint(&self) -> Result<()> {
        let mut wal = self.wal.lock().unwrap_or_else(PoisonError::into_inner);
        self.checkpoint_locked(&mut wal)
    }

    fn checkpoint_locked(&self, wal: &mut Wal) -> Result<()> {
        self.settle()?;
        self.db.flush()?;
        self.sled_log.sync_data()?;
        self.events.sync()?;
        self.sync_new_blobs()?;
        wal.reset()
    }

    /// sled writes values too large for its log as separate files, unsynced.
    fn sync_new_blobs(&self) -> Result<()> {
        let blobs = self.dir.join("blobs");
        let Ok(entries) = std::fs::read_dir(&blobs) else {
            return Ok(());
        };
        let mut synced = self.synced_blobs.lock().unwrap_or_else(PoisonError::into_inner);
        let mut any = false;
        for entry in entries {
            let entry = entry?;
            if synced.contains(&entry.file_name()) {
                continue;
            }
            match File::open(entry.path()) {
                Ok(f) => f.sync_data()?,
                // sled garbage-collected it meanwhile: nothing to make durable.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e.into()),
            }
            synced.insert(entry.file_name());
            any = true;
        }
        if any {
            sync_dir(&blobs)?;
        }
        Ok(())
    }
}

impl Drop for SledStore {
    fn drop(&mut self) {
        if let Err(error) = self.checkpoint() {
            tracing::warn!(%error, "checkpoint at close failed; the write-ahead log will be replayed at next open");
        }
    }
}

/// How long `open_sled` waits for a lock that the same store, closed a
/// moment ago in this process, may still hold.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Opens sled in `dir`. sled releases its file lock when its last
/// background reference goes, which can be a moment after the `Db` was
/// dropped: an open right after a close (a restart in the same process)
/// waits for it, up to `LOCK_WAIT`. A store another process holds still
/// fails, with sled's message, after that wait.
fn open_sled(dir: &Path, cache_mib: u64) -> sled::Result<sled::Db> {
    let deadline = std::time::Instant::now() + LOCK_WAIT;
    loop {
        // No background flusher: sled is made durable at our checkpoints, and its
        // periodic writes would compete with the write-ahead log for the disk.
        let opened = sled::Config::new()
            .path(dir)
            .mode(sled::Mode::HighThroughput)
            .cache_capacity(cache_mib.saturating_mul(1 << 20))
            .flush_every_ms(None)
            .open();
        match opened {
            Err(sled::Error::Io(e))
                if e.to_string().contains("could not acquire lock") && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

/// The first key after every key that starts with `prefix` (`None`: no end).
fn successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// Two key-ordered lists as one, at most `limit` long.
fn merge(a: Vec<(Vec<u8>, Vec<u8>)>, b: Vec<(Vec<u8>, Vec<u8>)>, limit: usize) -> Vec<(Vec<u8>, Vec<u8>)> {
    if b.is_empty() {
        return a;
    }
    let mut out = Vec::with_capacity((a.len() + b.len()).min(limit));
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    while out.len() < limit {
        let next = match (a.peek(), b.peek()) {
            // The event file wins over a stale copy in sled (as `get` reads).
            (Some(x), Some(y)) if x.0 == y.0 => a.next().and(b.next()),
            (Some(x), Some(y)) if x.0 < y.0 => a.next(),
            (Some(_), Some(_)) | (None, Some(_)) => b.next(),
            (Some(_), None) => a.next(),
            (None, None) => None,
        };
        let Some(next) = next else { break };
        out.push(next);
    }
    out
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

impl KvStore for SledStore {
    fn commit(&self, writes: &WriteSet) -> Result<()> {
        if writes.is_empty() {
            return Ok(());
        }
        if self.fail_after.is_some_and(|n| self.syncs.load(Ordering::Relaxed) >= n) {
            return Err(std::io::Error::other("failpoint store-commit-fails-after: the disk refuses writes").into());
        }
        let mut wal = self.wal.lock().unwrap_or_else(PoisonError::into_inner);
        wal.append(writes)?;
        self.syncs.fetch_add(1, Ordering::Relaxed);
        self.unsettled
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(writes.clone());
        if wal.len() > CHECKPOINT_BYTES {
            self.checkpoint_locked(&mut wal)?;
        }
        Ok(())
    }

    fn settle(&self) -> Result<()> {
        let mut unsettled = self.unsettled.lock().unwrap_or_else(PoisonError::into_inner);
        // Remove each set only once applied: after a failure the rest stays,
        // and every read fails (by settling again) rather than miss a commit.
        while let Some(set) = unsettled.first() {
            self.apply_to_sled(set)?;
            unsettled.remove(0);
        }
        Ok(())
    }

    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.settle()?;
        if let Some(value) = event_seq(key).map(|seq| self.events.get(seq)).transpose()?.flatten() {
            return Ok(Some(value));
        }
        Ok(self.db.get(key)?.map(|v| v.to_vec()))
    }

    fn scan_prefix(&self, prefix: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        self.settle()?;
        let sled: Vec<_> = self
            .db
            .scan_prefix(prefix)
            .map(|r| {
                r.map(|(k, v)| (k.to_vec(), v.to_vec()))
                    .map_err(super::StoreError::from)
            })
            .collect::<Result<_>>()?;
        let events = self.event_pairs(prefix, successor(prefix).as_deref(), usize::MAX)?;
        Ok(merge(sled, events, usize::MAX))
    }

    fn scan_range(&self, from: &[u8], to: &[u8], limit: usize) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        self.settle()?;
        let sled: Vec<_> = self
            .db
            .range(from..to)
            .take(limit)
            .map(|r| {
                r.map(|(k, v)| (k.to_vec(), v.to_vec()))
                    .map_err(super::StoreError::from)
            })
            .collect::<Result<_>>()?;
        let events = self.event_pairs(from, Some(to), limit)?;
        Ok(merge(sled, events, limit))
    }

    fn syncs(&self) -> u64 {
        self.syncs.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{KvStore, WriteSet};
    use super::{event_key, SledStore};

    #[test]
    fn a_store_open_elsewhere_is_refused_with_sleds_message_after_the_wait() {
        let dir = tempfile::tempdir().expect("tmp");
        let held = SledStore::open(dir.path()).expect("open");
        let started = std::time::Instant::now();
        let error = SledStore::open(dir.path()).expect_err("opened twice");
        assert!(error.to_string().contains("could not acquire lock"), "{error}");
        assert!(started.elapsed() >= super::LOCK_WAIT, "{:?}", started.elapsed());
        drop(held);
        // Closed: opened again at once (or within the wait).
        SledStore::open(dir.path()).expect("reopen after close");
    }

    #[test]
    fn events_an_older_version_kept_in_sled_are_read_beside_the_event_file() {
        let dir = tempfile::tempdir().expect("tmp");
        {
            // An older smsdesk kept every event in sled's tree.
            let db = sled::open(dir.path()).expect("sled");
            for seq in 0..5u64 {
                db.insert(event_key(seq), format!("old {seq}").as_bytes())
                    .expect("insert");
            }
            db.insert(b"c/1", b"conversation".as_slice()).expect("insert");
            db.flush().expect("flush");
        }
        let store = SledStore::open(dir.path()).expect("open");
        let mut w = WriteSet::default();
        for seq in 5..10u64 {
            w.put(event_key(seq), format!("new {seq}").into_bytes());
        }
        w.put(b"h/1".to_vec(), Vec::new());
        store.commit(&w).expect("commit");
        let seqs = |rows: Vec<(Vec<u8>, Vec<u8>)>| {
            rows.iter()
                .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
                .collect::<Vec<_>>()
        };
        let all = store.scan_range(&event_key(0), b"e0", 100).expect("scan");
        assert_eq!(
            seqs(all),
            (0..10)
                .map(|s| format!("{} {s}", if s < 5 { "old" } else { "new" }))
                .collect::<Vec<_>>()
        );
        assert_eq!(store.scan_range(&event_key(3), b"e0", 4).expect("scan").len(), 4);
        assert_eq!(
            store.scan_range(&event_key(3), &event_key(6), 100).expect("scan").len(),
            3
        );
        let everything: Vec<Vec<u8>> = store
            .scan_prefix(b"")
            .expect("scan")
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(everything.len(), 12, "{everything:?}");
        assert!(everything.windows(2).all(|w| w[0] < w[1]), "in key order");
        assert_eq!(store.scan_prefix(b"e/").expect("scan").len(), 10);
        assert_eq!(store.scan_prefix(b"h/").expect("scan").len(), 1);
        assert_eq!(store.get(&event_key(3)).expect("get"), Some(b"old 3".to_vec()));
        assert_eq!(store.get(&event_key(8)).expect("get"), Some(b"new 8".to_vec()));
        let log = std::fs::read(dir.path().join("events/log")).expect("log");
        assert!(
            String::from_utf8_lossy(&log).contains("new 8"),
            "new events are in the event file"
        );
        // Erasing (retention) reaches both.
        let mut w = WriteSet::default();
        w.delete(event_key(3));
        w.delete(event_key(8));
        store.commit(&w).expect("commit");
        drop(store);
        let store = SledStore::open(dir.path()).expect("reopen");
        assert_eq!(store.get(&event_key(3)).expect("get"), None);
        assert_eq!(store.get(&event_key(8)).expect("get"), None);
        assert_eq!(store.scan_prefix(b"e/").expect("scan").len(), 8);
        let log = std::fs::read(dir.path().join("events/log")).expect("log");
        assert!(
            !String::from_utf8_lossy(&log).contains("new 8"),
            "an erased event's text is not on disk"
        );
    }
}
