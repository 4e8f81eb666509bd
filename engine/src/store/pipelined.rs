//! Pipelined commits for a store reached over a network (PostgreSQL): a
//! `Pipelined` store commits on a thread of its own, in order, while the
//! engine runs its next batch in memory. The engine's thread then pays a
//! batch's reads, not its commit's round trip and `fsync`; whatever waits
//! while one commit is in flight goes out as the next commit, together.
//!
//! Two handles to the same data: `reads` (the engine's lookups, on the
//! engine's thread) and `commits` (this module's thread), so a lookup need
//! not wait behind a commit. The promises:
//!
//! - **Order.** Commits are made in the order they were handed in; several
//!   waiting ones are merged into one atomic commit (later writes win).
//! - **Answers after durability.** Each `done` is called once its writes
//!   are durable, in order. An empty write set writes nothing but is
//!   answered in its turn, so a batch that wrote nothing (a duplicate
//!   SMS, a refused command) is not answered before the batch it came
//!   behind.
//! - **Nothing after a failure.** Once a commit fails, every later one
//!   fails without writing: what came after depends on what was lost.
//! - **Reads see what is handed in.** `get` and `get_many` look in the
//!   write sets not yet durable first (newest first), then in `reads`.
//!   The unwritten sets are taken before the read is sent, so a commit
//!   finishing meanwhile is seen one way or the other. Scans wait until
//!   everything handed in is durable (`committed`), then read.
//!
//! `done` runs on this module's thread and must not call back into the
//! store's `commit` or `committed` (it would wait for itself).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::sync_channel;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;

use super::{Done, KvStore, Result, StoreError, WriteSet};

/// Write sets that may wait behind the commit in flight before
/// `commit_behind` makes its caller wait (the engine runs no further ahead
/// of the database than this while the database is slow).
const MOST_WAITING: usize = 16;

pub struct Pipelined<S: KvStore + Sync + 'static> {
    reads: S,
    commits: Arc<S>,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl<S: KvStore + Sync + 'static> std::fmt::Debug for Pipelined<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let q = self.shared.lock();
        f.debug_struct("Pipelined")
            .field("waiting", &q.waiting.len())
            .field("committing", &q.committing.len())
            .field("failed", &q.failed.as_ref().map(ToString::to_string))
            .finish_non_exhaustive()
    }
}

struct Shared {
    queue: Mutex<Queue>,
    changed: Condvar,
    /// Set while the thread runs; a store whose thread is gone refuses.
    running: AtomicBool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wait<'a>(&self, guard: MutexGuard<'a, Queue>) -> MutexGuard<'a, Queue> {
        self.changed.wait(guard).unwrap_or_else(PoisonError::into_inner)
    }
}

#[derive(Default)]
struct Queue {
    /// Handed in, not yet taken by the thread.
    waiting: Vec<(Arc<WriteSet>, Done)>,
    /// Taken by the thread, its commit under way.
    committing: Vec<Arc<WriteSet>>,
    /// Taken write sets whose `done` has not been called yet.
    answering: usize,
    /// The first failure; every later commit fails with it.
    failed: Option<StoreError>,
    closing: bool,
}

/// The same error again, for every commit after a failed one.
fn again(error: &StoreError) -> StoreError {
    match error {
        StoreError::Fenced(why) => StoreError::Fenced(why.clone()),
        other => StoreError::Database(format!("an earlier commit failed: {other}")),
    }
}

fn gone() -> StoreError {
    StoreError::Database("the store's commit thread is gone".to_owned())
}

impl<S: KvStore + Sync + 'static> Pipelined<S> {
    /// Looks up in `reads` and commits through `commits` (two handles to
    /// the same data), on a new thread named `smsdesk-commit`.
    pub fn new(reads: S, commits: S) -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            queue: Mutex::default(),
            changed: Condvar::new(),
            running: AtomicBool::new(true),
        });
        let commits = Arc::new(commits);
        let (on_thread, store) = (shared.clone(), commits.clone());
        let thread = std::thread::Builder::new()
            .name("smsdesk-commit".to_owned())
            .spawn(move || {
                let _stopped = Stopped(&on_thread);
                run(store.as_ref(), &on_thread);
            })?;
        Ok(Self {
            reads,
            commits,
            shared,
            thread: Some(thread),
        })
    }

    /// The write sets handed in and not yet durable, oldest first.
    fn unwritten(&self) -> Vec<Arc<WriteSet>> {
        let q = self.shared.lock();
        q.committing
            .iter()
            .chain(q.waiting.iter().map(|(w, _)| w))
            .cloned()
            .collect()
    }
}

/// Marks the thread gone when it ends, even by a panic in a `done`, so
/// no caller waits for it for ever.
struct Stopped<'a>(&'a Shared);

impl Drop for Stopped<'_> {
    fn drop(&mut self) {
        self.0.running.store(false, Ordering::Release);
        self.0.changed.notify_all();
    }
}

