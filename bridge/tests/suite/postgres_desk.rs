//! The desk around a takeover on PostgreSQL (docs/operator-guide.md): the Matrix
//! desk goes on in the same rooms from the shared bot store, also in
//! encrypted rooms (the new leader's own device reads on); and the
//! failover run: a burst of webhooks to both instances and replies queued
//! at the carrier, the leader killed in the middle, nothing lost or doubled.

use crate::common;

use std::time::{Duration, Instant};

use common::replicas::*;
use common::twilio::{form, sign, sms_params};
use common::*;
use smsdesk_pgstore::testing::Postgres;

#[tokio::test(flavor = "multi_thread")]
async fn the_matrix_desk_goes_on_in_the_same_rooms_after_a_takeover() {
    a_takeover_mid_conversation(common::matrix::Synapse::start).await;
}

/// Every room encrypted: the new leader (its own device, one per
/// instance) reads the agent's next message and sends the reply.
#[tokio::test(flavor = "multi_thread")]
async fn a_takeover_in_an_encrypted_conversation_reads_the_next_message() {
    a_takeover_mid_conversation(common::matrix::Synapse::start_encrypted).await;
}

/// A conversation in Matrix, the leader SIGKILLed mid-way, the standby
/// takes over: the same room, the customer's next SMS there, and the
/// agent's reply read by the new leader and sent, on the Synapse `start`
/// starts (in an encrypted room the new leader's own device reads it).
async fn a_takeover_mid_conversation(start: fn(std::path::PathBuf) -> common::matrix::Synapse) {
    use common::matrix::User;
    let pg = Postgres::start();
    let tmp = tempfile::tempdir().unwrap();
    let synapse = start(tmp.path().join("synapse"));
    synapse.register("smsdesk", "bot-password");
    synapse.register("alice", "alice-password");
    let sim_port = free_port();
    let public = "http://desk.example.test";
    let url = pg.base_url();
    let config = |port: u16| {
        postgres_config(
            port,
            &format!("http://127.0.0.1:{sim_port}"),
            Some((&synapse.url(), "password = \"bot-password\"")),
            &url,
            public,
        )
    };
    let (mut a, b) = pair_with(tmp.path(), config).await;
    // The carrier's status callbacks go to the first leader.
    let sim = Sim::start(sim_port, a.port);
    let http = reqwest::Client::new();

    let alice = User::login(&synapse.url(), "alice", "alice-password").await;
    let desk = alice.wait_for("This is your smsdesk desk").await.room;
    alice.say(&desk, "!available").await;
    alice.wait_for("You are now available").await;
    assert_eq!(text(&http, public, &a, &format!("SMm{:030}", 0), "hello").await, 200);
    alice.wait_for("Offer #1").await;
    alice.say(&desk, "!accept 1").await;
    let room = alice.wait_for("history so far").await.room;
    alice.joined(&room).await;
    // Mid-conversation: a reply from the first leader.
    alice.say(&room, "one moment please").await;
    sim.wait_for_body(&http, "one moment please", Duration::from_millis(100))
        .await;

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
    // Nothing twice: a moment for a repeat to show, then each reply once
    // at the carrier and the customer's line once in the room.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let bodies: Vec<String> = sim
        .messages(&http)
        .await
        .iter()
        .filter_map(|m| m["body"].as_str().map(str::to_owned))
        .collect();
    for reply in ["one moment please", "yes, still here"] {
        assert_eq!(
            bodies.iter().filter(|b| *b == reply).count(),
            1,
            "{reply:?} at the carrier: {bodies:#?}"
        );
    }
    assert_eq!(alice.count("customer: still there?"), 1, "{:#?}", alice.seen());
    assert_eq!(
        alice.count("history so far"),
        1,
        "the room was not opened again: {:#?}",
        alice
            .seen()
            .iter()
            .filter(|s| s.body.contains("history so far"))
            .collect::<Vec<_>>()
    );
}

/// The operator guide's failover run, in one: PostgreSQL, two instances and
/// the simulator; replies queued at a slow carrier; 1,008 signed webhooks
/// from 16 senders, alternately to both instances; the leader killed with
/// SIGKILL in the middle. The standby takes over (the time is printed),
/// every acknowledged SMS is stored exactly once, and every queued reply
/// reaches the carrier exactly once (sent by the new leader with the
/// same idempotency key when the old one had not recorded the send).
#[tokio::test(flavor = "multi_thread")]
async fn a_thousand_webhooks_and_the_queued_replies_survive_the_leaders_death() {
    let pg = Postgres::start();
    let tmp = tempfile::tempdir().unwrap();
    let sim_port = free_port();
    let public = "http://desk.example.test";
    let url = pg.base_url();
    // Each HELP gets the help reply: replies the outbox sends, from the engine's store.
    let config = |port: u16| {
        postgres_config(port, &format!("http://127.0.0.1:{sim_port}"), None, &url, public).replace(
            "send_rate = 50\n\n[[entry_points]]",
            "send_rate = 50\nkeywords = \"smsdesk\"\n\n[[entry_points]]",
        ) + "\n[compliance]\nhelp_reply = \"Acme help: reply STOP to opt out.\"\n\
               opt_out_reply = \"You are unsubscribed.\"\nopt_in_reply = \"You are resubscribed.\"\n"
    };
    let (mut a, b) = pair_with(tmp.path(), config).await;
    // The carrier's status callbacks go to the first leader.
    let sim = Sim::start(sim_port, a.port);
    let http = reqwest::Client::new();

    // A slow carrier: the first sends take a while, so the replies are
    // still queued (or in flight, their results not recorded) when the
    // leader dies.
    sim.faults(&http, serde_json::json!(vec![serde_json::json!({"delay_ms": 2500}); 8]))
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
    // 16 senders × 63 = 1,008 webhooks, alternately to both instances;
    // the leader is killed in the middle.
    let senders = burst([a.url(""), b.url("")], public, "kill", 63);
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let before = sim.messages(&http).await.len();
    a.kill9();
    let killed = Instant::now();
    let takeover = wait_role(&http, &b, "leader", Duration::from_secs(25)).await;
    println!(
        "takeover {:.1} s after the SIGKILL (measured from the kill: {:.1} s)",
        takeover.as_secs_f64(),
        killed.elapsed().as_secs_f64()
    );
    // The dead leader's liveness lock goes with its connection: about
    // 2 s, not the lease's 10 s (a loaded machine gets room).
    assert!(takeover < Duration::from_secs(6), "took {takeover:?}");
    let mut acknowledged = Vec::new();
    for s in senders {
        acknowledged.extend(s.await.unwrap());
    }
    println!("{} of 1008 webhooks acknowledged", acknowledged.len());
    // The standby took webhooks all along: half the burst at least.
    assert!(acknowledged.len() >= 480, "{}", acknowledged.len());
    stored_once(&url, &acknowledged).await;

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
