//! Whether this smsdesk may run on, and lead, the shared database (PRODUCT
//! §13): at start (`schema_at_start`) and again at every takeover
//! (`fit_to_lead`), since the database may have changed meanwhile (another
//! instance upgraded, a restore, an import). Each refusal says what the
//! operator should run. It decides nothing else and writes nothing.
//!
//! - A schema newer than this smsdesk knows (another instance was
//!   upgraded): refused, naming both versions; leading on it could write
//!   what the newer one cannot read, or miss what it needs.
//! - An empty database (no smsdesk schema): initialised only with
//!   `smsdesk run --init` (or by `smsdesk import-store`), so that a wrong
//!   URL or a database lost and recreated empty is not led afresh.
//! - An import that did not finish, or an empty engine store while
//!   `storage.path` holds a one-machine store: refused (see `fit_to_lead`).
//!   A one-machine store beside a database that has the desk is named in
//!   a warning (it is stale: the import moves it aside).

use smsdesk_pgstore::migrate;

use crate::config::Config;

/// Why the check at start did not pass.
#[derive(Debug)]
pub enum NotFit {
    /// The database does not answer: try again later (the spool takes
    /// webhooks meanwhile).
    Unreachable(String),
    /// This smsdesk must not run on it: stop, and say why.
    Refused(anyhow::Error),
}

/// The refusal of a schema newer than this smsdesk's, if `applied` is.
fn newer(applied: i32) -> Option<anyhow::Error> {
    let known = migrate::latest();
    (applied > known).then(|| {
        anyhow::anyhow!(
            "the database's schema is at version {applied}, newer than this smsdesk knows (version {known}): another instance runs a newer smsdesk. Upgrade this one (see docs/operator-guide.md, Upgrading several instances); it does not run on a schema it does not know"
        )
    })
}

/// At start, before any migration: the schema version, or why not. Reads
/// only. Blocking.
pub fn schema_at_start(url: &str, init: bool) -> Result<i32, NotFit> {
    let mut client = smsdesk_pgstore::conn::open(url).map_err(|e| {
        if e.is_for_good() {
            // A wrong password does not get better by waiting.
            NotFit::Refused(anyhow::anyhow!(
                "the database at {} refused us: {e}; fix storage.url",
                smsdesk_pgstore::target::target(url)
            ))
        } else {
            NotFit::Unreachable(e.to_string())
        }
    })?;
    let applied = migrate::applied(&mut client).map_err(|e| NotFit::Unreachable(smsdesk_pgstore::describe(&e)));
    smsdesk_pgstore::conn::close(vec![client]);
    let applied = applied?;
    if let Some(refused) = newer(applied) {
        return Err(NotFit::Refused(refused));
    }
    if applied == 0 && !init {
        return Err(NotFit::Refused(anyhow::anyhow!(
            "the database holds no smsdesk store (no schema at all): it is new, or storage.url names the wrong database. To start a new desk in it, run `smsdesk run --init` once; to move a one-machine store in, run `smsdesk import-store`. Nothing was written to the database"
        )));
    }
    if applied == 0 {
        tracing::info!("the database is empty: --init was given, so smsdesk creates its schema");
    }
    Ok(applied)
}

/// `store`, unless it must not be led: a schema newer than this smsdesk
/// knows (upgraded by another instance since this one started), an import
/// that did not finish (part of a store), or an empty database while
/// `storage.path` holds a one-machine (sled) store (starting would leave
/// every conversation behind). The operator is told what to run.
/// A database that stops answering meanwhile is `NotFit::Unreachable`.
pub async fn fit_to_lead(config: &Config, store: smsdesk_pgstore::PgStore) -> Result<smsdesk_pgstore::PgStore, NotFit> {
    let sled = config.storage.clone();
    let url = config.backend.database_url().unwrap_or_default().to_owned();
    // The clients are dropped on this blocking thread, never on the runtime's.
    tokio::task::spawn_blocking(move || {
        let conn = smsdesk_pgstore::Conn::new(&url);
        let applied = conn.with(migrate::applied).map_err(NotFit::Unreachable)?;
        if let Some(refused) = newer(applied) {
            drop(store);
            return Err(NotFit::Refused(refused));
        }
        let unfinished = conn
            .with(smsdesk_pgstore::import::unfinished)
            .map_err(NotFit::Unreachable)?;
        if let Some(import) = unfinished {
            drop(store);
            return Err(NotFit::Refused(anyhow::anyhow!(
                "an import into this database ({import}) did not finish: run `smsdesk import-store --config …` again with every instance stopped"
            )));
        }
        let one_machine = sled.join("db").exists();
        let empty = one_machine
            && crate::storage::engine::is_empty(&store).map_err(|e| NotFit::Unreachable(format!("{e:#}")))?;
        if one_machine && !empty {
            // Put back by hand or by a restore of an old copy: it is not
            // the desk, and a switch back to sled would run on it.
            tracing::warn!(
                storage = %sled.display(),
                "storage.path holds a one-machine (sled) store, which this instance does not use: the desk is in the database. Move db, conf, wal, blobs, events/, outbox/, snap.*, matrix/, appservice/ and media/ out of storage.path (import-store puts them in imported-<date>/)"
            );
        }
        if empty {
            drop(store);
            return Err(NotFit::Refused(anyhow::anyhow!(
                "the database holds no engine store, but {} holds a one-machine (sled) store: run `smsdesk import-store --config …` with every instance stopped to move it into the database, or move the directory away to start afresh",
                sled.display()
            )));
        }
        Ok(store)
    })
    .await
    .map_err(|e| NotFit::Unreachable(e.to_string()))?
}

/// Waits until the database answers and passes `schema_at_start`;
/// `database_ok` is told whether it answers meanwhile.
pub async fn wait_for_schema(url: &str, init: bool, database_ok: impl Fn(bool)) -> anyhow::Result<()> {
    let mut said = false;
    loop {
        let (u, i) = (url.to_owned(), init);
        match tokio::task::spawn_blocking(move || schema_at_start(&u, i)).await? {
            Ok(_) => return Ok(()),
            Err(NotFit::Refused(refused)) => return Err(refused),
            Err(NotFit::Unreachable(error)) => {
                database_ok(false);
                if !said {
                    said = true;
                    tracing::warn!(%error, "cannot reach the database to check its schema; retrying (webhooks go to the spool meanwhile)");
                }
                tokio::time::sleep(crate::cluster::leader::RETRY).await;
            }
        }
    }
}
