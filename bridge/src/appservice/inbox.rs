//! The transactions the homeserver pushed, kept until handled. A
//! transaction is durable here before the homeserver gets its 200 (so a
//! crash after the answer loses nothing, and one before it means the
//! homeserver sends it again); its id is remembered, so a transaction sent
//! again is answered without being queued twice. The Matrix desk takes
//! them in the order they came and removes each once handled; one cut
//! short by a crash is handled again whole, which the handlers recognise
//! by the events' ids (as after a crash mid-sync in bot mode).
//!
//! On one machine, its own small store under `storage.path/appservice/`
//! (keys `q/<seq>` for the queue, `seen/<txnId>` for the ids), apart from
//! the engine's event log and the bot's store, which it must not wait for.
//! On a shared PostgreSQL store, the table `smsdesk_appservice_txn`
//! (`smsdesk_pgstore::appservice`): any instance keeps what the
//! homeserver pushed to it, the leader's desk takes it from there.

use std::path::Path;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use smsdesk_engine::store::{KvStore as _, SledStore, StoreError, WriteSet};
use smsdesk_pgstore::Conn;

/// Transaction ids are remembered this long: the homeserver retries a
/// transaction until it is answered, never days later.
pub const REMEMBER: Duration = Duration::from_secs(7 * 24 * 3600);
/// The inbox's page cache: it holds a few transactions at a time.
const CACHE_MIB: u64 = 4;

/// One transaction as received.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredTxn {
    pub txn_id: String,
    /// The request body as the homeserver sent it (JSON with `events`).
    pub body: String,
}

/// What `accept` did with a transaction.
#[derive(Debug, PartialEq, Eq)]
pub enum Accepted {
    /// Stored, durably: answer 200.
    Queued,
    /// Its id was seen before: answer 200, nothing stored.
    Duplicate,
}

#[derive(Debug)]
pub struct Inbox {
    backend: Backend,
}

#[derive(Debug)]
enum Backend {
    Sled {
        kv: SledStore,
        /// The next queue position; held while accepting, so ids are
        /// checked and stored one transaction at a time.
        next: Mutex<u64>,
    },
    Postgres(Conn),
}

fn database(error: String) -> StoreError {
    StoreError::Database(error)
}

fn queue_key(seq: u64) -> Vec<u8> {
    format!("q/{seq:020}").into_bytes()
}

fn seen_key(txn_id: &str) -> Vec<u8> {
    format!("seen/{txn_id}").into_bytes()
}

