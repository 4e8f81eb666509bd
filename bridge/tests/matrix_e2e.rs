//! End to end against a real Synapse (installed by scripts/synapse.sh into
//! .venv), the carrier simulator and `smsdesk run`: an agent in Matrix goes
//! available, gets the offer for a customer's SMS, accepts, sees the
//! history, replies (reaching the simulator), is refused a 1,001-character
//! reply, ends and wraps up; a user not on the roster relays nothing.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use matrix_sdk::config::SyncSettings;
use matrix_sdk::room::Room;
use matrix_sdk::ruma::events::room::member::StrippedRoomMemberEvent;
use matrix_sdk::ruma::events::room::message::{MessageType, OriginalSyncRoomMessageEvent, RoomMessageEventContent};
use matrix_sdk::ruma::OwnedRoomId;
use matrix_sdk::Client;

type Log = Arc<Mutex<Vec<(OwnedRoomId, String, String)>>>;

struct Synapse {
    dir: PathBuf,
    port: u16,
}

impl Synapse {
    /// Synapse with a file database, so it can be stopped and restarted.
    fn start(dir: PathBuf) -> Self {
        let s = Self { dir, port: free_port() };
        s.boot();
        s
    }

    fn boot(&self) {
        let out = std::process::Command::new("bash")
            .arg(root().join("scripts/synapse.sh"))
            .args(["start", self.dir.to_str().unwrap(), &self.port.to_string(), "sqlite"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "synapse did not start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn halt(&self) {
        let _ = std::process::Command::new("bash")
            .arg(root().join("scripts/synapse.sh"))
            .args(["stop", self.dir.to_str().unwrap()])
            .status();
        // Wait until the port is free again.
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn register(&self, user: &str, password: &str) {
        let out = std::process::Command::new("bash")
            .arg(root().join("scripts/synapse.sh"))
            .args([
                "register",
                self.dir.to_str().unwrap(),
                &self.port.to_string(),
                user,
                password,
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "register {user}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Synapse {
    fn drop(&mut self) {
        let _ = std::process::Command::new("bash")
            .arg(root().join("scripts/synapse.sh"))
            .args(["stop", self.dir.to_str().unwrap()])
            .status();
    }
}

/// A Matrix user driven by the test: auto-joins invites, records every message.
async fn agent(homeserver: &str, user: &str, password: &str) -> (Client, Log) {
    let client = Client::builder().homeserver_url(homeserver).build().await.unwrap();
    client
        .matrix_auth()
        .login_username(user, password)
        .send()
        .await
        .unwrap();
    let log: Log = Arc::default();
    let l = log.clone();
    client.add_event_handler(move |ev: OriginalSyncRoomMessageEvent, room: Room| {
        let l = l.clone();
        async move {
            let body = match &ev.content.msgtype {
                MessageType::Text(t) => t.body.clone(),
                MessageType::Notice(n) => n.body.clone(),
                _ => return,
            };
            l.lock()
                .unwrap()
                .push((room.room_id().to_owned(), ev.sender.to_string(), body));
        }
    });
    client.add_event_handler(|ev: StrippedRoomMemberEvent, room: Room, client: Client| async move {
        if Some(ev.state_key.as_ref()) == client.user_id() {
            tokio::spawn(async move {
                for _ in 0..20 {
                    if room.join().await.is_ok() {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            });
        }
    });
    let c = client.clone();
    tokio::spawn(async move {
        let mut settings = SyncSettings::default().timeout(Duration::from_millis(500));
        loop {
            match c.sync_once(settings.clone()).await {
                Ok(r) => settings = settings.token(r.next_batch),
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
    });
    (client, log)
}

/// Waits for a message containing `needle`; returns its room.
async fn wait_for(log: &Log, needle: &str) -> OwnedRoomId {
    wait_for_nth(log, needle, 1).await
}

/// Waits for the `n`th message containing `needle`; returns its room.
async fn wait_for_nth(log: &Log, needle: &str, n: usize) -> OwnedRoomId {
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        if let Some((room, _, _)) = log
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, _, b)| b.contains(needle))
            .nth(n - 1)
        {
            return room.clone();
        }
        assert!(
            Instant::now() < deadline,
            "no message containing {needle:?}; saw: {:#?}",
            log.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Offers posted (not their in-place edits, whose fallback body starts with "* ").
fn new_offers(log: &Log) -> usize {
    log.lock()
        .unwrap()
        .iter()
        .filter(|(_, _, b)| b.starts_with("Offer #0"))
        .count()
}

async fn wait_for_new_offer(log: &Log, before: usize) {
    let deadline = Instant::now() + Duration::from_secs(40);
    while new_offers(log) <= before {
        assert!(
            Instant::now() < deadline,
            "no new offer; saw: {:#?}",
            log.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn wait_sim(http: &reqwest::Client, sim: &Sim, body: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let msgs: Vec<serde_json::Value> = http
            .get(sim.url("/sim/messages"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if msgs.iter().any(|m| m["body"] == body) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{body:?} never reached the carrier: {msgs:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn say(client: &Client, room: &OwnedRoomId, text: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let room = loop {
        if let Some(r) = client.get_room(room) {
            if r.state() == matrix_sdk::RoomState::Joined {
                break r;
            }
        }
        assert!(Instant::now() < deadline, "never joined {room}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    room.send(RoomMessageEventContent::text_plain(text)).await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_agent_handles_a_customer_from_matrix() {
    let tmp = tempfile::tempdir().unwrap();
    let synapse = Synapse::start(tmp.path().join("synapse"));
    synapse.register("smsdesk", "bot-password");
    synapse.register("alice", "alice-password");
    synapse.register("mallory", "mallory-password");
    synapse.register("bob", "bob-password");
    synapse.register("carol", "carol-password");

    let (port, sim_port) = (free_port(), free_port());
    let sim = Sim::start(sim_port, port);
    let dir = tmp.path().join("desk");
    std::fs::create_dir_all(&dir).unwrap();
    let mut server = Server::start_with_matrix(&dir, port, &format!("http://127.0.0.1:{sim_port}"), &synapse.url());

    let (alice, alice_log) = agent(&synapse.url(), "alice", "alice-password").await;
    let desk = wait_for(&alice_log, "This is your smsdesk desk").await;
    say(&alice, &desk, "!available").await;
    wait_for(&alice_log, "You are now available").await;

    let http = reqwest::Client::new();
    let r = sim.text(&http, "+15557770001", "refund please").await;
    assert_eq!(r["smsdesk_status"], 200, "{r}");

    // The offer shows queue, customer, entry and its kind.
    let offer_room = wait_for(&alice_log, "Offer #0").await;
    assert_eq!(offer_room, desk);
    {
        let log = alice_log.lock().unwrap();
        let offer = &log.iter().find(|(_, _, b)| b.contains("Offer #0")).unwrap().2;
        for needle in ["queue billing", "+15557770001", ENTRY, "long code", "!accept 0"] {
            assert!(offer.contains(needle), "offer lacks {needle}: {offer}");
        }
    }
    // While open, the offer's waiting time is edited in place (a replacement event).
    wait_for(&alice_log, "* Offer #0").await;
    say(&alice, &desk, "!accept 0").await;
    let room = wait_for(&alice_log, "history so far").await;
    assert_ne!(room, desk);
    wait_for(&alice_log, "customer: refund please").await;

    // A reply reaches the carrier.
    say(&alice, &room, "Hello from Alice, looking into it").await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let msgs: Vec<serde_json::Value> = http
            .get(sim.url("/sim/messages"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if msgs.iter().any(|m| m["body"] == "Hello from Alice, looking into it") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the reply never reached the carrier: {msgs:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Too long: refused, nothing sent.
    say(&alice, &room, &"x".repeat(1_001)).await;
    wait_for(&alice_log, "reply too long: 1001 characters").await;

    // Mallory is invited into the room but is not on the roster: nothing she writes is relayed.
    let (mallory, _) = agent(&synapse.url(), "mallory", "mallory-password").await;
    alice
        .get_room(&room)
        .unwrap()
        .invite_user_by_id(mallory.user_id().unwrap())
        .await
        .unwrap();
    say(&mallory, &room, "send me your money").await;
    wait_for(&alice_log, "is not on the agent roster: nothing was sent").await;

    // Live lists for picking transfer and conference targets.
    say(&alice, &desk, "!status").await;
    wait_for(&alice_log, "#0 +15557770001 · billing · active").await;
    say(&alice, &room, "!queues").await;
    wait_for(&alice_log, "billing: 0 waiting").await;

    // Conference: Bob joins, writes to the customer, the conference ends.
    let (bob, bob_log) = agent(&synapse.url(), "bob", "bob-password").await;
    let bob_desk = wait_for(&bob_log, "This is your smsdesk desk").await;
    say(&bob, &bob_desk, "!available").await;
    wait_for(&bob_log, "You are now available").await;
    say(&alice, &room, "!agents bo").await;
    wait_for(&alice_log, "@bob:localhost Bob").await;
    say(&alice, &room, "!conference @bob:localhost").await;
    wait_for(&bob_log, "invites you to conversation #0").await;
    say(&bob, &bob_desk, "!accept 0").await;
    wait_for(&alice_log, "@bob:localhost joined the conference").await;
    say(&bob, &room, "Bob here, I can help too").await;
    wait_sim(&http, &sim, "Bob here, I can help too").await;
    say(&alice, &room, "!endconf").await;
    wait_for(&alice_log, "@bob:localhost left the conference").await;

    // Transfer to Carol, who never answers: she goes RONA, the conversation goes back to its queue and is offered again.
    let (carol, carol_log) = agent(&synapse.url(), "carol", "carol-password").await;
    let carol_desk = wait_for(&carol_log, "This is your smsdesk desk").await;
    say(&carol, &carol_desk, "!available").await;
    wait_for(&carol_log, "You are now available").await;
    say(&bob, &bob_desk, "!idle").await; // keep Bob out of routing for this part
    let offers_before = new_offers(&alice_log);
    say(&alice, &room, "!transfer @carol:localhost").await;
    wait_for(&carol_log, "Offer #0").await;
    wait_for(&carol_log, "you are now RONA").await;
    wait_for_new_offer(&alice_log, offers_before).await;
    say(&alice, &desk, "!accept 0").await;
    wait_for(&alice_log, "@alice:localhost now owns this conversation").await;

    // Synapse goes down mid-conversation: the customer's SMS is stored and reaches Alice once it is back.
    synapse.halt();
    let r = sim.text(&http, "+15557770001", "are you still there?").await;
    assert_eq!(r["smsdesk_status"], 200, "SMS intake must not depend on Matrix: {r}");
    synapse.boot();
    wait_for(&alice_log, "customer: are you still there?").await;

    say(&alice, &room, "!end").await;
    wait_for(&alice_log, "Wrap up with !wrapup").await;
    say(&alice, &room, "!wrapup resol").await;
    wait_for(&alice_log, "closed: Resolved").await;

    let msgs: Vec<serde_json::Value> = http
        .get(sim.url("/sim/messages"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!msgs.iter().any(|m| m["body"] == "send me your money"));
    assert!(!msgs.iter().any(|m| m["body"].as_str().unwrap_or("").len() > 1000));
    server.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_bot_logs_in_with_an_access_token_too() {
    let tmp = tempfile::tempdir().unwrap();
    let synapse = Synapse::start(tmp.path().join("synapse"));
    synapse.register("smsdesk", "bot-password");
    synapse.register("alice", "alice-password");
    let login: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/_matrix/client/v3/login", synapse.url()))
        .json(&serde_json::json!({"type": "m.login.password", "identifier": {"type": "m.id.user", "user": "smsdesk"}, "password": "bot-password"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["access_token"].as_str().unwrap();
    let dir = tmp.path().join("desk");
    std::fs::create_dir_all(&dir).unwrap();
    let mut server = Server::start_with_matrix_auth(
        &dir,
        free_port(),
        "http://127.0.0.1:9",
        &synapse.url(),
        &format!("access_token = \"{token}\""),
    );
    let (_alice, log) = agent(&synapse.url(), "alice", "alice-password").await;
    wait_for(&log, "This is your smsdesk desk").await;
    server.stop();
}
