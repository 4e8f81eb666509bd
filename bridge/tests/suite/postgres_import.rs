//! Moving a one-machine deployment onto PostgreSQL (docs/operator-guide.md): the
//! same directory, the config switched to `backend = "postgres"`. Starting
//! on the empty database is refused (it would leave every conversation
//! behind) and says how to import; `smsdesk import-store` copies the
//! store (an import cut short is resumed, and no instance leads on it
//! meanwhile); the instance then runs on the database with what it had.
//! `check-config` says whether the database answers, and who leads.

use crate::common;

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::config::server_config;
use common::replicas::*;
use common::*;
use smsdesk_pgstore::testing::Postgres;

/// Runs `smsdesk args…` to its end (at most `limit`, then killed).
fn smsdesk(args: &[&str], limit: Duration) -> Output {
    let mut child = Command::new(bin())
        .args(args)
        .env("SMSDESK_TEST_TOKEN", TOKEN)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + limit;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

/// `smsdesk args…`, which must succeed; its standard output.
fn succeeds(args: &[&str]) -> String {
    let done = smsdesk(args, Duration::from_secs(60));
    let out = String::from_utf8_lossy(&done.stdout).into_owned();
    assert!(
        done.status.success(),
        "{args:?}: {out}{}",
        String::from_utf8_lossy(&done.stderr)
    );
    out
}

/// The one folder an import moved the sled stores of `store` into (its
/// output, `out`, says where); the stores are no longer in `store`.
fn moved_aside(store: &std::path::Path, out: &str) -> std::path::PathBuf {
    for gone in ["db", "wal", "conf", "matrix"] {
        assert!(!store.join(gone).exists(), "{gone} stayed in storage.path: {out}");
    }
    let aside: Vec<_> = std::fs::read_dir(store)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("imported-"))
        .map(|e| e.path())
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert!(out.contains(&format!("moved to {}", aside[0].display())), "{out}");
    assert!(aside[0].join("db").exists() && aside[0].join("wal").exists());
    aside[0].clone()
}

/// Moves what `aside` holds back into `store`, and removes `aside`.
fn put_back(aside: &std::path::Path, store: &std::path::Path) {
    for entry in std::fs::read_dir(aside).unwrap().flatten() {
        std::fs::rename(entry.path(), store.join(entry.file_name())).unwrap();
    }
    std::fs::remove_dir(aside).unwrap();
}

/// `smsdesk args…`, which must fail (within 60 s); its standard error.
fn fails(args: &[&str]) -> String {
    let done = smsdesk(args, Duration::from_secs(60));
    let said = String::from_utf8_lossy(&done.stderr).into_owned();
    assert!(!done.status.success(), "{args:?} succeeded: {said}");
    said
}

