//! `smsdesk export` on PostgreSQL reads the database, whichever
//! instance's config it is given: the leader's, the standby's (whose
//! `storage.path` holds no engine store) — and it never makes a local
//! store. On one machine, a `storage.path` with no store is said, not
//! created.

use crate::common;

use std::path::Path;
use std::process::Command;

use common::replicas::*;
use common::*;
use smsdesk_pgstore::testing::Postgres;

/// `smsdesk export` of today's conversations with `config`: (succeeded, stdout, stderr).
fn export(config: &Path) -> (bool, String, String) {
    let today = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let since = today.yesterday().unwrap().to_string();
    let out = Command::new(bin())
        .args(["export", "--config"])
        .arg(config)
        .args(["--since", &since])
        .env("SMSDESK_TEST_TOKEN", TOKEN)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn export_on_postgresql_reads_the_database_from_either_instance() {
    let pg = Postgres::start();
    let tmp = tempfile::tempdir().unwrap();
    let public = "http://desk.example.test".to_owned();
    let (a, b) = pair(&pg, tmp.path(), &public).await;
    let http = reqwest::Client::new();
    assert_eq!(
        text(&http, &public, &a, &format!("SMx{:030}", 1), "to the leader").await,
        200
    );
    assert_eq!(
        text(&http, &public, &b, &format!("SMx{:030}", 2), "to the standby").await,
        200
    );
    stored_once(
        &pg.base_url(),
        &["to the leader".to_owned(), "to the standby".to_owned()],
    )
    .await;
    for server in [&a, &b] {
        let (ok, out, err) = export(&server.config);
        assert!(ok, "{err}");
        assert!(
            out.contains("to the leader") && out.contains("to the standby"),
            "export with {}'s config: {out}\n{err}",
            server.config.display()
        );
        assert!(err.contains("1 conversation(s)"), "{err}");
    }
    // Neither instance's storage.path got a local engine store from it.
    for server in [&a, &b] {
        assert!(!server.storage().join("db").exists(), "{}", server.storage().display());
    }
}

#[test]
fn export_where_there_is_no_store_says_so_and_makes_none() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("smsdesk.toml");
    std::fs::write(&config, config::server_config(free_port(), "http://127.0.0.1:9", None)).unwrap();
    let (ok, _, err) = export(&config);
    assert!(!ok);
    assert!(
        err.contains("there is no smsdesk store at") && err.contains("nothing to export"),
        "{err}"
    );
    assert!(!dir.path().join("data/smsdesk").exists(), "export created a store");
}
