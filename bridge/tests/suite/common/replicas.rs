//! Several `smsdesk run` instances on one PostgreSQL store, for the
//! tests of docs/operator-guide.md: configs, roles, signed webhooks to either
//! instance, bursts from 16 senders, and what the store holds.

use std::time::{Duration, Instant};

use smsdesk_core::Event;
use smsdesk_engine::store::layout;
use smsdesk_pgstore::testing::Postgres;

use super::config::{server_config, MatrixLogin};
use super::twilio::{form, sign, sms_params};
use super::{free_port, Server, ENTRY, TOKEN};

/// The test config on the PostgreSQL at `url`, listening on `port`, with
/// the shared `public` URL (what carriers sign, as behind a balancer).
pub fn postgres_config(port: u16, api_base: &str, matrix: MatrixLogin<'_>, url: &str, public: &str) -> String {
    server_config(port, api_base, matrix)
        .replace(
            "[storage]\n",
            &format!("[storage]\nbackend = \"postgres\"\nurl = \"{url}\"\n"),
        )
        .replace(
            &format!("public_url = \"http://127.0.0.1:{port}\""),
            &format!("public_url = \"{public}\""),
        )
}

/// The instance's `/readyz` role ("leader", "standby"), or why not.
pub async fn role(http: &reqwest::Client, server: &Server) -> String {
    match http.get(server.url("/readyz")).send().await {
        Ok(r) => r.json::<serde_json::Value>().await.map_or_else(
            |e| format!("unreadable: {e}"),
            |v| v["role"].as_str().unwrap_or("none").to_owned(),
        ),
        Err(e) => format!("unreachable: {e}"),
    }
}

pub async fn wait_role(http: &reqwest::Client, server: &Server, wanted: &str, limit: Duration) -> Duration {
    let start = Instant::now();
    let what = format!("the role {wanted:?}");
    super::poll::until(&what, limit, Duration::from_millis(100), async || {
        let now = role(http, server).await;
        if now == wanted {
            Ok(())
        } else {
            Err(format!("{now:?}"))
        }
    })
    .await;
    start.elapsed()
}