/// check-config reaches the database and says what it finds; where it
/// cannot connect, it names where it tried; a URL that insists on TLS
/// gets no fallback.
fn step_check_config_says_what_it_finds(dir: &std::path::Path, path: &str, port: u16, url: &str, public: &str) {
    let out = succeeds(&["check-config", "--config", path]);
    assert!(out.contains("database: reachable, new"), "{out}");
    let nowhere = dir.join("nowhere.toml");
    let closed_port = free_port();
    let closed = format!("postgres://smsdesk:smsdesk@127.0.0.1:{closed_port}/smsdesk");
    std::fs::write(
        &nowhere,
        postgres_config(port, "http://127.0.0.1:9", None, &closed, public),
    )
    .unwrap();
    let said = fails(&["check-config", "--config", nowhere.to_str().unwrap()]);
    // It names where it tried (never the password).
    assert!(
        said.contains(&format!(
            "storage.url: cannot connect to 127.0.0.1:{closed_port}, database smsdesk, user smsdesk: "
        )),
        "{said}"
    );
    // A server without TLS, and a URL that insists on it: no fallback, and the reason.
    let clear = dir.join("clear.toml");
    std::fs::write(
        &clear,
        postgres_config(
            port,
            "http://127.0.0.1:9",
            None,
            &format!("{url}?sslmode=require"),
            public,
        ),
    )
    .unwrap();
    let said = fails(&["check-config", "--config", clear.to_str().unwrap()]);
    assert!(
        said.contains("the server does not accept TLS, and sslmode=require does not fall back"),
        "{said}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_one_machine_store_moves_into_the_database_with_import_store() {
    let pg = Postgres::start();
    let url = pg.base_url();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("desk");
    std::fs::create_dir_all(&dir).unwrap();
    let http = reqwest::Client::new();
    let port = free_port();
    let public = format!("http://127.0.0.1:{port}");
    let log = |name: &str| {
        std::env::var("SMSDESK_TEST_DEBUG")
            .is_err()
            .then(|| tmp.path().join(name))
    };

    let mut one = Server::start_with_config(
        &dir,
        port,
        &server_config(port, "http://127.0.0.1:9", None),
        log("one.log"),
    );
    for i in 0..3 {
        let sid = format!("SMi{i:030}");
        assert_eq!(
            text(&http, &public, &one, &sid, &format!("before the move {i}")).await,
            200
        );
    }
    one.stop();

    let config = dir.join("smsdesk.toml");
    std::fs::write(
        &config,
        postgres_config(port, "http://127.0.0.1:9", None, &url, &public),
    )
    .unwrap();
    let path = config.to_str().unwrap();
    step_check_config_says_what_it_finds(&dir, path, port, &url, &public);

    // Starting on the empty database would leave the conversations behind.
    let said = fails(&["run", "--config", path]);
    assert!(said.contains("smsdesk import-store"), "{said}");

    // This instance's own kept requests stay where they are.
    std::fs::create_dir_all(dir.join("data/smsdesk/dead-letters")).unwrap();
    std::fs::write(dir.join("data/smsdesk/dead-letters/kept.letter"), "kept").unwrap();
    let out = succeeds(&["import-store", "--config", path]);
    assert!(out.contains("engine: ") && out.contains("records"), "{out}");
    // The copied stores leave storage.path for a dated folder beside this
    // instance's own things: nothing started later reads them as the desk.
    let store = dir.join("data/smsdesk");
    let aside = moved_aside(&store, &out);
    assert_eq!(
        std::fs::read_to_string(store.join("dead-letters/kept.letter")).unwrap(),
        "kept",
        "the instance's dead letters stay"
    );
    // Run again, it says where the store went.
    let said = fails(&["import-store", "--config", path]);
    assert!(said.contains("an earlier import moved its store to"), "{said}");

    // An import cut short (as if killed before its last step: the store
    // still in place) leaves its mark: no instance leads on part of a
    // store, and the next import copies again.
    put_back(&aside, &store);
    let marked = url.clone();
    tokio::task::spawn_blocking(move || {
        let mut client = postgres::Client::connect(&marked, postgres::NoTls).unwrap();
        smsdesk_pgstore::import::begin(&mut client, "import-store-killed").unwrap();
    })
    .await
    .unwrap();
    let said = fails(&["run", "--config", path]);
    assert!(said.contains("did not finish"), "{said}");
    let out = succeeds(&["import-store", "--config", path]);
    assert!(out.contains("did not finish: copying again"), "{out}");
    let aside = moved_aside(&store, &out);
    // Never merged into a database that has a store: a one-machine store
    // put back (say, from a backup of storage.path) is refused.
    put_back(&aside, &store);
    let said = fails(&["import-store", "--config", path]);
    assert!(said.contains("already holds an engine store"), "{said}");
    assert!(store.join("db").exists(), "a refused import moves nothing");

    let server = Server::start_with_config(
        &dir,
        port,
        &postgres_config(port, "http://127.0.0.1:9", None, &url, &public),
        log("pg.log"),
    );
    wait_role(&http, &server, "leader", Duration::from_secs(30)).await;
    // The store put back is stale, and the leader says so.
    if let Some(log) = log("pg.log") {
        let said = std::fs::read_to_string(log).unwrap();
        assert!(
            said.contains("storage.path holds a one-machine (sled) store, which this instance does not use"),
            "{said}"
        );
    }
    let out = succeeds(&["check-config", "--config", path]);
    assert!(out.contains("schema version") && out.contains("leads (epoch"), "{out}");
    // Nor while an instance leads.
    let said = fails(&["import-store", "--config", path]);
    assert!(said.contains("leads on this database"), "{said}");
    assert_eq!(
        text(&http, &public, &server, &format!("SMi{:030}", 9), "after the move").await,
        200
    );
    // The same SMS again (the carrier retrying one from before the move)
    // is known: the carrier ids came along.
    assert_eq!(
        text(&http, &public, &server, &format!("SMi{:030}", 0), "before the move 0").await,
        200
    );
    let mut expected: Vec<String> = (0..3).map(|i| format!("before the move {i}")).collect();
    expected.push("after the move".to_owned());
    stored_once(&url, &expected).await;
    let read = url.clone();
    let bodies = tokio::task::spawn_blocking(move || stored_bodies(&read)).await.unwrap();
    assert_eq!(bodies.len(), 4, "{bodies:?}");
}
