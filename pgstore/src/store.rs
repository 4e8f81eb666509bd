//! `PgStore`: the engine's key-value store in PostgreSQL. Keys and values
//! are `bytea`, ordered bytewise as in sled, so prefix and range scans
//! return the same records in the same order.
//!
//! A commit is one statement, prepared once per connection (`Session`: the
//! first use on a connection prepares it, every later one is one round
//! trip): the deletes and an upsert of every put (`UNNEST` of
//! two arrays) as parts of one `WITH`, atomic as any statement, and it
//! returns once PostgreSQL has committed (durable as the server's
//! `synchronous_commit` says; `on` by default). A fenced store's statement
//! first locks its lease row if its epoch is still the current one
//! (`Fence`), and writes only then; if another instance took over, nothing
//! is written and the commit fails with `StoreError::Fenced`. A connection
//! the database dropped (it restarted) is made again and the call tried
//! once more, so a leader outlives a short database restart.
//!
//! A leader's engine store is gated (`gated`): the batch's read
//! (`get_many_gated`) also says, in the same statement, whether the
//! shared inbox holds a row the leader has not passed over, so webhooks
//! the leader took itself wait behind what a standby acknowledged first.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use postgres::types::{ToSql, Type};

use smsdesk_engine::store::{KvStore, Result, StoreError, WriteSet};

use crate::conn::Conn;
use crate::inbox::PassedOver;

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
    /// Deletes `$1` and upserts `$2`/`$3`; returns one row.
    commit: String,
    /// The same once the lease `$4` is held by `$5` at epoch `$6` (the
    /// row locked until the commit: a takeover waits for it, and a commit
    /// after a takeover finds the epoch moved); returns how many lease
    /// rows it locked (0: fenced, nothing written).
    fenced_commit: String,
    get: String,
    get_many: String,
    /// `get_many`, plus a row of NULLs when the shared inbox holds a row
    /// but for those in `$2` (the gate is shut).
    get_many_gated: String,
    from: String,
    between: String,
    range: String,
}

impl Sql {
    fn of(table: Table) -> Self {
        let t = table.name();
        // Keys are unique in a write set (a map), so no row is touched twice.
        let writes = |when: &str| {
            format!(
                "gone AS (DELETE FROM {t} WHERE key = ANY($1){when}), \
                 put AS (INSERT INTO {t} (key, value) SELECT k, v FROM UNNEST($2::bytea[], $3::bytea[]) AS u(k, v) \
                 WHERE TRUE{when} ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value)"
            )
        };
        Self {
            commit: format!("WITH {} SELECT 1::bigint", writes("")),
            fenced_commit: format!(
                "WITH fence AS (UPDATE smsdesk_lease SET epoch = epoch \
                 WHERE name = $4 AND holder = $5 AND epoch = $6 RETURNING 1), {} \
                 SELECT count(*) FROM fence",
                writes(" AND EXISTS (SELECT 1 FROM fence)")
            ),
            get: format!("SELECT value FROM {t} WHERE key = $1"),
            get_many: format!("SELECT key, value FROM {t} WHERE key = ANY($1)"),
            get_many_gated: format!(
                "SELECT key, value FROM {t} WHERE key = ANY($1) UNION ALL SELECT NULL::bytea, NULL::bytea \
                 WHERE EXISTS (SELECT 1 FROM smsdesk_inbox WHERE NOT (id = ANY($2)))"
            ),
            from: format!("SELECT key, value FROM {t} WHERE key >= $1 ORDER BY key"),
            between: format!("SELECT key, value FROM {t} WHERE key >= $1 AND key < $2 ORDER BY key"),
            range: format!("SELECT key, value FROM {t} WHERE key >= $1 AND key < $2 ORDER BY key LIMIT $3"),
        }
    }
}

pub struct PgStore {
    /// Made again, and the call tried once more, when the database
    /// restarted since it was last used (a commit retried so is safe: the
    /// fence is checked again, and the same writes twice are the same).
    conn: Conn,
    sql: Sql,
    fence: Option<Fence>,
    /// Set on a leader's engine store: its gate is the shared inbox.
    gate: Option<Arc<PassedOver>>,
    commits: AtomicU64,
    /// Held through a `snapshot`, whose statements share one transaction.
    snapshot: std::sync::Mutex<()>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").field("fence", &self.fence).finish()
    }
}

