//! Two `smsdesk run` instances on one PostgreSQL store (docs/operator-guide.md):
//! one leads, the other stands by, both take webhooks. The leader killed
//! with SIGKILL: the standby takes over within the lease, and every SMS
//! either acknowledged is in the store exactly once. The leader frozen
//! with SIGSTOP past its lease: the standby takes over, and the old one,
//! resumed, writes nothing and steps down to stand by. The database
//! crashed during a burst: every acknowledged webhook is there afterwards,
//! once. A short outage: both say so and stay ready (their spools take
//! webhooks), then the same leader leads on.

use crate::common;

use std::time::{Duration, Instant};

use common::replicas::*;
use common::*;
use smsdesk_pgstore::testing::Postgres;

#[tokio::test(flavor = "multi_thread")]
async fn a_standby_takes_over_from_a_killed_leader_with_everything_it_acknowledged() {
    let pg = Postgres::start();
    let url = pg.base_url();
    let tmp = tempfile::tempdir().unwrap();
    // Behind a load balancer both have the same public URL, which carriers sign.
    let public = "http://desk.example.test".to_owned();
    let config = |port: u16| postgres_config(port, "http://127.0.0.1:9", None, &url, &public);
    let (mut a, mut b) = pair_with(tmp.path(), config).await;
    let http = reqwest::Client::new();
    // A standby says so, and sends work elsewhere.
    let r = http.get(b.url("/supervisor/figures.json")).send().await.unwrap();
    assert_eq!(r.status(), 503);

    // Both take webhooks: the standby's go into the shared inbox too.
    for i in 0..5 {
        let to_a = text(&http, &public, &a, &format!("SMa{i:030}"), &format!("to a {i}")).await;
        let to_standby = text(
            &http,
            &public,
            &b,
            &format!("SMs{i:030}"),
            &format!("to the standby {i}"),
        )
        .await;
        assert_eq!((to_a, to_standby), (200, 200));
    }
    // The standby counts what it took, for the operator's dashboards.
    let metrics = http.get(b.url("/metrics")).send().await.unwrap().text().await.unwrap();
    let accepted = metrics
        .lines()
        .find(|l| l.starts_with("smsdesk_webhooks_total{") && l.contains("outcome=\"accepted\""))
        .unwrap_or_else(|| panic!("no accepted webhooks in the standby's /metrics:\n{metrics}"));
    assert!(accepted.ends_with(" 5"), "{accepted}");
    // The operator's dashboards see who leads, and a takeover.
    assert_eq!(gauge(&metrics, "smsdesk_leader"), 0, "{metrics}");
    let a_metrics = http.get(a.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert_eq!(gauge(&a_metrics, "smsdesk_leader"), 1, "{a_metrics}");
    let first_epoch = gauge(&a_metrics, "smsdesk_lease_epoch");
    assert!(first_epoch >= 1, "{a_metrics}");
    // The standby shows the epoch it watches, not 0.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let metrics = http.get(b.url("/metrics")).send().await.unwrap().text().await.unwrap();
        if gauge(&metrics, "smsdesk_lease_epoch") == first_epoch {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the standby's epoch is not the leader's: {metrics}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    a.kill9();
    let takeover = wait_role(&http, &b, "leader", Duration::from_secs(20)).await;
    println!("takeover after SIGKILL: {:.1} s", takeover.as_secs_f64());
    // The dead leader's liveness lock goes with its connection: about
    // 2 s, not the lease's 10 s (a loaded machine gets room).
    assert!(takeover < Duration::from_secs(6), "took {takeover:?}");
    let b_metrics = http.get(b.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert_eq!(gauge(&b_metrics, "smsdesk_leader"), 1, "{b_metrics}");
    assert!(gauge(&b_metrics, "smsdesk_lease_epoch") > first_epoch, "{b_metrics}");
    for i in 0..5 {
        assert_eq!(
            text(&http, &public, &b, &format!("SMb{i:030}"), &format!("to b {i}")).await,
            200
        );
    }
    // A repeated webhook (the carrier retrying one the dead leader acknowledged) is stored once.
    assert_eq!(text(&http, &public, &b, &format!("SMa{:030}", 0), "to a 0").await, 200);

    // A clean stop resigns: a third instance leads at once, and the
    // stopped one exits cleanly.
    let (pc, dir_c) = (free_port(), tmp.path().join("c"));
    std::fs::create_dir_all(&dir_c).unwrap();
    let c = Server::start_with_config(&dir_c, pc, &config(pc), None);
    wait_role(&http, &c, "standby", Duration::from_secs(20)).await;
    let pid = b.child.as_ref().unwrap().id().to_string();
    assert!(std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    assert_eq!(
        b.wait_exit(Duration::from_secs(20)),
        Some(0),
        "a clean stop ends cleanly"
    );
    let after_stop = wait_role(&http, &c, "leader", Duration::from_secs(20)).await;
    println!("takeover after a clean stop: {:.1} s", after_stop.as_secs_f64());
    assert!(after_stop < Duration::from_secs(5), "took {after_stop:?}");

    // The new leader commits what is left in the inbox; then each is there once.
    let expected: Vec<String> = (0..5)
        .flat_map(|i| [format!("to a {i}"), format!("to the standby {i}"), format!("to b {i}")])
        .collect();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let read = url.clone();
        let bodies = tokio::task::spawn_blocking(move || stored_bodies(&read)).await.unwrap();
        if expected.iter().all(|b| bodies.contains_key(b)) {
            for body in &expected {
                assert_eq!(bodies.get(body), Some(&1), "{body}: {bodies:?}");
            }
            assert_eq!(bodies.len(), expected.len(), "{bodies:?}");
            break;
        }
        assert!(Instant::now() < deadline, "missing after the takeover: {bodies:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_leader_frozen_past_its_lease_writes_nothing_when_it_wakes_and_steps_down() {
    let pg = Postgres::start();
    let tmp = tempfile::tempdir().unwrap();
    let public = "http://desk.example.test";
    let (a, b) = pair(&pg, tmp.path(), public).await;
    let http = reqwest::Client::new();
    assert_eq!(
        text(&http, public, &a, &format!("SMf{:030}", 0), "before the freeze").await,
        200
    );

    signal(&a, "-STOP");
    let takeover = wait_role(&http, &b, "leader", Duration::from_secs(25)).await;
    println!("takeover after SIGSTOP: {:.1} s", takeover.as_secs_f64());
    assert_eq!(
        text(&http, public, &b, &format!("SMf{:030}", 1), "after the takeover").await,
        200
    );

    signal(&a, "-CONT");
    // It finds its lease gone, writes nothing, and steps down to stand by
    // (taking webhooks on) in the same process.
    wait_role(&http, &a, "standby", Duration::from_secs(20)).await;
    let log = std::fs::read_to_string(tmp.path().join("a.log")).unwrap();
    assert!(
        log.contains("no longer leads") || log.contains("the engine stopped"),
        "{log}"
    );
    assert_eq!(
        text(&http, public, &a, &format!("SMf{:030}", 2), "to the old leader").await,
        200
    );
    // Whatever the old leader tried after waking was fenced: the new leader
    // runs on, and each SMS is in the store once.
    assert_eq!(role(&http, &b).await, "leader");
    let url = pg.base_url();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let read = url.clone();
        let bodies = tokio::task::spawn_blocking(move || stored_bodies(&read)).await.unwrap();
        if bodies.get("after the takeover") == Some(&1) && bodies.get("to the old leader") == Some(&1) {
            assert_eq!(bodies.get("before the freeze"), Some(&1), "{bodies:?}");
            break;
        }
        assert!(Instant::now() < deadline, "{bodies:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_acknowledged_webhook_survives_a_database_crash_during_a_burst() {
    let pg = Postgres::start();
    let tmp = tempfile::tempdir().unwrap();
    let public = "http://desk.example.test";
    let (mut a, b) = pair(&pg, tmp.path(), public).await;
    // 16 senders, 60 webhooks each, to both instances in turn; the
    // database crashes (no checkpoint) in the middle and comes back.
    let senders = burst([a.url(""), b.url("")], public, "crash", 60);
    let started = Instant::now();
    tokio::time::sleep(Duration::from_millis(800)).await;
    pg.crash();
    println!(
        "database crashed {:.1} s into the burst",
        started.elapsed().as_secs_f64()
    );
    // While the database is down, instances say so (and take webhooks
    // into their spools).
    let http = reqwest::Client::new();
    let down = Instant::now();
    loop {
        let body = match http.get(b.url("/readyz")).send().await {
            Ok(r) => r.json::<serde_json::Value>().await.unwrap_or_default(),
            Err(_) => serde_json::Value::Null,
        };
        if body["store"] == "postgres: unreachable" {
            break;
        }
        assert!(
            down.elapsed() < Duration::from_secs(10),
            "the standby still sees the database: {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    pg.restart();
    let mut acknowledged = Vec::new();
    for s in senders {
        acknowledged.extend(s.await.unwrap());
    }
    println!("{} of 960 webhooks acknowledged around the crash", acknowledged.len());
    assert!(
        acknowledged.len() >= 16,
        "some of the burst went through: {}",
        acknowledged.len()
    );
    // The leader's engine stopped on the failed commit and it stepped
    // down in the same process (it does not exit); whoever leads then
    // commits what the inbox and the spools hold.
    assert_eq!(a.wait_exit(Duration::from_secs(1)), None, "the leader exited");
    stored_once(&pg.base_url(), &acknowledged).await;
    drop(b);
}

/// The value of the gauge `name` in a `/metrics` text.
fn gauge(metrics: &str, name: &str) -> i64 {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no {name}"))
        .trim()
        .parse()
        .unwrap()
}

/// Waits (up to `limit`) until `server`'s `/readyz` says `store`; how long it took.
async fn wait_store(http: &reqwest::Client, server: &Server, store: &str, limit: Duration) -> Duration {
    let start = Instant::now();
    let what = format!("/readyz on {} saying the store is {store:?}", server.port);
    common::poll::until(&what, limit, Duration::from_millis(100), async || {
        let body = match http.get(server.url("/readyz")).send().await {
            Ok(r) => r.json::<serde_json::Value>().await.unwrap_or_default(),
            Err(_) => serde_json::Value::Null,
        };
        if body["store"] == store {
            Ok(())
        } else {
            Err(body.to_string())
        }
    })
    .await;
    start.elapsed()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_short_database_outage_keeps_both_ready_on_their_spools_and_the_leader_leads_on() {
    let pg = Postgres::start();
    let tmp = tempfile::tempdir().unwrap();
    let public = "http://desk.example.test";
    let (a, b) = pair(&pg, tmp.path(), public).await;
    let http = reqwest::Client::new();
    pg.crash();
    // Both say the database is away, and stay ready: they take webhooks
    // into their spools.
    let leader_down = wait_store(&http, &a, "postgres: unreachable", Duration::from_secs(6)).await;
    wait_store(&http, &b, "postgres: unreachable", Duration::from_secs(6)).await;
    println!("the leader saw the outage {:.1} s into it", leader_down.as_secs_f64());
    let r = http.get(a.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["role"], "leader", "{body}");
    assert_eq!(body["spool"]["accepting"], true, "{body}");
    assert_eq!(
        text(&http, public, &b, &format!("SMo{:030}", 2), "during the outage").await,
        200
    );
    // Back within the lease: the same leader, ready again, taking webhooks.
    pg.restart();
    wait_store(&http, &a, "open", Duration::from_secs(10)).await;
    wait_store(&http, &b, "postgres", Duration::from_secs(10)).await;
    assert_eq!(role(&http, &a).await, "leader");
    assert_eq!(role(&http, &b).await, "standby");
    // Its engine commits on a new connection (the old one died with the
    // server): it leads on rather than stop.
    assert_eq!(
        text(&http, public, &b, &format!("SMo{:030}", 0), "after the outage").await,
        200
    );
    assert_eq!(
        text(&http, public, &a, &format!("SMo{:030}", 1), "to the leader").await,
        200
    );
    stored_once(
        &pg.base_url(),
        &[
            "during the outage".to_owned(),
            "after the outage".to_owned(),
            "to the leader".to_owned(),
        ],
    )
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(role(&http, &a).await, "leader", "the leader stopped after the outage");
    assert_eq!(role(&http, &b).await, "standby");
}

/// The leader commits the webhooks it takes itself straight through its
/// engine, but never ahead of what a standby acknowledged before: a row
/// waiting in the shared inbox (stored here without the wake-up a standby
/// sends, so the leader would not look for a second) is committed before
/// the customer's next message, which reached the leader.
#[tokio::test(flavor = "multi_thread")]
async fn the_leaders_own_webhooks_never_overtake_what_a_standby_acknowledged_before() {
    let pg = Postgres::start();
    let url = pg.base_url();
    let tmp = tempfile::tempdir().unwrap();
    let public = "http://desk.example.test";
    let (a, _b) = pair(&pg, tmp.path(), public).await;
    let http = reqwest::Client::new();
    assert_eq!(text(&http, public, &a, &format!("SMo{:030}", 0), "hello").await, 200);

    let earlier = vec![smsdesk_core::Command::ReceiveSms(smsdesk_core::InboundSms {
        carrier: "twilio".into(),
        carrier_message_id: smsdesk_core::CarrierMessageId::new(format!("SMo{:030}", 1)),
        from: "+15557770001".into(),
        to: smsdesk_core::EntryNumber::parse(ENTRY).unwrap(),
        body: "acknowledged by a standby".into(),
        media: Vec::new(),
    })];
    let row = serde_json::to_string(&earlier).unwrap();
    execute(&url, "INSERT INTO smsdesk_inbox (commands) VALUES ($1)", row).await;
    assert_eq!(
        text(&http, public, &a, &format!("SMo{:030}", 2), "then to the leader").await,
        200
    );

    let read = url.clone();
    let bodies = tokio::task::spawn_blocking(move || {
        let store = smsdesk_pgstore::PgStore::connect(&read).unwrap();
        smsdesk_engine::store::layout::events_from(&store, 0, 1_000)
            .unwrap()
            .into_iter()
            .filter_map(|r| match r.event {
                smsdesk_core::Event::MessageReceived { sms, .. } => Some(sms.body),
                _ => None,
            })
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    assert_eq!(
        bodies,
        ["hello", "acknowledged by a standby", "then to the leader"],
        "in the order the customer sent them"
    );
}
