//! Backups as docs/operator-guide.md's "Backups" section documents them: the very
//! commands (`scripts/backup.sh --config … --to …`, `scripts/restore.sh
//! --config … --from …`) for each mode: one machine (sled), PostgreSQL
//! (`pg_dump` / `pg_restore`) and appservice mode (the registration).
//! Each test backs up a desk, wipes it, restores it and starts it, and
//! checks what was refused on the way (a running store, a damaged backup,
//! a store or a database that is not empty, a live leader, a different
//! registration) changed nothing.

use crate::common;

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::config::server_config;
use common::replicas::*;
use common::*;
use smsdesk_pgstore::testing::Postgres;

/// `bash scripts/<name> args…` as an operator runs it (the smsdesk binary
/// named by `SMSDESK`), ended after 120 s at most.
fn script(name: &str, args: &[&str]) -> Output {
    let mut child = Command::new("bash")
        .arg(root().join("scripts").join(name))
        .args(args)
        .env("SMSDESK", bin())
        .env("SMSDESK_TEST_TOKEN", TOKEN)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

/// The script, which must succeed; what it printed.
fn works(name: &str, args: &[&str]) -> String {
    let done = script(name, args);
    let out = String::from_utf8_lossy(&done.stdout).into_owned();
    let err = String::from_utf8_lossy(&done.stderr);
    assert!(done.status.success(), "{name} {args:?}: {out}{err}");
    out
}

/// The script, which must fail; its standard error.
fn refused(name: &str, args: &[&str]) -> String {
    let done = script(name, args);
    let err = String::from_utf8_lossy(&done.stderr).into_owned();
    assert!(!done.status.success(), "{name} {args:?} succeeded: {err}");
    err
}

/// Every file and folder under `dir`: its mode, and a file's bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (u32, Vec<u8>)> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let meta = entry.metadata().unwrap();
            let rel = entry.path().strip_prefix(dir).unwrap().to_owned();
            let mode = meta.permissions().mode() & 0o7777;
            if meta.is_dir() {
                todo.push(entry.path());
                out.insert(rel, (mode, Vec::new()));
            } else {
                out.insert(rel, (mode, std::fs::read(entry.path()).unwrap()));
            }
        }
    }
    out
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn sid(i: u32) -> String {
    format!("SMb{i:030}")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_one_machine_desk_is_backed_up_wiped_and_restored() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("desk");
    std::fs::create_dir_all(&dir).unwrap();
    let http = reqwest::Client::new();
    let port = free_port();
    let public = format!("http://127.0.0.1:{port}");
    let mut server = Server::start_with_config(&dir, port, &server_config(port, "http://127.0.0.1:9", None), None);
    for i in 0..3 {
        assert_eq!(text(&http, &public, &server, &sid(i), &format!("kept {i}")).await, 200);
    }
    let config = dir.join("smsdesk.toml");
    let config = config.to_str().unwrap();
    let storage = server.storage();
    let backup = tmp.path().join("backups/monday");
    let to = backup.to_str().unwrap();

    // A running store is not copied (it would not be consistent).
    let said = refused("backup.sh", &["--config", config, "--to", to]);
    assert!(said.contains("smsdesk is running on"), "{said}");
    assert!(!backup.exists() && !tmp.path().join("backups/monday.partial").exists());

    server.stop();
    let out = works("backup.sh", &["--config", config, "--to", to]);
    assert!(out.contains("backed up (sled)"), "{out}");
    assert_eq!(mode(&backup), 0o700, "the backup holds customers' messages");
    assert!(backup.join("storage.tar").exists());
    // Never over another backup.
    let said = refused("backup.sh", &["--config", config, "--to", to]);
    assert!(said.contains("already exists"), "{said}");

    let before = snapshot(&storage);
    assert_eq!(
        before.get(Path::new("db")).map(|(m, _)| *m & 0o077),
        Some(0),
        "{before:?}"
    );
    std::fs::remove_dir_all(&storage).unwrap();

    // A damaged backup is refused, and nothing is written.
    let damaged = tmp.path().join("damaged");
    std::fs::create_dir(&damaged).unwrap();
    for entry in std::fs::read_dir(&backup).unwrap().flatten() {
        std::fs::copy(entry.path(), damaged.join(entry.file_name())).unwrap();
    }
    let mut tar = std::fs::read(damaged.join("storage.tar")).unwrap();
    tar[600] ^= 1;
    std::fs::write(damaged.join("storage.tar"), tar).unwrap();
    let said = refused("restore.sh", &["--config", config, "--from", damaged.to_str().unwrap()]);
    assert!(said.contains("does not match its SHA256SUMS"), "{said}");
    assert!(!storage.exists());

    let out = works("restore.sh", &["--config", config, "--from", to]);
    assert!(out.contains("done: start smsdesk"), "{out}");
    assert_eq!(snapshot(&storage), before, "the same files, bytes and modes");
    assert_eq!(mode(&storage), 0o700);
    // Never over a store.
    let said = refused("restore.sh", &["--config", config, "--from", to]);
    assert!(said.contains("is not empty"), "{said}");
    assert_eq!(snapshot(&storage), before);

    // The desk goes on where it was: the carrier retrying an SMS from
    // before the backup is known, a new one is added.
    server.spawn();
    assert_eq!(text(&http, &public, &server, &sid(0), "kept 0").await, 200);
    assert_eq!(text(&http, &public, &server, &sid(3), "after").await, 200);
    server.stop();
    let (ids, open) = stored(&storage);
    for i in 0..4 {
        assert_eq!(ids.get(&sid(i)), Some(&1), "{ids:?}");
    }
    assert_eq!(open.len(), 1, "one customer, one open conversation");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_postgres_desk_is_dumped_online_and_restored_into_an_empty_database() {
    let pg = Postgres::start();
    let url = pg.base_url();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("desk");
    std::fs::create_dir_all(&dir).unwrap();
    let http = reqwest::Client::new();
    let port = free_port();
    let public = format!("http://127.0.0.1:{port}");
    let text_config = postgres_config(port, "http://127.0.0.1:9", None, &url, &public);
    let mut server = Server::start_with_config(&dir, port, &text_config, None);
    wait_role(&http, &server, "leader", Duration::from_secs(30)).await;
    let mut expected = Vec::new();
    for i in 0..3 {
        let body = format!("kept {i}");
        assert_eq!(text(&http, &public, &server, &sid(i), &body).await, 200);
        expected.push(body);
    }
    stored_once(&url, &expected).await;
    // This machine's kept requests travel with the dump.
    let letters = server.storage().join("dead-letters");
    std::fs::create_dir_all(&letters).unwrap();
    std::fs::write(letters.join("kept.letter"), "a kept request").unwrap();
    let config = dir.join("smsdesk.toml");
    let config = config.to_str().unwrap();
    let backup = tmp.path().join("backups/monday");
    let to = backup.to_str().unwrap();

    // What to back up, for a person: the database by place, never its password.
    let plan = Command::new(bin())
        .args(["backup-plan", "--config", config])
        .env("SMSDESK_TEST_TOKEN", TOKEN)
        .output()
        .unwrap();
    let plan = String::from_utf8_lossy(&plan.stdout);
    assert!(plan.contains("backend: postgres"), "{plan}");
    assert!(
        plan.contains(&format!(
            "database: 127.0.0.1:{}, database smsdesk, user smsdesk",
            pg.port
        )),
        "{plan}"
    );
    assert!(plan.contains("leader: ") && plan.contains("pg_dump"), "{plan}");
    assert!(!plan.contains(":smsdesk@"), "{plan}");

    // Online: pg_dump takes one consistent snapshot while the leader runs.
    let out = works("backup.sh", &["--config", config, "--to", to]);
    assert!(out.contains("backed up (postgres)"), "{out}");
    assert!(backup.join("database.dump").exists() && backup.join("dead-letters.tar").exists());
    assert!(!out.contains(":smsdesk@"), "no password shown: {out}");
    // Not into a database an instance leads on.
    let said = refused("restore.sh", &["--config", config, "--from", to]);
    assert!(said.contains("leads on"), "{said}");

    server.stop();
    let wipe = format!("postgres://smsdesk:smsdesk@127.0.0.1:{}/postgres", pg.port);
    tokio::task::spawn_blocking(move || {
        let mut client = postgres::Client::connect(&wipe, postgres::NoTls).unwrap();
        client.batch_execute("DROP DATABASE smsdesk WITH (FORCE)").unwrap();
        client.batch_execute("CREATE DATABASE smsdesk").unwrap();
    })
    .await
    .unwrap();
    std::fs::remove_dir_all(&letters).unwrap();

    let out = works("restore.sh", &["--config", config, "--from", to]);
    assert!(out.contains("restored 127.0.0.1:"), "{out}");
    let read = url.clone();
    let bodies = tokio::task::spawn_blocking(move || stored_bodies(&read)).await.unwrap();
    assert_eq!(bodies.len(), 3, "{bodies:?}");
    assert_eq!(
        std::fs::read_to_string(letters.join("kept.letter")).unwrap(),
        "a kept request"
    );
    // A database with a store is not restored into without --clean; in one
    // transaction, so nothing is half-written; with --clean it is replaced.
    // (The dump holds the lease as it was, valid for up to 10 s after the
    // dump: until then the restore takes it for a live leader.)
    let deadline = Instant::now() + Duration::from_secs(20);
    let said = loop {
        let said = refused("restore.sh", &["--config", config, "--from", to]);
        if !said.contains("leads on") || Instant::now() > deadline {
            break said;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    assert!(said.contains("--clean"), "{said}");
    works("restore.sh", &["--config", config, "--from", to, "--clean"]);
    let read = url.clone();
    let again = tokio::task::spawn_blocking(move || stored_bodies(&read)).await.unwrap();
    assert_eq!(again, bodies, "replaced, not added to");

    server.spawn();
    wait_role(&http, &server, "leader", Duration::from_secs(30)).await;
    assert_eq!(text(&http, &public, &server, &sid(0), "kept 0").await, 200);
    assert_eq!(text(&http, &public, &server, &sid(3), "after").await, 200);
    expected.push("after".to_owned());
    stored_once(&url, &expected).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_appservice_registration_is_backed_up_and_restored_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("desk");
    std::fs::create_dir_all(&dir).unwrap();
    let http = reqwest::Client::new();
    let port = free_port();
    let public = format!("http://127.0.0.1:{port}");
    let mut server = Server::start_with_config(&dir, port, &server_config(port, "http://127.0.0.1:9", None), None);
    assert_eq!(text(&http, &public, &server, &sid(0), "kept").await, 200);
    server.stop();
    let storage = server.storage();
    // The same desk in appservice mode (no homeserver needed to back it up).
    let config = dir.join("smsdesk.toml");
    std::fs::write(
        &config,
        server_config(
            port,
            "http://127.0.0.1:9",
            Some(("http://127.0.0.1:9", "mode = \"appservice\"")),
        ),
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let register = || {
        let done = Command::new(bin())
            .args(["appservice-registration", "--config", config])
            .env("SMSDESK_TEST_TOKEN", TOKEN)
            .output()
            .unwrap();
        assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    };
    register();
    let registration = dir.join("appservice.yaml");
    let original = std::fs::read(&registration).unwrap();
    let backup = tmp.path().join("backups/monday");
    let to = backup.to_str().unwrap();

    let out = works("backup.sh", &["--config", config, "--to", to]);
    assert!(out.contains("appservice registration"), "{out}");
    let store = snapshot(&storage);
    std::fs::remove_dir_all(&storage).unwrap();
    std::fs::remove_file(&registration).unwrap();
    let out = works("restore.sh", &["--config", config, "--from", to]);
    assert!(out.contains("restored the registration"), "{out}");
    assert_eq!(
        std::fs::read(&registration).unwrap(),
        original,
        "the tokens the homeserver knows"
    );
    assert_eq!(mode(&registration), 0o640);
    assert_eq!(snapshot(&storage), store);

    // A new registration was made meanwhile (new tokens): the backed-up
    // one replaces it only when asked, and it is kept beside.
    std::fs::remove_file(&registration).unwrap();
    register();
    let newer = std::fs::read(&registration).unwrap();
    assert_ne!(newer, original);
    std::fs::remove_dir_all(&storage).unwrap();
    let said = refused("restore.sh", &["--config", config, "--from", to]);
    assert!(said.contains("--replace-registration"), "{said}");
    assert!(!storage.exists(), "checked before anything was written");
    assert_eq!(std::fs::read(&registration).unwrap(), newer);
    works(
        "restore.sh",
        &["--config", config, "--from", to, "--replace-registration"],
    );
    assert_eq!(std::fs::read(&registration).unwrap(), original);
    let kept: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("appservice.yaml.replaced-"))
        .collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(std::fs::read(kept[0].path()).unwrap(), newer);
}
