//! `smsdesk import-store`: moves a one-machine deployment onto PostgreSQL.
//! With the config already saying `backend = "postgres"`, it copies what
//! the sled stores under `storage.path` hold into the database: the
//! engine's records (conversations, event log, outbox), the Matrix bot's
//! store (rooms, cards, the feed's cursor), appservice transactions not
//! handled yet, and agents' attachments not swept yet (under the same
//! tokens, which queued replies name). Keys and values are the same bytes
//! on both stores, so the copy is exact.
//!
//! It refuses while an instance leads (stop them all first: the copy must
//! not race a running engine) and when the database already holds an
//! engine store (it never merges two). While it copies it holds the leader
//! lease itself (every page fenced by it) and marks the import under way
//! (`smsdesk_pgstore::import`): no instance leads on a half-copied store,
//! and an import cut short is resumed by the next, which writes the same
//! records again. Once the copy is complete, the sled stores are moved
//! into `storage.path/imported-<date>/` (`import_aside`): the database is
//! the store from then on, and nothing started later (an `export`, a
//! restore of `storage.path`, a `backend` switched back) can mistake the
//! old copy for the desk. The way back is to move them back and switch
//! `backend` back.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use smsdesk_engine::store::{KvStore, SledStore, WriteSet};
use smsdesk_pgstore::lease::{self, Lease};
use smsdesk_pgstore::{Conn, Fence, PgStore, Table};

use crate::appservice::inbox::Inbox;
use crate::config::Config;
use crate::media::outgoing::MediaStore;
use crate::storage::engine::{is_empty, END};

/// Records copied per transaction.
const PAGE: usize = 2_000;

