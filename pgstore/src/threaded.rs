//! A `KvStore` run on a thread of its own. The `postgres` client drives a
//! small runtime of its own and refuses to run on a thread of an async
//! runtime; the Matrix bot reads its store from async code (short reads,
//! as it did from sled). `Threaded` hands each call to its thread and
//! waits for the answer, so any thread may call it.

use std::sync::mpsc::{sync_channel, Sender, SyncSender};
use std::sync::{Mutex, PoisonError};

use smsdesk_engine::store::{KvStore, Result, StoreError, WriteSet};

type Job<S> = Box<dyn FnOnce(&S) + Send>;

pub struct Threaded<S: KvStore + 'static> {
    jobs: Mutex<Sender<Job<S>>>,
}

impl<S: KvStore + 'static> std::fmt::Debug for Threaded<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Threaded").finish_non_exhaustive()
    }
}

fn gone() -> StoreError {
    StoreError::Database("the store's thread is gone".to_owned())
}

impl<S: KvStore + 'static> Threaded<S> {
    /// Moves `store` to a new thread named `name`.
    pub fn spawn(name: &str, store: S) -> std::io::Result<Self> {
        let (tx, rx) = std::sync::mpsc::channel::<Job<S>>();
        std::thread::Builder::new().name(name.to_owned()).spawn(move || {
            while let Ok(job) = rx.recv() {
                job(&store);
            }
        })?;
        Ok(Self { jobs: Mutex::new(tx) })
    }

    fn call<R: Send + 'static>(&self, f: impl FnOnce(&S) -> Result<R> + Send + 'static) -> Result<R> {
        let (tx, rx): (SyncSender<Result<R>>, _) = sync_channel(1);
        let job: Job<S> = Box::new(move |store| {
            let _ = tx.send(f(store));
        });
        self.jobs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .send(job)
            .map_err(|_| gone())?;
        rx.recv().map_err(|_| gone())?
    }
}

impl<S: KvStore + 'static> KvStore for Threaded<S> {
    fn commit(&self, writes: &WriteSet) -> Result<()> {
        let writes = writes.clone();
        self.call(move |s| s.commit(&writes))
    }
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let key = key.to_vec();
        self.call(move |s| s.get(&key))
    }
    fn get_many(&self, keys: &[Vec<u8>]) -> Result<Vec<Option<Vec<u8>>>> {
        let keys = keys.to_vec();
        self.call(move |s| s.get_many(&keys))
    }
    fn get_many_gated(&self, keys: &[Vec<u8>]) -> Result<(Vec<Option<Vec<u8>>>, bool)> {
        let keys = keys.to_vec();
        self.call(move |s| s.get_many_gated(&keys))
    }
    fn scan_prefix(&self, prefix: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let prefix = prefix.to_vec();
        self.call(move |s| s.scan_prefix(&prefix))
    }
    fn scan_range(&self, from: &[u8], to: &[u8], limit: usize) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let (from, to) = (from.to_vec(), to.to_vec());
        self.call(move |s| s.scan_range(&from, &to, limit))
    }
    fn settle(&self) -> Result<()> {
        self.call(KvStore::settle)
    }
    fn syncs(&self) -> u64 {
        self.call(|s| Ok(s.syncs())).unwrap_or(0)
    }
}
