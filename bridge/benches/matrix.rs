//! Matrix latency, on one local Synapse, against a baseline measured in the
//! same run:
//! - baseline: a bare Matrix client sends, a second client receives;
//! - a signed SMS webhook, until the agent's client receives it;
//! - an agent's message, until the carrier simulator has the SMS.
//!
//! Prints p50 and p95 of each and the ratios to the baseline (target <= 1.5).
//! Run: `cargo bench -p smsdesk --bench matrix` (after `bash scripts/build-plugins.sh`
//! and `bash scripts/synapse.sh install`).

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use matrix_sdk::config::SyncSettings;
use matrix_sdk::room::Room;
use matrix_sdk::ruma::events::room::message::{MessageType, OriginalSyncRoomMessageEvent, RoomMessageEventContent};
use matrix_sdk::ruma::OwnedRoomId;
use matrix_sdk::Client;

const ROUNDS: usize = 30;

type Inbox = Arc<Mutex<Vec<(OwnedRoomId, String, Instant)>>>;

fn synapse(dir: &std::path::Path, port: u16, args: &[&str]) {
    let out = std::process::Command::new("bash")
        .arg(root().join("scripts/synapse.sh"))
        .args(args)
        .arg(dir)
        .args(if args[0] == "stop" {
            vec![]
        } else {
            vec![port.to_string()]
        })
        .output()
        .expect("synapse.sh");
    assert!(
        out.status.success(),
        "synapse.sh {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn register(dir: &std::path::Path, port: u16, user: &str) {
    let out = std::process::Command::new("bash")
        .arg(root().join("scripts/synapse.sh"))
        .args([
            "register",
            dir.to_str().expect("dir"),
            &port.to_string(),
            user,
            &format!("{user}-password"),
        ])
        .output()
        .expect("register");
    assert!(out.status.success());
}

async fn client(hs: &str, user: &str) -> (Client, Inbox) {
    let c = Client::builder().homeserver_url(hs).build().await.expect("client");
    c.matrix_auth()
        .login_username(user, &format!("{user}-password"))
        .send()
        .await
        .expect("login");
    let inbox: Inbox = Arc::default();
    let i = inbox.clone();
    c.add_event_handler(move |ev: OriginalSyncRoomMessageEvent, room: Room| {
        let i = i.clone();
        async move {
            let body = match &ev.content.msgtype {
                MessageType::Text(t) => t.body.clone(),
                MessageType::Notice(n) => n.body.clone(),
                _ => return,
            };
            i.lock()
                .expect("inbox")
                .push((room.room_id().to_owned(), body, Instant::now()));
        }
    });
    c.add_event_handler(
        |ev: matrix_sdk::ruma::events::room::member::StrippedRoomMemberEvent, room: Room, c: Client| async move {
            if Some(ev.state_key.as_ref()) == c.user_id() {
                tokio::spawn(async move {
                    for _ in 0..50 {
                        if room.join().await.is_ok() {
                            return;
                        }
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                });
            }
        },
    );
    let s = c.clone();
    tokio::spawn(async move {
        let mut settings = SyncSettings::default().timeout(Duration::from_secs(5));
        loop {
            match s.sync_once(settings.clone()).await {
                Ok(r) => settings = settings.token(r.next_batch),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    });
    (c, inbox)
}

async fn arrival(inbox: &Inbox, needle: &str) -> (OwnedRoomId, Instant) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some((r, _, t)) = inbox.lock().expect("inbox").iter().find(|(_, b, _)| b.contains(needle)) {
            return (r.clone(), *t);
        }
        assert!(Instant::now() < deadline, "never received {needle:?}");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

async fn joined(c: &Client, room: &OwnedRoomId) -> Room {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(r) = c.get_room(room) {
            if r.state() == matrix_sdk::RoomState::Joined {
                return r;
            }
        }
        assert!(Instant::now() < deadline, "never joined {room}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn percentiles(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    (ms(v[v.len() / 2]), ms(v[(v.len() * 95 / 100).min(v.len() - 1)]))
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let tmp = tempfile::tempdir().expect("tmp");
    let syn = tmp.path().join("synapse");
    let hs_port = free_port();
    synapse(&syn, hs_port, &["start"]);
    for user in ["smsdesk", "alice", "echo"] {
        register(&syn, hs_port, user);
    }
    let hs = format!("http://127.0.0.1:{hs_port}");

    // Baseline: echo sends, alice receives.
    let (alice, alice_inbox) = client(&hs, "alice").await;
    let (echo, _) = client(&hs, "echo").await;
    let mut request = matrix_sdk::ruma::api::client::room::create_room::v3::Request::new();
    request.invite = vec![alice.user_id().expect("id").to_owned()];
    let room = echo.create_room(request).await.expect("room");
    joined(&alice, &room.room_id().to_owned()).await;
    let mut baseline = Vec::new();
    for i in 0..ROUNDS {
        let text = format!("baseline {i}");
        let sent = Instant::now();
        room.send(RoomMessageEventContent::text_plain(text.clone()))
            .await
            .expect("send");
        let (_, at) = arrival(&alice_inbox, &text).await;
        baseline.push(at - sent);
    }

    // smsdesk: webhook -> agent, and agent -> carrier.
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
    let (desk, _) = arrival(&alice_inbox, "This is your smsdesk desk").await;
    let desk_room = joined(&alice, &desk).await;
    desk_room
        .send(RoomMessageEventContent::text_plain("!available"))
        .await
        .expect("send");
    arrival(&alice_inbox, "You are now available").await;
    let http = reqwest::Client::new();
    sim.text(&http, "+15557770001", "hello").await;
    arrival(&alice_inbox, "Offer #0").await;
    desk_room
        .send(RoomMessageEventContent::text_plain("!accept 0"))
        .await
        .expect("send");
    let (conv, _) = arrival(&alice_inbox, "history so far").await;
    let conv_room = joined(&alice, &conv).await;

    let mut sms_to_agent = Vec::new();
    for i in 0..ROUNDS {
        let text = format!("customer message {i}");
        let sent = Instant::now();
        sim.text(&http, "+15557770001", &text).await;
        let (_, at) = arrival(&alice_inbox, &format!("customer: {text}")).await;
        sms_to_agent.push(at - sent);
    }
    let mut agent_to_sms = Vec::new();
    for i in 0..ROUNDS {
        let text = format!("agent reply {i}");
        let sent = Instant::now();
        conv_room
            .send(RoomMessageEventContent::text_plain(text.clone()))
            .await
            .expect("send");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let msgs: Vec<serde_json::Value> = http
                .get(sim.url("/sim/messages"))
                .send()
                .await
                .expect("sim")
                .json()
                .await
                .expect("json");
            if msgs.iter().any(|m| m["body"] == text.as_str()) {
                break;
            }
            assert!(Instant::now() < deadline, "reply {i} never reached the simulator");
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        agent_to_sms.push(sent.elapsed());
    }
    server.stop();
    synapse(&syn, hs_port, &["stop"]);

    let (b50, b95) = percentiles(baseline);
    let (s50, s95) = percentiles(sms_to_agent);
    let (a50, a95) = percentiles(agent_to_sms);
    println!("Matrix latency on one local Synapse, {ROUNDS} rounds each:");
    println!("  baseline client -> client:        p50 {b50:7.1} ms  p95 {b95:7.1} ms");
    println!("  SMS webhook -> agent's client:    p50 {s50:7.1} ms  p95 {s95:7.1} ms");
    println!("  agent's message -> carrier:       p50 {a50:7.1} ms  p95 {a95:7.1} ms  (simulator polled every 2 ms)");
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
}