pub fn run(path: &Path) -> anyhow::Result<ExitCode> {
    let config = match Config::load(path) {
        Ok(c) => c,
        Err(errors) => {
            eprint!("{errors}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let Some(url) = config.backend.database_url().map(str::to_owned) else {
        eprintln!(
            "{}: storage.backend is \"sled\"; set backend = \"postgres\" and storage.url first (storage.path stays: the sled stores are read from there)",
            path.display()
        );
        return Ok(ExitCode::FAILURE);
    };
    if !config.storage.join("db").exists() {
        match super::import_aside::earlier(&config.storage).last() {
            Some(done) => eprintln!(
                "{}: there is no sled store to import (an earlier import moved its store to {})",
                config.storage.display(),
                done.display()
            ),
            None => eprintln!("{}: there is no sled store to import", config.storage.display()),
        }
        return Ok(ExitCode::FAILURE);
    }
    // This import holds the leader lease while it copies: no instance can
    // start leading on a half-copied store, and every page it commits is
    // fenced by that lease.
    let conn = Conn::new(&url);
    let lease = Lease::new(lease::LEADER, &format!("import-store-{}", std::process::id()), HOLD);
    let Some(fence) = conn.with(|c| lease.try_acquire(c)).map_err(anyhow::Error::msg)? else {
        let holder = conn
            .with(|c| lease::holder(c, lease::LEADER))
            .map_err(anyhow::Error::msg)?
            .map(|h| h.holder)
            .unwrap_or_default();
        eprintln!("instance {holder} leads on this database: stop every smsdesk instance, then import");
        return Ok(ExitCode::FAILURE);
    };
    let result = import(&config, &url, &conn, &lease, &fence);
    if let Err(error) = conn.with(|c| lease.resign(c, &fence)) {
        eprintln!("cannot give the lease back ({error}); it runs out by itself within {HOLD:?}");
    }
    if !result.as_ref().is_ok_and(|code| *code == ExitCode::SUCCESS) {
        return result;
    }
    // The sled stores are closed (dropped with `import`): out of the way.
    let storage = &config.storage;
    match super::import_aside::move_aside(storage, &super::import_aside::today()) {
        Ok(to) => {
            println!(
                "the one-machine stores were moved to {} (the database holds them now; storage.path keeps this instance's dead-letters/ and plugin-cache/)",
                to.display()
            );
            println!("Start the instances (storage.backend = \"postgres\").");
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            eprintln!(
                "imported into the database, but the one-machine stores could not be moved out of {} ({error}): move db, conf, wal, blobs, events/, outbox/, snap.*, matrix/, appservice/ and media/ into a folder of their own before starting any instance",
                storage.display()
            );
            Ok(ExitCode::FAILURE)
        }
    }
}

/// How long the import's lease lasts without renewal (renewed every page).
const HOLD: Duration = Duration::from_secs(60);

fn import(config: &Config, url: &str, conn: &Conn, lease: &Lease, fence: &Fence) -> anyhow::Result<ExitCode> {
    let engine = PgStore::connect(url)
        .context("connecting to storage.url")?
        .fenced(fence.clone());
    match conn
        .with(smsdesk_pgstore::import::unfinished)
        .map_err(anyhow::Error::msg)?
    {
        Some(earlier) => println!("an import ({earlier}) did not finish: copying again"),
        None if !is_empty(&engine)? => {
            eprintln!("the database already holds an engine store: import into an empty database (nothing was copied)");
            return Ok(ExitCode::FAILURE);
        }
        None => {}
    }
    conn.with(|c| smsdesk_pgstore::import::begin(c, &fence.holder))
        .map_err(anyhow::Error::msg)?;
    let renew = || match conn.with(|c| lease.renew(c, fence)) {
        Ok(true) => Ok(()),
        Ok(false) => anyhow::bail!("the import's lease was taken: stop every smsdesk instance and import again"),
        Err(error) => anyhow::bail!("cannot renew the import's lease: {error}"),
    };
    let sled = SledStore::open_with_cache(&config.storage, config.backend.cache_mib()).with_context(|| {
        format!(
            "opening {} (is a one-machine smsdesk still running?)",
            config.storage.display()
        )
    })?;
    let records = copy(&sled, &engine, &renew)?;
    println!("engine: {records} records");

    let bot_dir = config.matrix_store_dir();
    if bot_dir.join("db").exists() {
        let bot = SledStore::open(&bot_dir).with_context(|| format!("opening {}", bot_dir.display()))?;
        let shared = PgStore::connect_table(url, Table::Bot)
            .context("connecting to storage.url")?
            .fenced(fence.clone());
        println!("Matrix bot: {} records", copy(&bot, &shared, &renew)?);
    }

    let inbox_dir = config.storage.join("appservice");
    if inbox_dir.join("db").exists() {
        let (local, shared) = (Inbox::open(&inbox_dir)?, Inbox::shared(url));
        let mut n = 0;
        for (_, txn) in local.pending(usize::MAX)? {
            match txn {
                Ok(txn) => {
                    shared.accept(&txn)?;
                    n += 1;
                }
                Err(why) => eprintln!("an appservice transaction cannot be read, not imported: {why}"),
            }
        }
        println!("appservice transactions waiting: {n}");
    }

    let media_dir = config.storage.join("media");
    if media_dir.is_dir() {
        let (local, shared) = (MediaStore::open(&config.storage)?, crate::storage::open::media(config)?);
        let mut n = 0;
        for token in local.tokens()? {
            // Expired ones too (until swept, a retried reply revives its own).
            if let Some((meta, bytes)) = local.get(&token, 0)? {
                shared.put_as(&token, &bytes, &meta)?;
                n += 1;
            }
        }
        println!("attachments: {n}");
    }
    conn.with(smsdesk_pgstore::import::finish).map_err(anyhow::Error::msg)?;
    println!("imported into the database");
    Ok(ExitCode::SUCCESS)
}

/// Copies every record of `from` into `to`, a page per commit, calling
/// `between` after each; how many. Pages run up to `END`; any key at or
/// past it starts with it, and those come last in one go.
fn copy(from: &SledStore, to: &PgStore, between: &dyn Fn() -> anyhow::Result<()>) -> anyhow::Result<usize> {
    let mut start = Vec::new();
    let mut total = 0;
    loop {
        let page = from.scan_range(&start, &END, PAGE)?;
        let Some((last, _)) = page.last() else { break };
        start = last.clone();
        start.push(0);
        total += put(to, page)?;
        between()?;
    }
    total += put(to, from.scan_prefix(&END)?)?;
    Ok(total)
}

fn put(to: &PgStore, records: Vec<(Vec<u8>, Vec<u8>)>) -> anyhow::Result<usize> {
    let n = records.len();
    if n > 0 {
        let mut writes = WriteSet::default();
        for (key, value) in records {
            writes.put(key, value);
        }
        to.commit(&writes)?;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_record_is_copied_across_pages_and_at_the_edges_of_the_key_space() {
        let pg = smsdesk_pgstore::testing::Postgres::start();
        let dir = tempfile::tempdir().unwrap();
        let sled = SledStore::open(dir.path()).unwrap();
        let mut writes = WriteSet::default();
        for i in 0..4_500u32 {
            writes.put(format!("c/{i:06}").into_bytes(), i.to_be_bytes().to_vec());
        }
        let mut edges: Vec<Vec<u8>> = vec![b"".to_vec(), vec![0], vec![0xFF; 15], vec![0xFF; 16], vec![0xFF; 20]];
        edges.push([&[0xFF; 16][..], &[0x00]].concat());
        for key in &edges {
            writes.put(key.clone(), b"edge".to_vec());
        }
        sled.commit(&writes).unwrap();
        let url = pg.url("import");
        let to = PgStore::connect(&url).unwrap();
        assert!(is_empty(&to).unwrap());

        assert_eq!(copy(&sled, &to, &|| Ok(())).unwrap(), 4_500 + edges.len());
        assert!(!is_empty(&to).unwrap());
        let mut everything = to.scan_range(b"", &END, usize::MAX).unwrap();
        everything.extend(to.scan_prefix(&END).unwrap());
        let mut expected = sled.scan_range(b"", &END, usize::MAX).unwrap();
        expected.extend(sled.scan_prefix(&END).unwrap());
        assert_eq!(everything.len(), 4_500 + edges.len());
        assert_eq!(everything, expected, "the same records, the same bytes, the same order");
    }
}
