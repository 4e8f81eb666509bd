//! The sled store, with the durability sled 0.34 does not give by itself.
//!
//! sled's `flush()` writes its buffers with `pwrite` and then calls
//! `sync_file_range`, which survives a killed process but flushes neither
//! file metadata nor the drive's cache. So after every batch we also call
//! `fdatasync` on sled's log file (`<dir>/db`), on any blob file sled wrote
//! since the last commit (sled writes blobs without syncing them), and, once,
//! on the directories. Only then does `commit` return.
//!
//! One `commit` is one sync: callers get group commit by putting many
//! commands' writes into one `WriteSet` (see `crate::committer`).

use std::collections::BTreeSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use super::{KvStore, Result, WriteSet};

#[derive(Debug)]
pub struct SledStore {
    db: sled::Db,
    dir: PathBuf,
    /// sled's log file, opened separately so we can `fdatasync` it.
    log: File,
    synced_blobs: Mutex<BTreeSet<std::ffi::OsString>>,
    syncs: AtomicU64,
}

impl SledStore {
    pub fn open(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        std::fs::create_dir_all(&dir)?;
        let db = sled::Config::new().path(&dir).open()?;
        let log = File::open(dir.join("db"))?;
        // The directory entries of the files sled just created must be durable too.
        sync_dir(&dir)?;
        if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            sync_dir(parent)?;
        }
        let store = Self {
            db,
            dir,
            log,
            synced_blobs: Mutex::new(BTreeSet::new()),
            syncs: AtomicU64::new(0),
        };
        store.sync_new_blobs()?;
        Ok(store)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
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

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

impl KvStore for SledStore {
    fn commit(&self, writes: &WriteSet) -> Result<()> {
        if writes.is_empty() {
            return Ok(());
        }
        let mut batch = sled::Batch::default();
        for (k, v) in &writes.writes {
            match v {
                Some(v) => batch.insert(k.as_slice(), v.as_slice()),
                None => batch.remove(k.as_slice()),
            }
        }
        self.db.apply_batch(batch)?;
        self.db.flush()?;
        self.log.sync_data()?;
        self.sync_new_blobs()?;
        self.syncs.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.db.get(key)?.map(|v| v.to_vec()))
    }

    fn scan_prefix(&self, prefix: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        self.db
            .scan_prefix(prefix)
            .map(|r| r.map(|(k, v)| (k.to_vec(), v.to_vec())).map_err(Into::into))
            .collect()
    }

    fn scan_range(&self, from: &[u8], to: &[u8], limit: usize) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        self.db
            .range(from..to)
            .take(limit)
            .map(|r| r.map(|(k, v)| (k.to_vec(), v.to_vec())).map_err(Into::into))
            .collect()
    }

    fn syncs(&self) -> u64 {
        self.syncs.load(Ordering::Relaxed)
    }
}
