//! The schema, versioned: each file in `migrations/` is applied once, in
//! order, in one transaction with its row in `smsdesk_migrations`. An
//! advisory lock makes instances that start together take turns, so each
//! migration runs once.

use postgres::Client;

/// Every migration, in order: (version, SQL). New ones go at the end;
/// applied ones never change.
pub const MIGRATIONS: &[(i32, &str)] = &[
    (1, include_str!("../migrations/0001_kv_and_lease.sql")),
    (2, include_str!("../migrations/0002_inbox.sql")),
    (3, include_str!("../migrations/0003_bot_kv.sql")),
    (4, include_str!("../migrations/0004_appservice_and_media.sql")),
];

/// An arbitrary constant: the advisory lock migrations hold.
const LOCK: i64 = 0x736d_7364_6573_6b00; // "smsdesk\0"

/// Applies the migrations this database has not had; how many.
pub fn run(client: &mut Client) -> Result<usize, postgres::Error> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK])?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS smsdesk_migrations (
             version    integer PRIMARY KEY,
             applied_at timestamptz NOT NULL DEFAULT now()
         )",
    )?;
    let done: Vec<i32> = tx
        .query("SELECT version FROM smsdesk_migrations", &[])?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut applied = 0;
    for (version, sql) in MIGRATIONS {
        if done.contains(version) {
            continue;
        }
        tx.batch_execute(sql)?;
        tx.execute("INSERT INTO smsdesk_migrations (version) VALUES ($1)", &[version])?;
        tracing::info!(version, "applied a database migration");
        applied += 1;
    }
    tx.commit()?;
    Ok(applied)
}

/// The newest migration this smsdesk knows.
pub fn latest() -> i32 {
    MIGRATIONS.last().map_or(0, |(v, _)| *v)
}

/// The newest migration this database has had (0 for a new one); reads only.
pub fn applied(client: &mut Client) -> Result<i32, postgres::Error> {
    let exists: bool = client
        .query_one("SELECT to_regclass('smsdesk_migrations') IS NOT NULL", &[])?
        .get(0);
    if !exists {
        return Ok(0);
    }
    Ok(client
        .query_one("SELECT coalesce(max(version), 0) FROM smsdesk_migrations", &[])?
        .get(0))
}
