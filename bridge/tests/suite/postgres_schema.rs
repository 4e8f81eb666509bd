//! What `smsdesk run` accepts to run on (issue 27, items 7 and 8): a
//! database whose schema is newer than this smsdesk knows (another
//! instance was upgraded) is refused at start and at a takeover, naming
//! both versions; an empty database is given a store only with
//! `run --init`, and nothing is written to it without; a wrong password
//! (item 9) stops `run` at once with the reason, instead of a standby
//! waiting forever.

use crate::common;

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::replicas::*;
use common::*;
use smsdesk_pgstore::testing::Postgres;

/// `smsdesk run --config config` plus `extra`, to its end (at most
/// `limit`, then killed): its output, and whether it ended by itself.
fn run(config: &std::path::Path, extra: &[&str], limit: Duration) -> (Output, bool) {
    let mut child = Command::new(bin())
        .args(["run", "--config"])
        .arg(config)
        .args(extra)
        .env("SMSDESK_TEST_TOKEN", TOKEN)
        .env(common::process::MARK, common::process::mark())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + limit;
    let mut ended = true;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            ended = false;
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    (child.wait_with_output().unwrap(), ended)
}

/// smsdesk's tables in the database at `url`.
fn tables(url: &str) -> i64 {
    let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
    client
        .query_one("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'smsdesk%'", &[])
        .unwrap()
        .get(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn run_refuses_a_schema_newer_than_it_knows_at_start_and_at_a_takeover() {
    let pg = Postgres::start();
    let url = pg.base_url();
    let tmp = tempfile::tempdir().unwrap();
    let public = "http://desk.example.test";
    let (mut a, mut b) = pair(&pg, tmp.path(), public).await;
    let known = smsdesk_pgstore::migrate::latest();
    let newer = known + 1;
    // A newer smsdesk migrated the schema (as at the start of a rolling upgrade).
    execute(&url, "INSERT INTO smsdesk_migrations (version) VALUES ($1)", newer).await;

    // At a takeover: the standby does not lead on it; it stops and says why.
    a.kill9();
    let code = b.wait_exit(Duration::from_secs(30));
    let log = std::fs::read_to_string(tmp.path().join("b.log")).unwrap_or_default();
    assert!(
        matches!(code, Some(c) if c != 0),
        "the standby did not stop at the takeover ({code:?}): {log}"
    );
    let said = format!("schema is at version {newer}, newer than this smsdesk knows (version {known})");
    assert!(log.contains(&said), "{log}");

    // At start: refused at once, with both versions.
    let (out, ended) = run(&a.config, &[], Duration::from_secs(30));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(ended, "run started on a newer schema: {stderr}");
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains(&said), "{stderr}");
    // Nobody leads meanwhile.
    let read = url.clone();
    let holder = tokio::task::spawn_blocking(move || {
        let mut client = postgres::Client::connect(&read, postgres::NoTls).unwrap();
        smsdesk_pgstore::lease::holder(&mut client, smsdesk_pgstore::lease::LEADER).unwrap()
    })
    .await
    .unwrap();
    assert!(holder.as_ref().is_none_or(|lease| !lease.valid), "{holder:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_database_is_given_a_store_only_with_init() {
    let pg = Postgres::start();
    let url = pg.base_url();
    let tmp = tempfile::tempdir().unwrap();
    let public = "http://desk.example.test";
    let port = free_port();
    let config = postgres_config(port, "http://127.0.0.1:9", None, &url, public);
    std::fs::write(tmp.path().join("smsdesk.toml"), &config).unwrap();
    let path = tmp.path().join("smsdesk.toml");

    // Without --init: refused, saying what to run, and nothing written.
    let (out, ended) = run(&path, &[], Duration::from_secs(30));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(ended, "run started on an empty database without --init: {stderr}");
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("holds no smsdesk store") && stderr.contains("smsdesk run --init"),
        "{stderr}"
    );
    let read = url.clone();
    assert_eq!(tokio::task::spawn_blocking(move || tables(&read)).await.unwrap(), 0);

    // With --init: a new store, led.
    let http = reqwest::Client::new();
    let mut server = Server::start_with_config(tmp.path(), port, &config, None);
    wait_role(&http, &server, "leader", Duration::from_secs(20)).await;
    assert_eq!(
        text(&http, public, &server, &format!("SMi{:030}", 0), "after init").await,
        200
    );
    stored_once(&url, &["after init".to_owned()]).await;
    server.stop();

    // Once it has a store, --init is not needed (and changes nothing).
    let mut child = Command::new(bin())
        .args(["run", "--config"])
        .arg(&path)
        .env("SMSDESK_TEST_TOKEN", TOKEN)
        .env(common::process::MARK, common::process::mark())
        .stderr(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    common::process::wait_listening(&mut child, port, Duration::from_secs(30), "smsdesk");
    server.child = Some(child);
    wait_role(&http, &server, "leader", Duration::from_secs(20)).await;
    let bodies = tokio::task::spawn_blocking(move || stored_bodies(&url)).await.unwrap();
    assert_eq!(bodies.get("after init"), Some(&1), "{bodies:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_password_stops_run_at_once_naming_the_cause() {
    let pg = Postgres::start();
    let url = pg.base_url().replace("smsdesk:smsdesk@", "smsdesk:not-the-password@");
    let tmp = tempfile::tempdir().unwrap();
    let config = postgres_config(
        free_port(),
        "http://127.0.0.1:9",
        None,
        &url,
        "http://desk.example.test",
    );
    let path = tmp.path().join("smsdesk.toml");
    std::fs::write(&path, &config).unwrap();
    let started = Instant::now();
    let (out, ended) = run(&path, &["--init"], Duration::from_secs(30));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(ended, "run waits on a wrong password: {stderr}");
    println!(
        "a wrong password stopped run after {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("refused us")
            && stderr.contains("password authentication failed")
            && stderr.contains("fix storage.url"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("not-the-password"),
        "the password was printed: {stderr}"
    );
}
