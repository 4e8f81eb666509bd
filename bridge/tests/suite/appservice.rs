//! Appservice mode end to end: Synapse loads the registration that
//! `smsdesk appservice-registration` wrote, and pushes events to
//! `smsdesk run`. The customer's SMS arrive as their ghost (sender and
//! display name seen by the agents' own clients); replies, conference,
//! transfer and wrap-up work as in bot mode. Forged transactions change
//! nothing, a repeated one is handled once, and one acknowledged just
//! before a SIGKILL is handled after the restart. A desk that ran in bot
//! mode switches to appservice mode and keeps its rooms.

use crate::common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::config::server_config;
use common::matrix::{Synapse, User};
use common::*;
use matrix_sdk::ruma::{OwnedRoomId, UserId};

const POLL: Duration = Duration::from_millis(100);
const GHOST: &str = "@sms_15557770001:localhost";
const CUSTOMER: &str = "+15557770001";

/// Runs `smsdesk appservice-registration` for `config`; its standard output.
pub fn write_registration(config: &Path) -> String {
    let out = std::process::Command::new(bin())
        .args(["appservice-registration", "--config"])
        .env("SMSDESK_TEST_TOKEN", TOKEN)
        .arg(config)
        .output()
        .expect("running smsdesk appservice-registration");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The hs_token the registration holds.
fn hs_token(registration: &Path) -> String {
    let text = std::fs::read_to_string(registration).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("hs_token: "))
        .expect("hs_token in the registration")
        .trim()
        .to_owned()
}

/// How many messages with `body` reached the carrier.
async fn sent(sim: &Sim, http: &reqwest::Client, body: &str) -> usize {
    sim.messages(http).await.iter().filter(|m| m["body"] == body).count()
}

/// The display name `user`'s client shows for `member` in `room`.
async fn display_name(user: &User, room: &OwnedRoomId, member: &str) -> Option<String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let room = user.client.get_room(room).expect("room");
        if let Ok(Some(m)) = room.get_member_no_sync(<&UserId>::try_from(member).unwrap()).await {
            if let Some(name) = m.display_name() {
                return Some(name.to_owned());
            }
        }
        if Instant::now() > deadline {
            return None;
        }
        tokio::time::sleep(POLL).await;
    }
}

/// A transaction with one message from `sender` in `room`.
fn transaction(room: &OwnedRoomId, sender: &str, event_id: &str, body: &str) -> serde_json::Value {
    serde_json::json!({"events": [{
        "type": "m.room.message",
        "room_id": room,
        "sender": sender,
        "event_id": event_id,
        "origin_server_ts": 1_700_000_000_000u64,
        "content": {"msgtype": "m.text", "body": body}
    }]})
}

/// The registration holds the tokens: readable by its owner and by
/// Synapse through the group (0640), never by everyone, on every write.
#[test]
fn the_registration_is_readable_by_its_owner_and_group_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let config = server_config(
        free_port(),
        "http://127.0.0.1:9",
        Some(("http://127.0.0.1:9", "mode = \"appservice\"")),
    );
    std::fs::write(dir.path().join("smsdesk.toml"), &config).unwrap();
    let registration = dir.path().join("appservice.yaml");
    let mode = || std::fs::metadata(&registration).unwrap().permissions().mode() & 0o777;
    write_registration(&dir.path().join("smsdesk.toml"));
    assert_eq!(mode(), 0o640);
    std::fs::set_permissions(&registration, std::fs::Permissions::from_mode(0o644)).unwrap();
    write_registration(&dir.path().join("smsdesk.toml"));
    assert_eq!(mode(), 0o640, "a rewrite leaves it world-readable");
}

