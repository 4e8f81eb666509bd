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
//! engine store (it never merges two). The sled stores are left as they
//! were: the way back is to switch `backend` back.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use smsdesk_core::store::{KvStore, SledStore, WriteSet};
use smsdesk_pgstore::{PgStore, Table};

use crate::appservice::inbox::Inbox;
use crate::config::Config;
use crate::media::outgoing::MediaStore;

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
    let Some(url) = config.database.clone() else {
        eprintln!(
            "{}: storage.backend is \"sled\"; set backend = \"postgres\" and storage.url first (storage.path stays: the sled stores are read from there)",
            path.display()
        );
        return Ok(ExitCode::FAILURE);
    };
    if !config.storage.join("db").exists() {
        eprintln!("{}: there is no sled store to import", config.storage.display());
        return Ok(ExitCode::FAILURE);
    }
    let engine = PgStore::connect(&url).context("connecting to storage.url")?;
    if let Some(holder) = leader(&url)? {
        eprintln!("instance {holder} leads on this database: stop every smsdesk instance, then import");
        return Ok(ExitCode::FAILURE);
    }
    if !is_empty(&engine)? {
        eprintln!("the database already holds an engine store: import into an empty database (nothing was copied)");
        return Ok(ExitCode::FAILURE);
    }
    let sled = SledStore::open_with_cache(&config.storage, config.cache_mib).with_context(|| {
        format!(
            "opening {} (is a one-machine smsdesk still running?)",
            config.storage.display()
        )
    })?;
    let records = copy(&sled, &engine)?;
    println!("engine: {records} records");

    let bot_dir = config.matrix_store_dir();
    if bot_dir.join("db").exists() {
        let bot = SledStore::open(&bot_dir).with_context(|| format!("opening {}", bot_dir.display()))?;
        let shared = PgStore::connect_table(&url, Table::Bot).context("connecting to storage.url")?;
        println!("Matrix bot: {} records", copy(&bot, &shared)?);
    }

    let inbox_dir = config.storage.join("appservice");
    if inbox_dir.join("db").exists() {
        let (local, shared) = (Inbox::open(&inbox_dir)?, Inbox::shared(&url));
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
        let (local, shared) = (MediaStore::open(&config.storage)?, MediaStore::for_config(&config)?);
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
    println!(
        "imported into the database; {} is left as it was. Start the instances (storage.backend = \"postgres\").",
        config.storage.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Who holds an unexpired lease, if anyone.
fn leader(url: &str) -> anyhow::Result<Option<String>> {
    let conn = smsdesk_pgstore::Conn::new(url);
    conn.with(|c| {
        Ok(
            c.query_opt("SELECT holder FROM smsdesk_lease WHERE valid_until >= now()", &[])?
                .map(|r| r.get::<_, String>(0)),
        )
    })
    .map_err(anyhow::Error::msg)
}

/// Past every key but those starting with it (which `tail` reads).
const END: [u8; 16] = [0xFF; 16];

/// Whether `store` holds no record at all.
pub fn is_empty(store: &dyn KvStore) -> anyhow::Result<bool> {
    Ok(store.scan_range(b"", &END, 1)?.is_empty() && store.scan_prefix(&END)?.is_empty())
}

/// Copies every record of `from` into `to`, a page per commit; how many.
/// Pages run up to `END`; any key at or past it starts with it, and those
/// come last in one go.
fn copy(from: &SledStore, to: &PgStore) -> anyhow::Result<usize> {
    let mut start = Vec::new();
    let mut total = 0;
    loop {
        let page = from.scan_range(&start, &END, PAGE)?;
        let Some((last, _)) = page.last() else { break };
        start = last.clone();
        start.push(0);
        total += put(to, page)?;
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

        assert_eq!(copy(&sled, &to).unwrap(), 4_500 + edges.len());
        assert!(!is_empty(&to).unwrap());
        let mut everything = to.scan_range(b"", &END, usize::MAX).unwrap();
        everything.extend(to.scan_prefix(&END).unwrap());
        let mut expected = sled.scan_range(b"", &END, usize::MAX).unwrap();
        expected.extend(sled.scan_prefix(&END).unwrap());
        assert_eq!(everything.len(), 4_500 + edges.len());
        assert_eq!(everything, expected, "the same records, the same bytes, the same order");
    }
}
