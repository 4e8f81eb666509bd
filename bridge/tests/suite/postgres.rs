//! Two `smsdesk run` instances on one PostgreSQL store (PRODUCT.md §13):
//! one leads, the other stands by, both take webhooks. The leader killed
//! with SIGKILL: the standby takes over within the lease, and every SMS
//! either acknowledged is in the store exactly once. The leader frozen
//! with SIGSTOP past its lease: the standby takes over, and the old one,
//! resumed, writes nothing and stops. The database crashed during a burst:
//! every acknowledged webhook is there afterwards, once.

use crate::common;

use std::time::{Duration, Instant};

use common::config::server_config;
use common::twilio::{form, sign, sms_params};
use common::*;
use smsdesk_core::store::layout;
use smsdesk_core::Event;
use smsdesk_pgstore::testing::Postgres;

/// The instance's `/readyz` role ("leader", "standby"), or why not.
async fn role(http: &reqwest::Client, server: &Server) -> String {
    match http.get(server.url("/readyz")).send().await {
        Ok(r) => r.json::<serde_json::Value>().await.map_or_else(
            |e| format!("unreadable: {e}"),
            |v| v["role"].as_str().unwrap_or("none").to_owned(),
        ),
        Err(e) => format!("unreachable: {e}"),
    }
}

