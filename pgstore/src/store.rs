//! `PgStore`: the engine's key-value store in PostgreSQL. Keys and values
//! are `bytea`, ordered bytewise as in sled, so prefix and range scans
//! return the same records in the same order.
//!
//! A commit is one transaction: deletes, then an upsert of every put
//! (`UNNEST` of two arrays: one statement however many writes), and it
//! returns once PostgreSQL has committed (durable as the server's
//! `synchronous_commit` says; `on` by default). A fenced store first
//! checks, in the same transaction, that its lease epoch is still the
//! current one (`Fence`); if another instance took over, nothing is
//! written and the commit fails with `StoreError::Fenced`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use postgres::Client;
use smsdesk_core::store::{KvStore, Result, StoreError, WriteSet};

/// The lease a fenced store's commits must still hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fence {
    /// The lease's name (one per deployment: `leader`).
    pub name: String,
    /// This instance.
    pub holder: String,
    /// The epoch this instance took over with.
    pub epoch: i64,
}

/// Which key-value table a store keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    /// The engine's records (`smsdesk_kv`).
    Engine,
    /// The Matrix bot's (`smsdesk_bot_kv`): rooms, cards, the feed's cursor.
    Bot,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Self::Engine => "smsdesk_kv",
            Self::Bot => "smsdesk_bot_kv",
        }
    }
}

/// The statements of one table.
#[derive(Debug)]
struct Sql {
    delete: String,
    upsert: String,
    get: String,
    from: String,
    between: String,
    range: String,
}

impl Sql {
    fn of(table: Table) -> Self {
        let t = table.name();
        Self {
            delete: format!("DELETE FROM {t} WHERE key = ANY($1)"),
            upsert: format!(
                "INSERT INTO {t} (key, value) SELECT * FROM UNNEST($1::bytea[], $2::bytea[]) \
                 ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"
            ),
            get: format!("SELECT value FROM {t} WHERE key = $1"),
            from: format!("SELECT key, value FROM {t} WHERE key >= $1 ORDER BY key"),
            between: format!("SELECT key, value FROM {t} WHERE key >= $1 AND key < $2 ORDER BY key"),
            range: format!("SELECT key, value FROM {t} WHERE key >= $1 AND key < $2 ORDER BY key LIMIT $3"),
        }
    }
}

pub struct PgStore {
    client: Mutex<Client>,
    sql: Sql,
    fence: Option<Fence>,
    commits: AtomicU64,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").field("fence", &self.fence).finish()
    }
}

fn db(error: postgres::Error) -> StoreError {
    StoreError::Database(describe(&error))
}

/// A PostgreSQL error as an operator wants to read it: the server's own
/// message and code when it sent one ("db error" alone says nothing).
pub fn describe(error: &postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => format!("{} ({}: {})", error, db.code().code(), db.message()),
        None => match std::error::Error::source(error) {
            Some(source) => format!("{error}: {source}"),
            None => error.to_string(),
        },
    }
}

/// The smallest key greater than every key that starts with `prefix`;
/// `None` when there is none (an empty prefix, or all bytes 0xFF).
fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xFF {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

impl PgStore {
    /// Connects to `url` (`postgres://user:password@host:port/db`) and
    /// applies the migrations this database has not had. Not fenced: for
    /// one writer, tools and tests; a leader uses `fenced`.
    pub fn connect(url: &str) -> Result<Self> {
        Self::connect_table(url, Table::Engine)
    }

    /// The same for the table `table`.
    pub fn connect_table(url: &str, table: Table) -> Result<Self> {
        let mut client = crate::conn::open(url).map_err(db)?;
        crate::migrate::run(&mut client).map_err(db)?;
        Ok(Self {
            client: Mutex::new(client),
            sql: Sql::of(table),
            fence: None,
            commits: AtomicU64::new(0),
        })
    }

    /// The same store, whose every commit first checks `fence`.
    #[must_use]
    pub fn fenced(mut self, fence: Fence) -> Self {
        self.fence = Some(fence);
        self
    }

    fn client(&self) -> std::sync::MutexGuard<'_, Client> {
        self.client.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn rows(&self, sql: &str, params: &[&(dyn postgres::types::ToSql + Sync)]) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        Ok(self
            .client()
            .query(sql, params)
            .map_err(db)?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect())
    }
}

impl KvStore for PgStore {
    fn commit(&self, writes: &WriteSet) -> Result<()> {
        let (mut keys, mut values, mut deleted) = (Vec::new(), Vec::new(), Vec::new());
        for (key, value) in &writes.writes {
            match value {
                Some(v) => {
                    keys.push(key.as_slice());
                    values.push(v.as_slice());
                }
                None => deleted.push(key.as_slice()),
            }
        }
        let mut client = self.client();
        let mut tx = client.transaction().map_err(db)?;
        if let Some(fence) = &self.fence {
            // Locks the lease row until the commit: a takeover waits for
            // this commit, and a commit after a takeover finds the epoch moved.
            let held = tx
                .execute(
                    "UPDATE smsdesk_lease SET epoch = epoch WHERE name = $1 AND holder = $2 AND epoch = $3",
                    &[&fence.name, &fence.holder, &fence.epoch],
                )
                .map_err(db)?;
            if held != 1 {
                return Err(StoreError::Fenced(format!(
                    "{} no longer holds lease {:?} at epoch {}",
                    fence.holder, fence.name, fence.epoch
                )));
            }
        }
        if !deleted.is_empty() {
            tx.execute(&self.sql.delete, &[&deleted]).map_err(db)?;
        }
        if !keys.is_empty() {
            tx.execute(&self.sql.upsert, &[&keys, &values]).map_err(db)?;
        }
        tx.commit().map_err(db)?;
        self.commits.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self
            .client()
            .query_opt(&self.sql.get, &[&key])
            .map_err(db)?
            .map(|r| r.get(0)))
    }

    fn scan_prefix(&self, prefix: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        match prefix_end(prefix) {
            Some(end) => self.rows(&self.sql.between, &[&prefix, &end]),
            None => self.rows(&self.sql.from, &[&prefix]),
        }
    }

    fn scan_range(&self, from: &[u8], to: &[u8], limit: usize) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.rows(&self.sql.range, &[&from, &to, &limit])
    }

    fn syncs(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::prefix_end;

    #[test]
    fn a_prefix_ends_before_the_next_one() {
        assert_eq!(prefix_end(b"c/"), Some(b"c0".to_vec()));
        assert_eq!(prefix_end(&[b'a', 0xFF]), Some(b"b".to_vec()));
        assert_eq!(prefix_end(&[0xFF, 0xFF]), None);
        assert_eq!(prefix_end(b""), None);
    }
}
