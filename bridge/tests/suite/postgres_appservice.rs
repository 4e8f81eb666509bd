//! Behind a load balancer on a shared PostgreSQL store (docs/operator-guide.md),
//! any instance takes what the outside world sends, not only webhooks:
//! here the balancer sends everything to the standby. The homeserver's
//! appservice transactions reach the standby, which keeps them in the
//! database; the leader's desk acts on them (the agent's commands and
//! replies work). The carrier fetches the agent's picture from the
//! standby, which serves it from the database.

use crate::common;

use std::time::{Duration, Instant};

use common::matrix::{Synapse, User};
use common::replicas::*;
use common::*;
use smsdesk_pgstore::testing::Postgres;

#[tokio::test(flavor = "multi_thread")]
async fn the_homeserver_and_the_carrier_may_reach_the_standby_alone() {
    let pg = Postgres::start();
    let tmp = tempfile::tempdir().unwrap();
    let synapse = Synapse::unstarted(tmp.path().join("synapse"), false);
    let sim_port = free_port();
    let api = format!("http://127.0.0.1:{sim_port}");
    let url = pg.base_url();
    let (dir_a, dir_b) = (tmp.path().join("a"), tmp.path().join("b"));
    std::fs::create_dir_all(&dir_a).unwrap();
    std::fs::create_dir_all(&dir_b).unwrap();
    // The standby's address is the public one: the registration's url,
    // what carriers sign, where attachments are fetched.
    let pb = free_port();
    let public = format!("http://127.0.0.1:{pb}");
    let config = |port: u16| {
        postgres_config(
            port,
            &api,
            Some((&synapse.url(), "mode = \"appservice\"")),
            &url,
            &public,
        )
    };
    let pa = free_port();
    std::fs::write(dir_a.join("smsdesk.toml"), config(pa)).unwrap();
    crate::appservice::write_registration(&dir_a.join("smsdesk.toml"));
    // Both instances share the registration (its tokens).
    std::fs::copy(dir_a.join("appservice.yaml"), dir_b.join("appservice.yaml")).unwrap();
    synapse.load_appservice(dir_a.join("appservice.yaml"));
    synapse.boot();
    synapse.register("alice", "alice-password");

    let log = |name: &str| {
        std::env::var("SMSDESK_TEST_DEBUG")
            .is_err()
            .then(|| tmp.path().join(name))
    };
    let http = reqwest::Client::new();
    let a = Server::start_with_config(&dir_a, pa, &config(pa), log("a.log"));
    wait_role(&http, &a, "leader", Duration::from_secs(30)).await;
    let b = Server::start_with_config(&dir_b, pb, &config(pb), log("b.log"));
    wait_role(&http, &b, "standby", Duration::from_secs(30)).await;
    let sim = Sim::start(sim_port, pb);

    // The agent's commands go to the homeserver, which pushes them to the
    // standby; the leader answers.
    let alice = User::login(&synapse.url(), "alice", "alice-password").await;
    let desk = alice.wait_for("This is your smsdesk desk").await.room;
    alice.say(&desk, "!available").await;
    alice.wait_for("You are now available").await;
    sim.text(&http, "+15557770001", "my bill is wrong").await;
    alice.wait_for("Offer #1").await;
    alice.say(&desk, "!accept 1").await;
    let room = alice.wait_for("history so far").await.room;
    alice.joined(&room).await;
    sim.text(&http, "+15557770001", "it is order 42").await;
    let line = alice.wait_for("it is order 42").await;
    assert_eq!(line.room, room);
    assert_eq!(
        line.sender, "@sms_15557770001:localhost",
        "the customer's ghost posts it"
    );
    alice.say(&room, "Let me look").await;
    sim.wait_for_body(&http, "Let me look", Duration::from_millis(100))
        .await;

    step_the_carrier_fetches_the_picture_from_the_standby(&alice, &room, &sim, &http, &public).await;

    // The standby took the homeserver's transactions itself.
    let metrics = http.get(b.url("/metrics")).send().await.unwrap().text().await.unwrap();
    let queued = metrics
        .lines()
        .find(|l| l.starts_with("smsdesk_appservice_transactions_total{") && l.contains("queued"))
        .unwrap_or_else(|| panic!("no queued transactions in the standby's /metrics:\n{metrics}"));
    let n: f64 = queued.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(n >= 3.0, "{queued}");

    // A takeover: the new leader pings the homeserver with the as_token at
    // once, so its /readyz says the homeserver is reachable within
    // seconds (it said "unreachable" for 80 s and more when the ping went
    // without the token).
    let mut a = a;
    a.kill9();
    wait_role(&http, &b, "leader", Duration::from_secs(30)).await;
    let led = Instant::now();
    loop {
        let ready: serde_json::Value = http.get(b.url("/readyz")).send().await.unwrap().json().await.unwrap();
        if ready["homeserver"] == "reachable" {
            break;
        }
        assert!(
            led.elapsed() < Duration::from_secs(15),
            "the new leader's /readyz: {ready}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    println!(
        "homeserver reachable {:.1} s after the takeover",
        led.elapsed().as_secs_f64()
    );
    drop((a, b));
}

/// The agent's picture: kept in the database by the leader, fetched by
/// the carrier from the standby (at `public`), same bytes.
async fn step_the_carrier_fetches_the_picture_from_the_standby(
    alice: &User,
    room: &matrix_sdk::ruma::OwnedRoomId,
    sim: &Sim,
    http: &reqwest::Client,
    public: &str,
) {
    let picture = b"\x89PNG\r\n\x1a\n a form to fill in".to_vec();
    crate::mms::send_picture(alice, room, &picture, "Please fill this in").await;
    let deadline = Instant::now() + Duration::from_secs(30);
    let mms = loop {
        let messages = sim.messages(http).await;
        if let Some(m) = messages.into_iter().find(|m| m["body"] == "Please fill this in") {
            break m;
        }
        assert!(Instant::now() < deadline, "the picture never reached the carrier");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let media = &mms["media"][0];
    assert!(
        media["url"].as_str().unwrap().starts_with(&format!("{public}/media/")),
        "{mms}"
    );
    assert_eq!(media["status"], 200, "the standby did not serve it: {mms}");
    assert_eq!(media["sha256"], crate::mms::sha256(&picture).as_str());
}
