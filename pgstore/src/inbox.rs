//! The shared inbox: what any instance acknowledged to a carrier, kept
//! until the leader's engine has committed it. One row per webhook (its
//! commands as JSON text, written by the instance that verified it), read
//! in id order by the leader and deleted once committed. Rows commit in
//! about, not exactly, id order when several groups are stored at once
//! (by several instances, or several writers of one): ids are handed out
//! at insert, not at commit. The engine does not need more: each
//! customer's messages come one webhook at a time, each acknowledged
//! before the carrier sends the next.
//!
//! Inserts are grouped: `push` stores many webhooks' rows in one
//! statement, which also wakes the leader on its commit (`pg_notify`):
//! one round trip and one commit for the group. Each statement is
//! prepared once per connection (`Session`).

use std::collections::BTreeSet;
use std::sync::{Mutex, PoisonError};

use postgres::types::Type;

use crate::session::Session;

/// The channel the leader listens on to hear of new rows.
pub const CHANNEL: &str = "smsdesk_inbox";

/// Stores one row per entry of `rows` (each a webhook's commands), in
/// that order, in one statement; returns once PostgreSQL has committed.
pub fn push(session: &mut Session, rows: &[String]) -> Result<(), postgres::Error> {
    session.query(
        &format!(
            "WITH stored AS (INSERT INTO smsdesk_inbox (commands) \
             SELECT c FROM UNNEST($1::text[]) WITH ORDINALITY AS u(c, n) ORDER BY n RETURNING 1) \
             SELECT pg_notify('{CHANNEL}', '') FROM (SELECT count(*) FROM stored) AS n"
        ),
        &[(&rows, Type::TEXT_ARRAY)],
    )?;
    Ok(())
}

/// Up to `limit` rows not committed yet, oldest first, but for those in
/// `skip`: (id, commands).
pub fn pending(session: &mut Session, limit: i64, skip: &[i64]) -> Result<Vec<(i64, String)>, postgres::Error> {
    Ok(session
        .query(
            "SELECT id, commands FROM smsdesk_inbox WHERE NOT (id = ANY($2)) ORDER BY id LIMIT $1",
            &[(&limit, Type::INT8), (&skip, Type::INT8_ARRAY)],
        )?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect())
}

/// The rows `ids` are committed by the engine: forget them.
pub fn done(session: &mut Session, ids: &[i64]) -> Result<(), postgres::Error> {
    session.query(
        "DELETE FROM smsdesk_inbox WHERE id = ANY($1)",
        &[(&ids, Type::INT8_ARRAY)],
    )?;
    Ok(())
}

/// How many rows wait (for `/metrics`).
pub fn depth(session: &mut Session) -> Result<i64, postgres::Error> {
    Ok(session.query_one("SELECT count(*) FROM smsdesk_inbox", &[])?.get(0))
}

/// The rows no instance here can read (written by a newer smsdesk during a
/// rolling upgrade): left in the inbox for a leader that can, and passed
/// over by the leader's reads of it and by its engine's gate
/// (`PgStore::gated`), which would otherwise stay shut behind them.
#[derive(Debug, Default)]
pub struct PassedOver(Mutex<BTreeSet<i64>>);

impl PassedOver {
    /// Passes over row `id` from now on.
    pub fn add(&self, id: i64) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).insert(id);
    }

    /// The rows passed over, in id order.
    pub fn ids(&self) -> Vec<i64> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .copied()
            .collect()
    }
}