/// A Twilio webhook signed for the shared public URL, posted to `server`.
pub async fn text(http: &reqwest::Client, public: &str, server: &Server, sid: &str, body: &str) -> u16 {
    let params = sms_params(sid, "+15557770001", ENTRY, body);
    let signature = sign(&format!("{public}/webhooks/twilio/inbound"), &params, TOKEN);
    http.post(server.url("/webhooks/twilio/inbound"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-twilio-signature", signature)
        .body(form(&params))
        .send()
        .await
        .map_or(0, |r| r.status().as_u16())
}

/// Each inbound SMS body in the store's event log, with how often it is there.
pub fn stored_bodies(url: &str) -> std::collections::BTreeMap<String, usize> {
    let store = smsdesk_pgstore::PgStore::connect(url).unwrap();
    let mut bodies = std::collections::BTreeMap::new();
    for record in layout::events_from(&store, 0, 100_000).unwrap() {
        if let Event::MessageReceived { sms, .. } = record.event {
            *bodies.entry(sms.body).or_insert(0) += 1;
        }
    }
    bodies
}

/// Rows in the shared inbox not committed yet.
pub fn inbox_rows(url: &str) -> i64 {
    let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
    client
        .query_one("SELECT count(*) FROM smsdesk_inbox", &[])
        .unwrap()
        .get(0)
}

/// `per_sender` signed webhooks from each of 16 senders, to the two
/// `servers` in turn, 30 ms apart; each sender's acknowledged bodies.
pub fn burst(
    servers: [String; 2],
    public: &'static str,
    tag: &'static str,
    per_sender: usize,
) -> Vec<tokio::task::JoinHandle<Vec<String>>> {
    let servers = std::sync::Arc::new(servers);
    (0..16)
        .map(|s| {
            let servers = servers.clone();
            tokio::spawn(async move {
                let http = reqwest::Client::builder()
                    .timeout(Duration::from_secs(10))
                    .build()
                    .unwrap();
                let mut acknowledged = Vec::new();
                for i in 0..per_sender {
                    let body = format!("{tag} {s}.{i}");
                    let sid = format!("SM{tag:.1}{s:04}{i:027}");
                    let params = sms_params(&sid, "+15557770001", ENTRY, &body);
                    let signature = sign(&format!("{public}/webhooks/twilio/inbound"), &params, TOKEN);
                    let to = &servers[(s + i) % 2];
                    let answer = http
                        .post(format!("{to}/webhooks/twilio/inbound"))
                        .header("content-type", "application/x-www-form-urlencoded")
                        .header("x-twilio-signature", signature)
                        .body(form(&params))
                        .send()
                        .await;
                    let status = answer.as_ref().map_or(0, |r| r.status().as_u16());
                    if status == 200 {
                        acknowledged.push(body);
                    } else if std::env::var("SMSDESK_TEST_DEBUG").is_ok() {
                        let text = match answer {
                            Ok(r) => r.text().await.unwrap_or_default(),
                            Err(e) => e.to_string(),
                        };
                        eprintln!("sender {s}: {status} at {i}: {text}");
                    }
                    tokio::time::sleep(Duration::from_millis(30)).await;
                }
                acknowledged
            })
        })
        .collect()
}

/// Waits (40 s at most) until every body in `acknowledged` is in the
/// store's event log and the shared inbox is empty (nothing left that
/// could add a copy), then checks each is there exactly once.
pub async fn stored_once(url: &str, acknowledged: &[String]) {
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let read = url.to_owned();
        let bodies = tokio::task::spawn_blocking(move || stored_bodies(&read)).await.unwrap();
        let missing: Vec<_> = acknowledged.iter().filter(|b| !bodies.contains_key(*b)).collect();
        let read = url.to_owned();
        let waiting = tokio::task::spawn_blocking(move || inbox_rows(&read)).await.unwrap();
        if missing.is_empty() && waiting == 0 {
            for body in acknowledged {
                assert_eq!(bodies.get(body), Some(&1), "{body}");
            }
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{} acknowledged webhooks missing, e.g. {:?}",
            missing.len(),
            &missing[..missing.len().min(5)]
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// Runs `statement` with its one parameter `value` on the database at
/// `url`, from async code (the blocking client on a thread of its own):
/// what another smsdesk would have written.
pub async fn execute(url: &str, statement: &'static str, value: impl postgres::types::ToSql + Sync + Send + 'static) {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        client.execute(statement, &[&value]).unwrap();
    })
    .await
    .unwrap();
}

/// Two instances on `pg`, each in its own directory under `tmp`, sharing
/// `public` (as behind a load balancer); A leads, B stands by.
pub async fn pair(pg: &Postgres, tmp: &std::path::Path, public: &str) -> (Server, Server) {
    let url = pg.base_url();
    pair_with(tmp, |port| {
        postgres_config(port, "http://127.0.0.1:9", None, &url, public)
    })
    .await
}

/// Two instances with `config(port)` (a PostgreSQL config), in `tmp/a`
/// and `tmp/b`: A leads, B stands by.
pub async fn pair_with(tmp: &std::path::Path, config: impl Fn(u16) -> String) -> (Server, Server) {
    let http = reqwest::Client::new();
    let (dir_a, dir_b) = (tmp.join("a"), tmp.join("b"));
    std::fs::create_dir_all(&dir_a).unwrap();
    std::fs::create_dir_all(&dir_b).unwrap();
    // The logs go to files (the fencing test reads A's), or to the test's
    // output with SMSDESK_TEST_DEBUG set.
    let log = |name: &str| std::env::var("SMSDESK_TEST_DEBUG").is_err().then(|| tmp.join(name));
    // Each port is picked just before its server starts: a port picked
    // early can be taken meanwhile by a server of a test running beside.
    let pa = free_port();
    let a = Server::start_with_config(&dir_a, pa, &config(pa), log("a.log"));
    wait_role(&http, &a, "leader", Duration::from_secs(20)).await;
    let pb = free_port();
    let b = Server::start_with_config(&dir_b, pb, &config(pb), log("b.log"));
    wait_role(&http, &b, "standby", Duration::from_secs(20)).await;
    (a, b)
}

pub fn signal(server: &Server, name: &str) {
    let pid = server.child.as_ref().expect("running").id().to_string();
    let status = std::process::Command::new("kill").args([name, &pid]).status().unwrap();
    assert!(status.success());
}
