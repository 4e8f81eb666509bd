//! A database outage on PostgreSQL (issue 27, item 5): a carrier does not
//! retry an inbound message webhook it got an error for, so while the
//! database is away an instance keeps every verified webhook in its
//! local spool (on disk before the 200) and moves it into the shared
//! inbox when the database is back. A burst of signed webhooks with the
//! database stopped in the middle, for longer than the lease: none is
//! refused, and every acknowledged one is in the engine afterwards, once.

use crate::common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::replicas::*;
use common::*;
use smsdesk_pgstore::testing::Postgres;

/// Senders at once, and the pause between one's webhooks.
const SENDERS: usize = 8;
const GAP: Duration = Duration::from_millis(40);

/// What one sender saw: (sent, acknowledged bodies, refusals with why).
type Seen = (usize, Vec<String>, Vec<String>);

/// Signed webhooks from sender `s` to `to` until `stop`.
async fn sender(s: usize, to: String, public: &'static str, stop: Arc<AtomicBool>) -> Seen {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .build()
        .unwrap();
    let (mut sent, mut acknowledged, mut refused) = (0, Vec::new(), Vec::new());
    let from = format!("+1555777{s:04}");
    while !stop.load(Ordering::Relaxed) {
        let i = sent;
        let body = format!("outage {s}.{i}");
        let sid = format!("SMo{s:04}{i:027}");
        let params = sms_params(&sid, &from, ENTRY, &body);
        let signature = sign(&format!("{public}/webhooks/twilio/inbound"), &params, TOKEN);
        let answer = http
            .post(format!("{to}/webhooks/twilio/inbound"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-twilio-signature", signature)
            .body(form(&params))
            .send()
            .await;
        sent += 1;
        match answer {
            Ok(r) if r.status() == 200 => acknowledged.push(body),
            Ok(r) => {
                let status = r.status();
                refused.push(format!(
                    "{body}: {status} {}",
                    r.text().await.unwrap_or_default().trim()
                ));
            }
            Err(e) => refused.push(format!("{body}: {e}")),
        }
        tokio::time::sleep(GAP).await;
    }
    (sent, acknowledged, refused)
}

/// What `/readyz` says for the 12 s after `down`: the answers that are
/// not "ready, accepting", and the deepest spool seen.
async fn step_watch_readyz_while_down(http: &reqwest::Client, server: &Server, down: Instant) -> (Vec<String>, u64) {
    let mut unready = Vec::new();
    let mut spooled = 0;
    while down.elapsed() < Duration::from_secs(12) {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let Ok(r) = http.get(server.url("/readyz")).send().await else {
            unready.push("no answer".to_owned());
            continue;
        };
        let status = r.status().as_u16();
        let body: serde_json::Value = r.json().await.unwrap_or_default();
        if body["store"] == "postgres: unreachable" {
            if status != 200 || body["spool"]["accepting"] != true {
                unready.push(format!("{status} {body}"));
            }
            spooled = spooled.max(body["spool"]["depth"].as_u64().unwrap_or(0));
        }
    }
    (unready, spooled)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_database_outage_during_a_burst_refuses_no_signed_webhook_and_loses_none() {
    let pg = Postgres::start();
    let url = pg.base_url();
    let tmp = tempfile::tempdir().unwrap();
    let public = "http://desk.example.test";
    let port = free_port();
    let log = std::env::var("SMSDESK_TEST_DEBUG")
        .is_err()
        .then(|| tmp.path().join("a.log"));
    let mut server = Server::start_with_config(
        tmp.path(),
        port,
        &postgres_config(port, "http://127.0.0.1:9", None, &url, public),
        log,
    );
    let http = reqwest::Client::new();
    wait_role(&http, &server, "leader", Duration::from_secs(20)).await;

    let stop = Arc::new(AtomicBool::new(false));
    let senders: Vec<_> = (0..SENDERS)
        .map(|s| tokio::spawn(sender(s, server.url(""), public, stop.clone())))
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // Longer than the lease (10 s): the leader loses it meanwhile.
    pg.stop();
    let down = Instant::now();
    // While it is away, the instance says it still takes webhooks, and how
    // many wait in its spool (checked after the counts are printed).
    let (unready, spooled) = step_watch_readyz_while_down(&http, &server, down).await;
    let metrics = match http.get(server.url("/metrics")).send().await {
        Ok(r) => r.text().await.unwrap_or_default(),
        Err(e) => e.to_string(),
    };
    let (depth, bytes) = (
        gauge(&metrics, "smsdesk_spool_depth"),
        gauge(&metrics, "smsdesk_spool_bytes"),
    );
    println!("after 12 s without the database: {depth:?} webhooks ({bytes:?} bytes) in the spool");
    pg.restart();
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, Ordering::Relaxed);
    let (mut sent, mut acknowledged, mut refused) = (0, Vec::new(), Vec::new());
    for s in senders {
        let (n, ok, no) = s.await.unwrap();
        sent += n;
        acknowledged.extend(ok);
        refused.extend(no);
    }
    println!(
        "sent {sent}, acknowledged {}, refused {}",
        acknowledged.len(),
        refused.len()
    );
    // An instance that ended would be started again by its service
    // manager: so does the test, to count what is stored.
    let exited = server.wait_exit(Duration::from_millis(500));
    if exited.is_some() || server.child.is_none() {
        server.spawn();
    }

    // Everything acknowledged reaches the engine, once.
    stored_once(&url, &acknowledged).await;
    let read = url.clone();
    let bodies = tokio::task::spawn_blocking(move || stored_bodies(&read)).await.unwrap();
    let stored: usize = bodies
        .iter()
        .filter(|(body, _)| body.starts_with("outage "))
        .map(|(_, n)| n)
        .sum();
    println!(
        "sent {sent}, acknowledged {}, stored in the engine afterwards {stored}, refused {}",
        acknowledged.len(),
        refused.len()
    );
    assert_eq!(refused.len(), 0, "refused, e.g. {:?}", &refused[..refused.len().min(5)]);
    assert_eq!(acknowledged.len(), stored);
    assert_eq!(sent, acknowledged.len());
    assert_eq!(exited, None, "the instance ended during the outage");
    assert!(unready.is_empty(), "not ready while spooling: {unready:?}");
    assert!(
        spooled > 0 && depth.unwrap_or(0) > 0 && bytes.unwrap_or(0) > 0,
        "nothing spooled: {metrics}"
    );
    // The spool is empty again, and the instance leads on.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let metrics = http
            .get(server.url("/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if gauge(&metrics, "smsdesk_spool_depth") == Some(0) {
            break;
        }
        assert!(Instant::now() < deadline, "the spool is not emptied: {metrics}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    wait_role(&http, &server, "leader", Duration::from_secs(20)).await;
}

/// The value of the gauge `name` in a `/metrics` text, if there.
fn gauge(metrics: &str, name: &str) -> Option<i64> {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))?
        .trim()
        .parse()
        .ok()
}