async fn wait_role(http: &reqwest::Client, server: &Server, wanted: &str, limit: Duration) -> Duration {
    let start = Instant::now();
    loop {
        let now = role(http, server).await;
        if now == wanted {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < limit,
            "still {now:?}, not {wanted:?}, after {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A Twilio webhook signed for the shared public URL, posted to `server`.
async fn text(http: &reqwest::Client, public: &str, server: &Server, sid: &str, body: &str) -> u16 {
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
fn stored_bodies(url: &str) -> std::collections::BTreeMap<String, usize> {
    let store = smsdesk_pgstore::PgStore::connect(url).unwrap();
    let mut bodies = std::collections::BTreeMap::new();
    for record in layout::events_from(&store, 0, 100_000).unwrap() {
        if let Event::MessageReceived { sms, .. } = record.event {
            *bodies.entry(sms.body).or_insert(0) += 1;
        }
    }
    bodies
}

#[tokio::test(flavor = "multi_thread")]
async fn a_standby_takes_over_from_a_killed_leader_with_everything_it_acknowledged() {
    let pg = Postgres::start();
    let url = pg.base_url();
    let tmp = tempfile::tempdir().unwrap();
    let (pa, pb) = (free_port(), free_port());
    // Behind a load balancer both have the same public URL, which carriers sign.
    let public = "http://desk.example.test".to_owned();
    let config = |port: u16| {
        server_config(port, "http://127.0.0.1:9", None)
            .replace(
                "[storage]\n",
                &format!("[storage]\nbackend = \"postgres\"\nurl = \"{url}\"\n"),
            )
            .replace(
                &format!("public_url = \"http://127.0.0.1:{port}\""),
                &format!("public_url = \"{public}\""),
            )
    };
    let (dir_a, dir_b) = (tmp.path().join("a"), tmp.path().join("b"));
    std::fs::create_dir_all(&dir_a).unwrap();
    std::fs::create_dir_all(&dir_b).unwrap();
    let http = reqwest::Client::new();

    let mut a = Server::start_with_config(&dir_a, pa, &config(pa), None);
    wait_role(&http, &a, "leader", Duration::from_secs(20)).await;
    let mut b = Server::start_with_config(&dir_b, pb, &config(pb), None);
    wait_role(&http, &b, "standby", Duration::from_secs(20)).await;
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
    a.kill9();
    let takeover = wait_role(&http, &b, "leader", Duration::from_secs(20)).await;
    println!("takeover after SIGKILL: {:.1} s", takeover.as_secs_f64());
    assert!(takeover < Duration::from_secs(15), "took {takeover:?}");
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

/// Two instances on `pg`, each in its own directory under `tmp`, sharing
/// `public` (as behind a load balancer); A leads, B stands by.
async fn pair(pg: &Postgres, tmp: &std::path::Path, public: &str) -> (Server, Server) {
    let url = pg.base_url();
    let config = |port: u16| {
        server_config(port, "http://127.0.0.1:9", None)
            .replace(
                "[storage]\n",
                &format!("[storage]\nbackend = \"postgres\"\nurl = \"{url}\"\n"),
            )
            .replace(
                &format!("public_url = \"http://127.0.0.1:{port}\""),
                &format!("public_url = \"{public}\""),
            )
    };
    let http = reqwest::Client::new();
    let (pa, pb) = (free_port(), free_port());
    let (dir_a, dir_b) = (tmp.join("a"), tmp.join("b"));
    std::fs::create_dir_all(&dir_a).unwrap();
    std::fs::create_dir_all(&dir_b).unwrap();
    // The logs go to files (the fencing test reads A's), or to the test's
    // output with SMSDESK_TEST_DEBUG set.
    let log = |name: &str| std::env::var("SMSDESK_TEST_DEBUG").is_err().then(|| tmp.join(name));
    let a = Server::start_with_config(&dir_a, pa, &config(pa), log("a.log"));
    wait_role(&http, &a, "leader", Duration::from_secs(20)).await;
    let b = Server::start_with_config(&dir_b, pb, &config(pb), log("b.log"));
    wait_role(&http, &b, "standby", Duration::from_secs(20)).await;
    (a, b)
}

fn signal(server: &Server, name: &str) {
    let pid = server.child.as_ref().expect("running").id().to_string();
    let status = std::process::Command::new("kill").args([name, &pid]).status().unwrap();
    assert!(status.success());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_leader_frozen_past_its_lease_writes_nothing_when_it_wakes_and_steps_down() {
    let pg = Postgres::start();
    let tmp = tempfile::tempdir().unwrap();
    let public = "http://desk.example.test";
    let (mut a, b) = pair(&pg, tmp.path(), public).await;
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
    // It finds its lease gone, writes nothing, and stops (to start again as a standby).
    assert_eq!(
        a.wait_exit(Duration::from_secs(20)),
        Some(smsdesk::replicated::LOST_LEASE)
    );
    let log = std::fs::read_to_string(tmp.path().join("a.log")).unwrap();
    assert!(
        log.contains("no longer leads") || log.contains("the engine stopped"),
        "{log}"
    );
    // Whatever the old leader tried after waking was fenced: the new leader
    // runs on, and each SMS is in the store once.
    assert_eq!(role(&http, &b).await, "leader");
    let url = pg.base_url();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let read = url.clone();
        let bodies = tokio::task::spawn_blocking(move || stored_bodies(&read)).await.unwrap();
        if bodies.get("after the takeover") == Some(&1) {
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
    let servers = std::sync::Arc::new([a.url(""), b.url("")]);
    // 16 senders, 60 webhooks each, to both instances in turn; the
    // database crashes (no checkpoint) in the middle and comes back.
    let senders: Vec<_> = (0..16)
        .map(|s| {
            let servers = servers.clone();
            tokio::spawn(async move {
                let http = reqwest::Client::builder()
                    .timeout(Duration::from_secs(10))
                    .build()
                    .unwrap();
                let mut acknowledged = Vec::new();
                for i in 0..60 {
                    let body = format!("burst {s}.{i}");
                    let sid = format!("SMd{s:04}{i:026}");
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
        .collect();
    let started = Instant::now();
    tokio::time::sleep(Duration::from_millis(800)).await;
    pg.crash();
    println!(
        "database crashed {:.1} s into the burst",
        started.elapsed().as_secs_f64()
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
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
    // The leader's engine stopped on the failed commit and its process
    // ended; its service manager would start it again: so does the test.
    // Whoever leads then commits what the inbox holds.
    if a.wait_exit(Duration::from_secs(1)).is_some() || a.child.is_none() {
        a.spawn();
    }
    let url = pg.base_url();
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let read = url.clone();
        let bodies = tokio::task::spawn_blocking(move || stored_bodies(&read)).await.unwrap();
        let missing: Vec<_> = acknowledged.iter().filter(|b| !bodies.contains_key(*b)).collect();
        if missing.is_empty() {
            for body in &acknowledged {
                assert_eq!(bodies.get(body), Some(&1), "{body}");
            }
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{} acknowledged webhooks missing, e.g. {:?}",
            missing.len(),
            &missing[..missing.len().min(5)]
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    drop(b);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_matrix_desk_goes_on_in_the_same_rooms_after_a_takeover() {
    use common::matrix::{Synapse, User};
    let pg = Postgres::start();
    let tmp = tempfile::tempdir().unwrap();
    let synapse = Synapse::start(tmp.path().join("synapse"));
    synapse.register("smsdesk", "bot-password");
    synapse.register("alice", "alice-password");
    let sim_port = free_port();
    let public = "http://desk.example.test";
    let url = pg.base_url();
    let config = |port: u16| {
        server_config(
            port,
            &format!("http://127.0.0.1:{sim_port}"),
            Some((&synapse.url(), "password = \"bot-password\"")),
        )
        .replace(
            "[storage]\n",
            &format!("[storage]\nbackend = \"postgres\"\nurl = \"{url}\"\n"),
        )
        .replace(
            &format!("public_url = \"http://127.0.0.1:{port}\""),
            &format!("public_url = \"{public}\""),
        )
    };
    let (pa, pb) = (free_port(), free_port());
    let sim = Sim::start(sim_port, pa);
    let (dir_a, dir_b) = (tmp.path().join("a"), tmp.path().join("b"));
    std::fs::create_dir_all(&dir_a).unwrap();
    std::fs::create_dir_all(&dir_b).unwrap();
    let http = reqwest::Client::new();
    let mut a = Server::start_with_config(&dir_a, pa, &config(pa), None);
    wait_role(&http, &a, "leader", Duration::from_secs(20)).await;
    let b = Server::start_with_config(&dir_b, pb, &config(pb), None);
    wait_role(&http, &b, "standby", Duration::from_secs(20)).await;

    let alice = User::login(&synapse.url(), "alice", "alice-password").await;
    let desk = alice.wait_for("This is your smsdesk desk").await.room;
    alice.say(&desk, "!available").await;
    alice.wait_for("You are now available").await;
    assert_eq!(text(&http, public, &a, &format!("SMm{:030}", 0), "hello").await, 200);
    alice.wait_for("Offer #0").await;
    alice.say(&desk, "!accept 0").await;
    let room = alice.wait_for("history so far").await.room;
    alice.joined(&room).await;

    a.kill9();
    wait_role(&http, &b, "leader", Duration::from_secs(25)).await;
    // The new leader's bot goes on from the shared bot store: the same
    // room for the same conversation, and no offer or history again.
    assert_eq!(
        text(&http, public, &b, &format!("SMm{:030}", 1), "still there?").await,
        200
    );
    let line = alice.wait_for("customer: still there?").await;
    assert_eq!(line.room, room);
    alice.say(&room, "yes, still here").await;
    sim.wait_for_body(&http, "yes, still here", Duration::from_millis(100))
        .await;
    assert_eq!(alice.count("history so far"), 1, "the room was not opened again");
}

#[tokio::test(flavor = "multi_thread")]
async fn replies_queued_before_the_leaders_death_reach_the_carrier_exactly_once() {
    let pg = Postgres::start();
    let tmp = tempfile::tempdir().unwrap();
    let sim_port = free_port();
    let public = "http://desk.example.test";
    let url = pg.base_url();
    // Each HELP gets the help reply: replies the outbox sends, from the engine's store.
    let config = |port: u16| {
        server_config(port, &format!("http://127.0.0.1:{sim_port}"), None)
            .replace(
                "[storage]\n",
                &format!("[storage]\nbackend = \"postgres\"\nurl = \"{url}\"\n"),
            )
            .replace(
                &format!("public_url = \"http://127.0.0.1:{port}\""),
                &format!("public_url = \"{public}\""),
            )
            .replace(
                "send_rate = 50\n\n[[entry_points]]",
                "send_rate = 50\nkeywords = \"smsdesk\"\n\n[[entry_points]]",
            )
            + "\n[compliance]\nhelp_reply = \"Acme help: reply STOP to opt out.\"\n\
               opt_out_reply = \"You are unsubscribed.\"\nopt_in_reply = \"You are resubscribed.\"\n"
    };
    let (pa, pb) = (free_port(), free_port());
    let sim = Sim::start(sim_port, pa);
    let (dir_a, dir_b) = (tmp.path().join("a"), tmp.path().join("b"));
    std::fs::create_dir_all(&dir_a).unwrap();
    std::fs::create_dir_all(&dir_b).unwrap();
    let http = reqwest::Client::new();
    let mut a = Server::start_with_config(&dir_a, pa, &config(pa), None);
    wait_role(&http, &a, "leader", Duration::from_secs(20)).await;
    let b = Server::start_with_config(&dir_b, pb, &config(pb), None);
    wait_role(&http, &b, "standby", Duration::from_secs(20)).await;

    // A slow carrier: the first sends take a while, so most replies are
    // still queued (and one in flight) when the leader dies.
    sim.faults(
        &http,
        serde_json::json!([{"delay_ms": 1500}, {"delay_ms": 1500}, {"delay_ms": 1500}]),
    )
    .await;
    let customers: Vec<String> = (0..8).map(|i| format!("+1555888{i:04}")).collect();
    for (i, customer) in customers.iter().enumerate() {
        let sid = format!("SMh{i:030}");
        let params = sms_params(&sid, customer, ENTRY, "HELP");
        let signature = sign(&format!("{public}/webhooks/twilio/inbound"), &params, TOKEN);
        let status = http
            .post(a.url("/webhooks/twilio/inbound"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-twilio-signature", signature)
            .body(form(&params))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 200);
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    let before = sim.messages(&http).await.len();
    a.kill9();
    wait_role(&http, &b, "leader", Duration::from_secs(25)).await;

    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let messages = sim.messages(&http).await;
        let helped: Vec<&str> = messages
            .iter()
            .filter(|m| m["body"] == "Acme help: reply STOP to opt out.")
            .filter_map(|m| m["to"].as_str())
            .collect();
        if customers.iter().all(|c| helped.contains(&c.as_str())) {
            for c in &customers {
                assert_eq!(
                    helped.iter().filter(|t| **t == c.as_str()).count(),
                    1,
                    "{c}: {messages:?}"
                );
            }
            println!(
                "{before} of {} replies had reached the carrier when the leader died",
                customers.len()
            );
            assert!(before < customers.len(), "the leader died with replies still queued");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "replies missing after the takeover: {messages:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