#[tokio::test(flavor = "multi_thread")]
async fn customers_speak_as_ghosts_through_the_whole_flow() {
    let tmp = tempfile::tempdir().unwrap();
    let synapse = Synapse::unstarted(tmp.path().join("synapse"), false);
    let (port, sim_port) = (free_port(), free_port());
    let sim = Sim::start(sim_port, port);
    let dir = tmp.path().join("desk");
    std::fs::create_dir_all(&dir).unwrap();
    let api = format!("http://127.0.0.1:{sim_port}");
    let config = server_config(port, &api, Some((&synapse.url(), "mode = \"appservice\"")));
    std::fs::write(dir.join("smsdesk.toml"), &config).unwrap();
    let said = write_registration(&dir.join("smsdesk.toml"));
    assert!(
        said.contains("with new tokens") && said.contains("app_service_config_files"),
        "{said}"
    );
    let registration = dir.join("appservice.yaml");
    synapse.load_appservice(registration.clone());
    synapse.boot();
    for (user, password) in [
        ("alice", "alice-password"),
        ("bob", "bob-password"),
        ("carol", "carol-password"),
    ] {
        synapse.register(user, password);
    }
    let mut server = Server::start_with_config(&dir, port, &config, None);
    let http = reqwest::Client::new();
    step_the_homeserver_pings_back(&http, port).await;
    let (alice, room) = step_the_customer_speaks_as_the_ghost(&synapse, &sim, &http, &server).await;

    // A reply reaches the carrier, with its delivery on the agent's message.
    let reply = alice.say(&room, "Looking into it").await;
    sim.wait_for_body(&http, "Looking into it", POLL).await;
    alice.wait_for(&format!("reaction ✅ delivered on {reply}")).await;

    step_forged_transactions_change_nothing(&http, &server, &room, &registration, &sim).await;
    step_acknowledged_before_a_crash_is_handled_after(&mut server, &alice, &room, &sim, &http).await;
    step_conference(&synapse, &alice, &room, &sim, &http).await;
    step_transfer_and_wrap_up(&synapse, &alice, &room, &sim, &http).await;

    // Each reply went out once; the forged one never did.
    for body in [
        "Looking into it",
        "sent once",
        "sent across the crash",
        "Bob here, I can help too",
    ] {
        assert_eq!(sent(&sim, &http, body).await, 1, "{body}");
    }
    assert_eq!(sent(&sim, &http, "forged reply").await, 0);
}