/// What tells a transaction from another: its id and the ids of its
/// events. A repeat (the homeserver retrying one it got no answer for)
/// has both the same. The id alone is not enough: Synapse on SQLite
/// numbers its transactions from 1 again after a restart, and new ones
/// would be taken for repeats and dropped. The body itself is not
/// compared: a retry serialises its events again, with a new `age`.
pub fn identity<'a>(txn_id: &str, event_ids: impl Iterator<Item = &'a str>) -> String {
    use sha2::{Digest as _, Sha256};
    let mut digest = Sha256::new();
    for id in event_ids {
        digest.update(id.as_bytes());
        digest.update(b"\n");
    }
    let hex: String = digest.finalize()[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("{txn_id}~{hex}")
}

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl Inbox {
    /// Opens (or creates) the inbox in `dir`.
    pub fn open(dir: &Path) -> smsdesk_engine::store::Result<Self> {
        let kv = SledStore::open_with_cache(dir, CACHE_MIB)?;
        let last = kv
            .scan_prefix(b"q/")?
            .last()
            .and_then(|(k, _)| std::str::from_utf8(&k[2..]).ok()?.parse::<u64>().ok());
        Ok(Self {
            backend: Backend::Sled {
                kv,
                next: Mutex::new(last.map_or(0, |l| l + 1)),
            },
        })
    }

    /// The inbox in the shared database at `url` (connected when first used).
    pub fn shared(url: &str) -> Self {
        Self {
            backend: Backend::Postgres(Conn::new(url)),
        }
    }

    /// Stores `txn` unless its id was seen; returns once it is durable.
    /// Blocking (one disk sync): call it off the async runtime.
    pub fn accept(&self, txn: &StoredTxn) -> smsdesk_engine::store::Result<Accepted> {
        let (kv, next) = match &self.backend {
            Backend::Sled { kv, next } => (kv, next),
            Backend::Postgres(conn) => {
                let queued = conn
                    .with(|c| smsdesk_pgstore::appservice::accept(c, &txn.txn_id, &txn.body))
                    .map_err(database)?;
                return Ok(if queued { Accepted::Queued } else { Accepted::Duplicate });
            }
        };
        let mut next = next.lock().unwrap_or_else(PoisonError::into_inner);
        if kv.get(&seen_key(&txn.txn_id))?.is_some() {
            return Ok(Accepted::Duplicate);
        }
        let mut w = WriteSet::default();
        w.put(seen_key(&txn.txn_id), now_secs().to_string().into_bytes());
        // Our own type serializes infallibly.
        w.put(queue_key(*next), serde_json::to_vec(txn).unwrap_or_default());
        kv.commit(&w)?;
        *next += 1;
        Ok(Accepted::Queued)
    }

    /// Up to `limit` transactions not handled yet, oldest first, with their
    /// queue positions. An entry that cannot be read is returned as `Err`
    /// with its position (and why it is not JSON smsdesk reads), so the
    /// caller can say so and move past it.
    pub fn pending(
        &self,
        limit: usize,
    ) -> smsdesk_engine::store::Result<Vec<(u64, Result<StoredTxn, serde_json::Error>)>> {
        let kv = match &self.backend {
            Backend::Sled { kv, .. } => kv,
            Backend::Postgres(conn) => {
                let limit = i64::try_from(limit).unwrap_or(i64::MAX);
                let rows = conn
                    .with(|c| smsdesk_pgstore::appservice::pending(c, limit))
                    .map_err(database)?;
                return Ok(rows
                    .into_iter()
                    .map(|(id, txn_id, body)| (id.unsigned_abs(), Ok(StoredTxn { txn_id, body })))
                    .collect());
            }
        };
        Ok(kv
            .scan_range(b"q/", b"q0", limit)?
            .into_iter()
            .filter_map(|(k, v)| {
                let seq = std::str::from_utf8(&k[2..]).ok()?.parse::<u64>().ok()?;
                Some((seq, serde_json::from_slice(&v)))
            })
            .collect())
    }

    /// The transaction at `seq` was handled: forget it (its id stays seen).
    pub fn done(&self, seq: u64) -> smsdesk_engine::store::Result<()> {
        let kv = match &self.backend {
            Backend::Sled { kv, .. } => kv,
            Backend::Postgres(conn) => {
                let id = i64::try_from(seq).unwrap_or(i64::MAX);
                return conn
                    .with(|c| smsdesk_pgstore::appservice::done(c, id))
                    .map_err(database);
            }
        };
        let mut w = WriteSet::default();
        w.delete(queue_key(seq));
        kv.commit(&w)
    }

    /// Forgets transaction ids seen longer than `REMEMBER` ago; how many.
    pub fn sweep(&self) -> smsdesk_engine::store::Result<usize> {
        let kv = match &self.backend {
            Backend::Sled { kv, .. } => kv,
            Backend::Postgres(conn) => {
                let n = conn
                    .with(|c| smsdesk_pgstore::appservice::sweep(c, REMEMBER))
                    .map_err(database)?;
                return Ok(usize::try_from(n).unwrap_or(usize::MAX));
            }
        };
        let cutoff = now_secs().saturating_sub(REMEMBER.as_secs());
        let mut w = WriteSet::default();
        for (k, v) in kv.scan_prefix(b"seen/")? {
            let at = std::str::from_utf8(&v).ok().and_then(|t| t.parse::<u64>().ok());
            if at.is_none_or(|at| at < cutoff) {
                w.delete(k);
            }
        }
        let n = w.len();
        if n > 0 {
            kv.commit(&w)?;
        }
        Ok(n)
    }

    /// Durable writes so far (for tests).
    pub fn syncs(&self) -> u64 {
        match &self.backend {
            Backend::Sled { kv, .. } => kv.syncs(),
            Backend::Postgres(_) => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reused_id_with_other_events_is_another_transaction() {
        let first = identity("1", ["$a", "$b"].into_iter());
        // The homeserver retrying it: the same id and events.
        assert_eq!(identity("1", ["$a", "$b"].into_iter()), first);
        // Synapse after a restart on SQLite: id 1 again, new events.
        assert_ne!(identity("1", ["$c"].into_iter()), first);
        assert_ne!(identity("2", ["$a", "$b"].into_iter()), first);
    }

    fn txn(id: &str, body: &str) -> StoredTxn {
        StoredTxn {
            txn_id: id.to_owned(),
            body: body.to_owned(),
        }
    }

    #[test]
    fn a_transaction_sent_again_is_queued_once() {
        let dir = tempfile::tempdir().unwrap();
        let inbox = Inbox::open(dir.path()).unwrap();
        assert_eq!(inbox.accept(&txn("1", "a")).unwrap(), Accepted::Queued);
        let syncs = inbox.syncs();
        assert_eq!(inbox.accept(&txn("1", "a")).unwrap(), Accepted::Duplicate);
        assert_eq!(inbox.syncs(), syncs, "a duplicate writes nothing");
        let pending = inbox.pending(10).unwrap();
        assert_eq!(pending.len(), 1);
        // Handled, its id is still remembered.
        inbox.done(pending[0].0).unwrap();
        assert_eq!(inbox.accept(&txn("1", "a")).unwrap(), Accepted::Duplicate);
        assert!(inbox.pending(10).unwrap().is_empty());
    }

    #[test]
    fn what_was_accepted_survives_a_restart_in_order() {
        let dir = tempfile::tempdir().unwrap();
        {
            let inbox = Inbox::open(dir.path()).unwrap();
            for i in 0..12 {
                inbox.accept(&txn(&i.to_string(), &format!("body {i}"))).unwrap();
            }
            let first = inbox.pending(1).unwrap()[0].0;
            inbox.done(first).unwrap();
        }
        let inbox = Inbox::open(dir.path()).unwrap();
        let bodies: Vec<String> = inbox
            .pending(100)
            .unwrap()
            .into_iter()
            .map(|(_, t)| t.unwrap().body)
            .collect();
        let expected: Vec<String> = (1..12).map(|i| format!("body {i}")).collect();
        assert_eq!(bodies, expected);
        // New ones go after what is still queued, and old ids stay seen.
        inbox.accept(&txn("new", "last")).unwrap();
        assert_eq!(
            inbox.pending(100).unwrap().last().unwrap().1.as_ref().unwrap().body,
            "last"
        );
        assert_eq!(inbox.accept(&txn("0", "again")).unwrap(), Accepted::Duplicate);
    }

    #[test]
    fn old_ids_are_swept_and_recent_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let inbox = Inbox::open(dir.path()).unwrap();
        inbox.accept(&txn("recent", "a")).unwrap();
        let mut w = WriteSet::default();
        w.put(seen_key("ancient"), b"1000".to_vec());
        let Backend::Sled { kv, .. } = &inbox.backend else {
            unreachable!()
        };
        kv.commit(&w).unwrap();
        assert_eq!(inbox.sweep().unwrap(), 1);
        assert_eq!(inbox.accept(&txn("recent", "a")).unwrap(), Accepted::Duplicate);
        assert_eq!(inbox.accept(&txn("ancient", "a")).unwrap(), Accepted::Queued);
    }
}
