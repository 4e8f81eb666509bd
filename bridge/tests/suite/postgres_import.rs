//! Moving a one-machine deployment onto PostgreSQL (PRODUCT.md §13): the
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
    // check-config reaches the database and says what it finds.
    let checked = smsdesk(&["check-config", "--config", path], Duration::from_secs(60));
    let out = String::from_utf8_lossy(&checked.stdout);
    assert!(
        checked.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    assert!(out.contains("database: reachable, new"), "{out}");
    let nowhere = dir.join("nowhere.toml");
    let closed = format!("postgres://smsdesk:smsdesk@127.0.0.1:{}/smsdesk", free_port());
    std::fs::write(
        &nowhere,
        postgres_config(port, "http://127.0.0.1:9", None, &closed, &public),
    )
    .unwrap();
    let unreachable = smsdesk(
        &["check-config", "--config", nowhere.to_str().unwrap()],
        Duration::from_secs(60),
    );
    let said = String::from_utf8_lossy(&unreachable.stderr);
    assert!(!unreachable.status.success());
    assert!(said.contains("storage.url: cannot connect"), "{said}");

    let refused = smsdesk(&["run", "--config", path], Duration::from_secs(40));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "started on an empty database: {said}");
    assert!(said.contains("smsdesk import-store"), "{said}");

    let imported = smsdesk(&["import-store", "--config", path], Duration::from_secs(60));
    let out = String::from_utf8_lossy(&imported.stdout);
    assert!(
        imported.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    assert!(out.contains("engine: ") && out.contains("records"), "{out}");
    // An import cut short (as if killed before its last step) leaves its
    // mark: no instance leads on part of a store, and the next import
    // copies again.
    let marked = url.clone();
    tokio::task::spawn_blocking(move || {
        let mut client = postgres::Client::connect(&marked, postgres::NoTls).unwrap();
        smsdesk_pgstore::import::begin(&mut client, "import-store-killed").unwrap();
    })
    .await
    .unwrap();
    let refused = smsdesk(&["run", "--config", path], Duration::from_secs(40));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "led on an unfinished import: {said}");
    assert!(said.contains("did not finish"), "{said}");
    let resumed = smsdesk(&["import-store", "--config", path], Duration::from_secs(60));
    let out = String::from_utf8_lossy(&resumed.stdout);
    assert!(
        resumed.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    assert!(out.contains("did not finish: copying again"), "{out}");
    // Never merged into a database that has a store.
    let again = smsdesk(&["import-store", "--config", path], Duration::from_secs(60));
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already holds an engine store"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );

    let server = Server::start_with_config(
        &dir,
        port,
        &postgres_config(port, "http://127.0.0.1:9", None, &url, &public),
        log("pg.log"),
    );
    wait_role(&http, &server, "leader", Duration::from_secs(30)).await;
    let checked = smsdesk(&["check-config", "--config", path], Duration::from_secs(60));
    let out = String::from_utf8_lossy(&checked.stdout);
    assert!(out.contains("schema version") && out.contains("leads (epoch"), "{out}");
    // Nor while an instance leads.
    let leading = smsdesk(&["import-store", "--config", path], Duration::from_secs(60));
    let said = String::from_utf8_lossy(&leading.stderr);
    assert!(!leading.status.success());
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