/// The value of each of `keys`, in their order, from the rows `found`.
fn in_order(keys: &[Vec<u8>], found: impl Iterator<Item = (Vec<u8>, Vec<u8>)>) -> Vec<Option<Vec<u8>>> {
    let found: std::collections::HashMap<Vec<u8>, Vec<u8>> = found.collect();
    keys.iter().map(|k| found.get(k).cloned()).collect()
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
        let conn = Conn::new(url);
        // Connects now (and migrates), so a wrong URL is said at once.
        conn.with(|_| Ok(())).map_err(StoreError::Database)?;
        Ok(Self {
            conn,
            sql: Sql::of(table),
            fence: None,
            gate: None,
            commits: AtomicU64::new(0),
            snapshot: std::sync::Mutex::new(()),
        })
    }

    /// The same store, whose every commit first checks `fence`.
    #[must_use]
    pub fn fenced(mut self, fence: Fence) -> Self {
        self.fence = Some(fence);
        self
    }

    /// The same store, whose gate (`KvStore::get_many_gated`) is shut while
    /// the shared inbox holds a row, but for those `passed_over`: a
    /// leader's webhooks committed straight through its engine then wait
    /// behind what a standby acknowledged before them.
    #[must_use]
    pub fn gated(mut self, passed_over: Arc<PassedOver>) -> Self {
        self.gate = Some(passed_over);
        self
    }

    /// Runs `f`'s reads in one read-only `REPEATABLE READ` transaction, so
    /// they see the store as one commit left it (an index and the records
    /// it names agree, whatever commits meanwhile). One snapshot at a time.
    /// Should the connection break inside, the rest reads outside it.
    pub fn snapshot<R>(&self, f: impl FnOnce(&Self) -> R) -> R {
        let _one = self.snapshot.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let began = self
            .conn
            .with(|c| c.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
        let out = f(self);
        if began.is_ok() {
            let _ = self.conn.with(|c| c.batch_execute("COMMIT"));
        }
        out
    }

    /// Rows of a read (a prepared statement: one round trip).
    fn rows(&self, sql: &str, params: &[(&(dyn ToSql + Sync), Type)]) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        self.conn
            .with_session(|s| s.query(sql, params))
            .map(|rows| rows.iter().map(|r| (r.get(0), r.get(1))).collect())
            .map_err(StoreError::Database)
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
        let fenced = self.conn.with_session(|session| {
            let writes: [(&(dyn ToSql + Sync), Type); 3] = [
                (&deleted, Type::BYTEA_ARRAY),
                (&keys, Type::BYTEA_ARRAY),
                (&values, Type::BYTEA_ARRAY),
            ];
            let Some(fence) = &self.fence else {
                session.query(&self.sql.commit, &writes)?;
                return Ok(None);
            };
            let mut params = writes.to_vec();
            params.extend([
                (&fence.name as &(dyn ToSql + Sync), Type::TEXT),
                (&fence.holder, Type::TEXT),
                (&fence.epoch, Type::INT8),
            ]);
            let held: i64 = session.query_one(&self.sql.fenced_commit, &params)?.get(0);
            Ok((held != 1).then_some(fence))
        });
        match fenced.map_err(StoreError::Database)? {
            Some(fence) => Err(StoreError::Fenced(format!(
                "{} no longer holds lease {:?} at epoch {}",
                fence.holder, fence.name, fence.epoch
            ))),
            None => {
                self.commits.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
        }
    }

    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.conn
            .with_session(|s| s.query(&self.sql.get, &[(&key, Type::BYTEA)]))
            .map(|rows| rows.first().map(|r| r.get(0)))
            .map_err(StoreError::Database)
    }

    fn get_many(&self, keys: &[Vec<u8>]) -> Result<Vec<Option<Vec<u8>>>> {
        let rows = self
            .conn
            .with_session(|s| s.query(&self.sql.get_many, &[(&keys, Type::BYTEA_ARRAY)]))
            .map_err(StoreError::Database)?;
        Ok(in_order(keys, rows.iter().map(|r| (r.get(0), r.get(1)))))
    }

    fn get_many_gated(&self, keys: &[Vec<u8>]) -> Result<(Vec<Option<Vec<u8>>>, bool)> {
        let Some(passed_over) = &self.gate else {
            return Ok((self.get_many(keys)?, true));
        };
        let skip = passed_over.ids();
        let rows = self
            .conn
            .with_session(|s| {
                s.query(
                    &self.sql.get_many_gated,
                    &[(&keys, Type::BYTEA_ARRAY), (&skip, Type::INT8_ARRAY)],
                )
            })
            .map_err(StoreError::Database)?;
        // The gate's row is the one without a key (`key` is the primary key).
        let open = rows.iter().all(|r| r.get::<_, Option<Vec<u8>>>(0).is_some());
        let found = rows
            .iter()
            .filter_map(|r| Some((r.get::<_, Option<Vec<u8>>>(0)?, r.get(1))));
        Ok((in_order(keys, found), open))
    }

    fn scan_prefix(&self, prefix: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        match prefix_end(prefix) {
            Some(end) => self.rows(&self.sql.between, &[(&prefix, Type::BYTEA), (&end, Type::BYTEA)]),
            None => self.rows(&self.sql.from, &[(&prefix, Type::BYTEA)]),
        }
    }

    fn scan_range(&self, from: &[u8], to: &[u8], limit: usize) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.rows(
            &self.sql.range,
            &[(&from, Type::BYTEA), (&to, Type::BYTEA), (&limit, Type::INT8)],
        )
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
