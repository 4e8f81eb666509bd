//! Appservice transactions on a shared store (`smsdesk_appservice_txn`):
//! any instance keeps what the homeserver pushed before answering it, the
//! leader's Matrix desk takes them in order. A transaction id is kept
//! once whichever instance gets it (a unique column, so two instances
//! given the same transaction at once cannot both queue it).

use std::time::Duration;

use postgres::GenericClient;

/// The channel the leader listens on to hear of a new transaction.
pub const CHANNEL: &str = "smsdesk_appservice";

/// Keeps the transaction `txn_id` unless it is known; `true` when it was
/// queued now. Returns once PostgreSQL has committed it.
pub fn accept(client: &mut postgres::Client, txn_id: &str, body: &str) -> Result<bool, postgres::Error> {
    let mut tx = client.transaction()?;
    let queued = tx.execute(
        "INSERT INTO smsdesk_appservice_txn (txn_id, body) VALUES ($1, $2) ON CONFLICT (txn_id) DO NOTHING",
        &[&txn_id, &body],
    )? == 1;
    if queued {
        tx.batch_execute(&format!("NOTIFY {CHANNEL}"))?;
    }
    tx.commit()?;
    Ok(queued)
}

/// Up to `limit` transactions not handled yet, oldest first: (id, txn_id, body).
pub fn pending(client: &mut impl GenericClient, limit: i64) -> Result<Vec<(i64, String, String)>, postgres::Error> {
    Ok(client
        .query(
            "SELECT id, txn_id, body FROM smsdesk_appservice_txn WHERE body IS NOT NULL ORDER BY id LIMIT $1",
            &[&limit],
        )?
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect())
}

/// The transaction `id` was handled: its body goes, its id stays known.
pub fn done(client: &mut impl GenericClient, id: i64) -> Result<(), postgres::Error> {
    client.execute("UPDATE smsdesk_appservice_txn SET body = NULL WHERE id = $1", &[&id])?;
    Ok(())
}

/// Forgets handled transactions received more than `remember` ago; how many.
pub fn sweep(client: &mut impl GenericClient, remember: Duration) -> Result<u64, postgres::Error> {
    client.execute(
        "DELETE FROM smsdesk_appservice_txn WHERE body IS NULL AND received_at < now() - make_interval(secs => $1)",
        &[&remember.as_secs_f64()],
    )
}
