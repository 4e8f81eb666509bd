//! The shared inbox: what any instance acknowledged to a carrier, kept
//! until the leader's engine has committed it. One row per webhook (its
//! commands as JSON text, written by the instance that verified it), read
//! in id order by the leader and deleted once committed. Rows commit in
//! about, not exactly, id order when instances insert at once; the engine
//! does not need more (each customer's messages come one webhook at a time).

use postgres::GenericClient;

/// Stores one webhook's commands; returns once PostgreSQL has committed.
pub fn push(client: &mut impl GenericClient, commands: &str) -> Result<i64, postgres::Error> {
    Ok(client
        .query_one(
            "INSERT INTO smsdesk_inbox (commands) VALUES ($1) RETURNING id",
            &[&commands],
        )?
        .get(0))
}

/// Up to `limit` rows not committed yet, oldest first: (id, commands).
pub fn pending(client: &mut impl GenericClient, limit: i64) -> Result<Vec<(i64, String)>, postgres::Error> {
    Ok(client
        .query("SELECT id, commands FROM smsdesk_inbox ORDER BY id LIMIT $1", &[&limit])?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect())
}

/// The row `id` is committed by the engine: forget it.
pub fn done(client: &mut impl GenericClient, id: i64) -> Result<(), postgres::Error> {
    client.execute("DELETE FROM smsdesk_inbox WHERE id = $1", &[&id])?;
    Ok(())
}