/// What the newest of `unwritten` says of `key`: `Some(None)` deleted,
/// `None` not written there.
fn newest<'a>(unwritten: &'a [Arc<WriteSet>], key: &[u8]) -> Option<&'a Option<Vec<u8>>> {
    unwritten.iter().rev().find_map(|w| w.writes.get(key))
}

fn run<S: KvStore>(commits: &S, shared: &Shared) {
    loop {
        let (taken, failed) = {
            let mut q = shared.lock();
            while q.waiting.is_empty() && !q.closing {
                q = shared.wait(q);
            }
            if q.waiting.is_empty() {
                return;
            }
            let taken = std::mem::take(&mut q.waiting);
            q.committing = taken.iter().map(|(w, _)| w.clone()).collect();
            q.answering = taken.len();
            (taken, q.failed.as_ref().map(again))
        };
        // Room for the engine to hand in more while this commit runs.
        shared.changed.notify_all();
        let result = match failed {
            Some(error) => Err(error),
            None => commit_all(commits, &taken),
        };
        {
            let mut q = shared.lock();
            q.committing.clear();
            if let Err(error) = &result {
                tracing::error!(%error, "a pipelined commit failed; every later one fails with it");
                q.failed.get_or_insert_with(|| again(error));
            }
        }
        for (_, done) in taken {
            done(result.as_ref().map(|_| ()).map_err(again));
        }
        shared.lock().answering = 0;
        shared.changed.notify_all();
    }
}

/// One commit for every write set taken (none if all are empty).
fn commit_all<S: KvStore>(commits: &S, taken: &[(Arc<WriteSet>, Done)]) -> Result<()> {
    let mut sets = taken.iter().map(|(w, _)| w.as_ref()).filter(|w| !w.is_empty());
    let Some(first) = sets.next() else { return Ok(()) };
    let Some(second) = sets.next() else {
        return commits.commit(first);
    };
    let mut all = first.clone();
    for set in std::iter::once(second).chain(sets) {
        all.writes
            .extend(set.writes.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    commits.commit(&all)
}

impl<S: KvStore + Sync + 'static> KvStore for Pipelined<S> {
    /// Behind every commit handed in before; returns once durable.
    fn commit(&self, writes: &WriteSet) -> Result<()> {
        let (tx, rx) = sync_channel(1);
        self.commit_behind(
            writes.clone(),
            Box::new(move |result| {
                let _ = tx.send(result);
            }),
        );
        rx.recv().unwrap_or_else(|_| Err(gone()))
    }

    fn commit_behind(&self, writes: WriteSet, done: Done) {
        let mut q = self.shared.lock();
        while q.waiting.len() >= MOST_WAITING && self.shared.running.load(Ordering::Acquire) {
            q = self.shared.wait(q);
        }
        if !self.shared.running.load(Ordering::Acquire) {
            drop(q);
            return done(Err(gone()));
        }
        q.waiting.push((Arc::new(writes), done));
        drop(q);
        self.shared.changed.notify_all();
    }

    fn committed(&self) -> Result<()> {
        let mut q = self.shared.lock();
        while (!q.waiting.is_empty() || q.answering > 0) && self.shared.running.load(Ordering::Acquire) {
            q = self.shared.wait(q);
        }
        q.failed.as_ref().map_or(Ok(()), |e| Err(again(e)))
    }

    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let unwritten = self.unwritten();
        match newest(&unwritten, key) {
            Some(value) => Ok(value.clone()),
            None => self.reads.get(key),
        }
    }

    fn get_many(&self, keys: &[Vec<u8>]) -> Result<Vec<Option<Vec<u8>>>> {
        let unwritten = self.unwritten();
        let mut out: Vec<Option<Option<Vec<u8>>>> = keys.iter().map(|k| newest(&unwritten, k).cloned()).collect();
        let missing: Vec<Vec<u8>> = keys
            .iter()
            .zip(&out)
            .filter(|(_, known)| known.is_none())
            .map(|(k, _)| k.clone())
            .collect();
        if !missing.is_empty() {
            let mut read = self.reads.get_many(&missing)?.into_iter();
            for slot in out.iter_mut().filter(|slot| slot.is_none()) {
                *slot = Some(read.next().flatten());
            }
        }
        Ok(out.into_iter().map(Option::flatten).collect())
    }

    fn scan_prefix(&self, prefix: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        self.committed()?;
        self.reads.scan_prefix(prefix)
    }

    fn scan_range(&self, from: &[u8], to: &[u8], limit: usize) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        self.committed()?;
        self.reads.scan_range(from, to, limit)
    }

    fn settle(&self) -> Result<()> {
        self.commits.settle()
    }

    fn syncs(&self) -> u64 {
        self.commits.syncs()
    }
}

impl<S: KvStore + Sync + 'static> Drop for Pipelined<S> {
    /// Commits and answers what was handed in, then stops the thread.
    fn drop(&mut self) {
        self.shared.lock().closing = true;
        self.shared.changed.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
#[path = "pipelined_tests.rs"]
mod tests;
