//! Matrix latency, on one local Synapse, against a baseline measured in the
//! same run:
//! - baseline: a bare Matrix client sends, a second client receives;
//! - a signed SMS webhook, until the agent's client receives it;
//! - an agent's message, until the carrier simulator has the SMS.
//!
//! The three series take turns, round by round, and every message waits
//! `PAUSE` before it is sent (as people type), so each meets a quiet room and
//! the machine's noise falls on all three alike. A last, informational series
//! sends the agent's messages back to back: each then queues in Synapse
//! behind the bot's delivery reactions to the previous one (Synapse writes a
//! room's events one at a time).
//!
//! Prints p50 and p95 of each and the ratios to the baseline (target <= 1.5).
//! Run: `cargo bench -p smsdesk --bench matrix` (after `bash scripts/build-plugins.sh`
//! and `bash scripts/synapse.sh install`).

#[path = "../tests/suite/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::matrix::{Synapse, User};
use common::*;
use matrix_sdk::ruma::OwnedRoomId;

const ROUNDS: usize = 40;
const PAUSE: Duration = Duration::from_millis(250);
/// How often the simulator is asked whether the SMS arrived.
const SIM_POLL: Duration = Duration::from_millis(2);

fn percentiles(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    (ms(v[v.len() / 2]), ms(v[(v.len() * 95 / 100).min(v.len() - 1)]))
}

/// Agent's message until the simulator has it.
async fn agent_to_sms(alice: &User, room: &OwnedRoomId, sim: &Sim, http: &reqwest::Client, text: &str) -> Duration {
    let sent = Instant::now();
    alice.say(room, text).await;
    sim.wait_for_body(http, text, SIM_POLL).await;
    sent.elapsed()
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let tmp = tempfile::tempdir().expect("tmp");
    let synapse = Synapse::start(tmp.path().join("synapse"));
    for user in ["smsdesk", "alice", "echo"] {
        synapse.register(user, &format!("{user}-password"));
    }
    let hs = synapse.url();
    let alice = User::login(&hs, "alice", "alice-password").await;
    let echo = User::login(&hs, "echo", "echo-password").await;

    // smsdesk, with Alice available and in a conversation with a customer.
    let (port, sim_port) = (free_port(), free_port());
    let sim = Sim::start(sim_port, port);
    let dir = tmp.path().join("desk");
    std::fs::create_dir_all(&dir).expect("dir");
    // The bot logs in with the password registered above.
    let mut server = Server::start_with_matrix_auth(
        &dir,
        port,
        &format!("http://127.0.0.1:{sim_port}"),
        &hs,
        "password = \"smsdesk-password\"",
    );
    let desk = alice.wait_for("This is your smsdesk desk").await.room;
    alice.say(&desk, "!available").await;
    alice.wait_for("You are now available").await;
    let http = reqwest::Client::new();
    sim.text(&http, "+15557770001", "hello").await;
    alice.wait_for("Offer #0").await;
    alice.say(&desk, "!accept 0").await;
    let conv = alice.wait_for("history so far").await.room;
    alice.joined(&conv).await;

    // The baseline's room: echo sends, alice receives.
    let mut request = matrix_sdk::ruma::api::client::room::create_room::v3::Request::new();
    request.invite = vec![alice.client.user_id().expect("id").to_owned()];
    let room = echo.client.create_room(request).await.expect("room");
    let room = room.room_id().to_owned();
    alice.joined(&room).await;

    // The three series take turns, so that the machine's noise falls on each alike.
    let (mut baseline, mut sms_to_agent, mut paced) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..ROUNDS {
        tokio::time::sleep(PAUSE).await;
        let text = format!("baseline {i}");
        let sent = Instant::now();
        echo.say(&room, &text).await;
        baseline.push(alice.wait_for(&text).await.at - sent);

        tokio::time::sleep(PAUSE).await;
        let text = format!("customer message {i}");
        let sent = Instant::now();
        sim.text(&http, "+15557770001", &text).await;
        sms_to_agent.push(alice.wait_for(&format!("customer: {text}")).await.at - sent);

        tokio::time::sleep(PAUSE).await;
        paced.push(agent_to_sms(&alice, &conv, &sim, &http, &format!("agent reply {i}")).await);
    }
    let mut back_to_back = Vec::new();
    for i in 0..ROUNDS {
        back_to_back.push(agent_to_sms(&alice, &conv, &sim, &http, &format!("agent reply, back to back {i}")).await);
    }
    server.stop();
    synapse.halt();

    let (b50, b95) = percentiles(baseline);
    let (s50, s95) = percentiles(sms_to_agent);
    let (a50, a95) = percentiles(paced);
    let (c50, c95) = percentiles(back_to_back);
    println!(
        "Matrix latency on one local Synapse, {ROUNDS} rounds of each, taking turns, {} ms apart:",
        PAUSE.as_millis()
    );
    println!("  baseline client -> client:        p50 {b50:7.1} ms  p95 {b95:7.1} ms");
    println!("  SMS webhook -> agent's client:    p50 {s50:7.1} ms  p95 {s95:7.1} ms");
    println!(
        "  agent's message -> carrier:       p50 {a50:7.1} ms  p95 {a95:7.1} ms  (simulator polled every {} ms)",
        SIM_POLL.as_millis()
    );
    println!(
        "  same, back to back (info):        p50 {c50:7.1} ms  p95 {c95:7.1} ms  (queued behind the bot's reactions)"
    );
    let verdict = |r: f64| if r <= 1.5 { "meets target" } else { "ABOVE TARGET" };
    println!(
        "matrix: sms->agent {:.2}x baseline p50, {:.2}x p95 (target <= 1.5: {})",
        s50 / b50,
        s95 / b95,
        verdict(s50 / b50)
    );
    println!(
        "matrix: agent->sms {:.2}x baseline p50, {:.2}x p95 (target <= 1.5: {})",
        a50 / b50,
        a95 / b95,
        verdict(a50 / b50)
    );
    println!(
        "matrix: agent->sms back to back {:.2}x baseline p50, {:.2}x p95 (informational)",
        c50 / b50,
        c95 / b95
    );
}
