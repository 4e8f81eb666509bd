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
//! then the log is emptied. Events (`e/<seq>`) and conversations'
//! histories (`h/`) are not put in sled's tree but kept beside it
//! (`beside`), synced at the same checkpoints; reads and scans look in both.
//!
//! One `commit` is one sync: callers get group commit by putting many
//! commands' writes into one `WriteSet` (see `crate::committer`).

use std::collections::BTreeSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use super::beside::{merge, successor, Beside};
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
    /// The events and histories, beside sled (`beside`).
    beside: Beside,
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
        let (wal, pending) = Wal::open(&dir.join("wal"))?;
        let beside = Beside::open(&dir, &pending)?;
        // The directory entries of the files just created must be durable too.
        sync_dir(&dir)?;
        if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            sync_dir(parent)?;
        }
        let store = Self {
            db,
            dir,
            sled_log,
            beside,
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
    /// applied whole again at the next open. Events and histories go beside
    /// sled (`beside`).
    fn apply_to_sled(&self, writes: &WriteSet) -> Result<()> {
        self.beside.apply(&self.db, writes)
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
        self.beside.sync()?;
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
        if let Some(value) = self.beside.get(key)? {
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
        let beside = self.beside.pairs(prefix, successor(prefix).as_deref(), usize::MAX)?;
        Ok(merge(sled, beside, usize::MAX))
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
        let beside = self.beside.pairs(from, Some(to), limit)?;
        Ok(merge(sled, beside, limit))
    }

    fn syncs(&self) -> u64 {
        self.syncs.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
#[path = "sled_store_tests.rs"]
mod tests;