/// The desk asks the homeserver to ping it back at once (with the
/// as_token: before, matrix-sdk sent none, "no access token provided",
/// and /readyz said the homeserver was unreachable every 30 s).
async fn step_the_homeserver_pings_back(http: &reqwest::Client, port: u16) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut readyz = String::new();
    while Instant::now() < deadline {
        readyz = http
            .get(format!("http://127.0.0.1:{port}/readyz"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if readyz.contains("\"homeserver\":\"reachable\"") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(readyz.contains("\"homeserver\":\"reachable\""), "{readyz}");
    // Still so once the first ping has been answered.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let readyz = http
        .get(format!("http://127.0.0.1:{port}/readyz"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        readyz.contains("\"homeserver\":\"reachable\""),
        "after the ping: {readyz}"
    );
}

/// Alice accepts the customer's conversation; the customer speaks as
/// themselves: the ghost, named by the number. Alice and the room.
async fn step_the_customer_speaks_as_the_ghost(
    synapse: &Synapse,
    sim: &Sim,
    http: &reqwest::Client,
    server: &Server,
) -> (User, OwnedRoomId) {
    let alice = User::login(&synapse.url(), "alice", "alice-password").await;
    let desk = alice.wait_for("This is your smsdesk desk").await.room;
    alice.say(&desk, "!available").await;
    alice.wait_for("You are now available").await;
    sim.text(http, CUSTOMER, "refund please").await;
    alice.wait_for("Offer #1").await;
    alice.say(&desk, "!accept 1").await;
    let room = alice.wait_for("history so far").await.room;
    alice.joined(&room).await;

    sim.text(http, CUSTOMER, "it is order 42").await;
    let line = alice.wait_for("it is order 42").await;
    assert_eq!(line.sender, GHOST);
    assert_eq!(line.room, room);
    assert_eq!(
        alice.count("customer: it is order 42"),
        0,
        "no quote by the bot as well"
    );
    assert_eq!(display_name(&alice, &room, GHOST).await.as_deref(), Some(CUSTOMER));

    let ready: serde_json::Value = http
        .get(server.url("/readyz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["homeserver"], "reachable", "{ready}");
    (alice, room)
}

/// Transactions not from the homeserver are refused and change nothing;
/// the same transaction twice is handled once.
async fn step_forged_transactions_change_nothing(
    http: &reqwest::Client,
    server: &Server,
    room: &OwnedRoomId,
    registration: &Path,
    sim: &Sim,
) {
    let put = |txn: &str, token: Option<&str>, body: &serde_json::Value| {
        let mut request = http
            .put(server.url(&format!("/_matrix/app/v1/transactions/{txn}")))
            .json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    let forged = transaction(room, "@alice:localhost", "$forged", "forged reply");
    let r = put("forged", Some("not-the-token"), &forged).await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["errcode"], "M_FORBIDDEN");
    let r = put("forged", None, &forged).await.unwrap();
    assert_eq!(r.status(), 401);
    let token = hs_token(registration);
    let r = put("broken", Some(&token), &serde_json::json!({"events": "no"}))
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["errcode"], "M_BAD_JSON");
    let r = http
        .get(server.url("/_matrix/app/v1/users/@sms_1:localhost"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["errcode"],
        "M_UNRECOGNIZED"
    );
    // The same transaction twice is handled once.
    let twice = transaction(room, "@alice:localhost", "$twice", "sent once");
    for _ in 0..2 {
        let r = put("repeated", Some(&token), &twice).await.unwrap();
        assert_eq!(r.status(), 200);
    }
    sim.wait_for_body(http, "sent once", POLL).await;
}

/// Acknowledged, then killed before handling it: handled after the restart.
async fn step_acknowledged_before_a_crash_is_handled_after(
    server: &mut Server,
    alice: &User,
    room: &OwnedRoomId,
    sim: &Sim,
    http: &reqwest::Client,
) {
    server.stop();
    server.env.push((
        "SMSDESK_FAILPOINT".into(),
        "appservice-exit-after-ack:across the crash".into(),
    ));
    server.spawn();
    alice.say(room, "sent across the crash").await;
    assert_eq!(
        server.wait_exit(Duration::from_secs(30)),
        Some(137),
        "the failpoint ends smsdesk after the 200"
    );
    assert_eq!(sent(sim, http, "sent across the crash").await, 0);
    server.env.clear();
    server.spawn();
    sim.wait_for_body(http, "sent across the crash", POLL).await;
}

/// Conference: Bob joins and writes to the customer.
async fn step_conference(synapse: &Synapse, alice: &User, room: &OwnedRoomId, sim: &Sim, http: &reqwest::Client) {
    let bob = User::login(&synapse.url(), "bob", "bob-password").await;
    let bob_desk = bob.wait_for("This is your smsdesk desk").await.room;
    bob.say(&bob_desk, "!available").await;
    bob.wait_for("You are now available").await;
    alice.say(room, "!conference @bob:localhost").await;
    bob.wait_for("Offer #1 (conference: @alice:localhost invites you)")
        .await;
    bob.say(&bob_desk, "!accept 1").await;
    alice.wait_for("@bob:localhost joined the conference").await;
    bob.joined(room).await;
    bob.say(room, "Bob here, I can help too").await;
    sim.wait_for_body(http, "Bob here, I can help too", POLL).await;
    alice.say(room, "!endconf").await;
    alice.wait_for("@bob:localhost left the conference").await;
    bob.say(&bob_desk, "!idle").await;
}

/// Transfer to Carol, who accepts, hears the customer, and wraps up.
async fn step_transfer_and_wrap_up(
    synapse: &Synapse,
    alice: &User,
    room: &OwnedRoomId,
    sim: &Sim,
    http: &reqwest::Client,
) {
    let carol = User::login(&synapse.url(), "carol", "carol-password").await;
    let carol_desk = carol.wait_for("This is your smsdesk desk").await.room;
    carol.say(&carol_desk, "!available").await;
    carol.wait_for("You are now available").await;
    alice.say(room, "!transfer @carol:localhost").await;
    carol.wait_for("Offer #1 (transfer from @alice:localhost)").await;
    carol.say(&carol_desk, "!accept 1").await;
    carol.wait_for("@carol:localhost now owns this conversation").await;
    carol.joined(room).await;
    sim.text(http, CUSTOMER, "thanks carol").await;
    assert_eq!(carol.wait_for("thanks carol").await.sender, GHOST);
    carol.say(room, "!end").await;
    carol.wait_for("Wrap up by reacting").await;
    carol.say(room, "!wrapup resol").await;
    carol.wait_for("closed: Resolved").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bot_mode_desk_switches_to_appservice_mode_and_keeps_its_rooms() {
    let tmp = tempfile::tempdir().unwrap();
    let synapse = Synapse::start_persistent(tmp.path().join("synapse"));
    synapse.register("smsdesk", "bot-password");
    synapse.register("alice", "alice-password");
    let (port, sim_port) = (free_port(), free_port());
    let sim = Sim::start(sim_port, port);
    let dir = tmp.path().join("desk");
    std::fs::create_dir_all(&dir).unwrap();
    let mut server = Server::start_with_matrix(&dir, port, &format!("http://127.0.0.1:{sim_port}"), &synapse.url());
    let http = reqwest::Client::new();
    let alice = User::login(&synapse.url(), "alice", "alice-password").await;
    let desk = alice.wait_for("This is your smsdesk desk").await.room;
    alice.say(&desk, "!available").await;
    sim.text(&http, CUSTOMER, "hello").await;
    alice.wait_for("Offer #1").await;
    alice.say(&desk, "!accept 1").await;
    let room = alice.wait_for("history so far").await.room;
    alice.joined(&room).await;
    sim.text(&http, CUSTOMER, "as a quote").await;
    assert_eq!(
        alice.wait_for("customer: as a quote").await.sender,
        "@smsdesk:localhost"
    );

    // Switch: the config says appservice, the homeserver loads the registration.
    server.stop();
    let config = std::fs::read_to_string(&server.config).unwrap();
    std::fs::write(
        &server.config,
        config.replace("password = \"bot-password\"", "mode = \"appservice\""),
    )
    .unwrap();
    write_registration(&server.config);
    synapse.halt();
    synapse.load_appservice(dir.join("appservice.yaml"));
    synapse.boot();
    server.spawn();

    // Same desk room, same conversation room: the customer now speaks as the ghost.
    sim.text(&http, CUSTOMER, "as myself").await;
    let line = alice.wait_for("as myself").await;
    assert_eq!((line.sender.as_str(), &line.room), (GHOST, &room));
    alice.say(&room, "same room, same conversation").await;
    sim.wait_for_body(&http, "same room, same conversation", POLL).await;
    alice.say(&desk, "!status").await;
    let status = alice.wait_for("#1 +15557770001 · billing · active").await;
    assert_eq!(status.room, desk);
}

/// A desk switched back to bot mode while the homeserver still loads the
/// registration: Synapse answers 500 to every sync of the registration's
/// own user, which matrix-sdk retries in silence. smsdesk says what is
/// wrong and how to fix it, and is not ready.
#[tokio::test(flavor = "multi_thread")]
async fn bot_mode_with_the_registration_still_loaded_says_why_it_cannot_sync() {
    let tmp = tempfile::tempdir().unwrap();
    let synapse = Synapse::start_persistent(tmp.path().join("synapse"));
    synapse.register("smsdesk", "bot-password");
    let (port, sim_port) = (free_port(), free_port());
    let dir = tmp.path().join("desk");
    std::fs::create_dir_all(&dir).unwrap();
    let api = format!("http://127.0.0.1:{sim_port}");
    let config = server_config(port, &api, Some((&synapse.url(), "mode = \"appservice\"")));
    std::fs::write(dir.join("smsdesk.toml"), &config).unwrap();
    write_registration(&dir.join("smsdesk.toml"));
    synapse.halt();
    synapse.load_appservice(dir.join("appservice.yaml"));
    synapse.boot();
    // Back to bot mode; the registration stays loaded.
    let bot = server_config(port, &api, Some((&synapse.url(), "password = \"bot-password\"")));
    let log = dir.join("smsdesk.log");
    let mut server = Server::start_with_config(&dir, port, &bot, Some(log.clone()));
    let deadline = Instant::now() + Duration::from_secs(40);
    let said = loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if let Some(line) = text.lines().find(|l| l.contains("fails every sync")) {
            break line.to_owned();
        }
        assert!(
            Instant::now() < deadline,
            "no word on why the bot does not sync; log:\n{text}"
        );
        tokio::time::sleep(POLL).await;
    };
    assert!(
        said.contains("ERROR") && said.contains("app_service_config_files") && said.contains("matrix.mode"),
        "{said}"
    );
    let ready: serde_json::Value = reqwest::get(server.url("/readyz")).await.unwrap().json().await.unwrap();
    assert_eq!(ready["homeserver"], "unreachable", "{ready}");
    server.stop();
}
