//! End to end against a real Synapse: `storage.path` wiped or restored from
//! an older backup while the agents keep their rooms. The bot takes up the
//! rooms it marked (no second desk room; the agent goes on in her usual
//! one), leaves with a notice the rooms that are no longer its own, and a
//! bot account that serves another store is refused unless taken over.

use crate::common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::desk::AliceAtWork;
use common::matrix::User;
use matrix_sdk::ruma::events::room::member::MembershipState;
use matrix_sdk::ruma::{OwnedRoomId, UserId};

const BOT: &str = "@smsdesk:localhost";
const WELCOME: &str = "This is your smsdesk desk";

/// Waits (up to 30 s) until Alice sees the bot out of `room`.
async fn bot_left(alice: &User, room: &OwnedRoomId) {
    let bot = <&UserId>::try_from(BOT).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(r) = alice.client.get_room(room) {
            if let Ok(Some(m)) = r.get_member_no_sync(bot).await {
                if *m.membership() == MembershipState::Leave {
                    return;
                }
            }
        }
        assert!(Instant::now() < deadline, "the bot is still in {room}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `cp -a from to`: a backup of a stopped smsdesk's storage.
fn copy(from: &Path, to: &Path) {
    let status = Command::new("cp").arg("-a").arg(from).arg(to).status().unwrap();
    assert!(status.success(), "cp -a {} {}", from.display(), to.display());
}

/// Runs `smsdesk run` with `config` and `args` until it exits by itself
/// (up to 60 s; killed and `None` past that); its exit code and log.
fn run_until_exit(config: &Path, args: &[&str]) -> (Option<i32>, String) {
    let log = config.with_extension("log");
    let mut child = Command::new(common::bin())
        .args(["run", "--config"])
        .arg(config)
        .args(args)
        .env("SMSDESK_TEST_TOKEN", common::TOKEN)
        .env("SMSDESK_LOG", "warn")
        .env(common::process::MARK, common::process::mark())
        .stdout(Stdio::null())
        .stderr(Stdio::from(std::fs::File::create(&log).unwrap()))
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let code = loop {
        if let Ok(Some(status)) = child.try_wait() {
            break status.code();
        }
        if Instant::now() > deadline {
            common::process::kill_child(&mut child);
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    (code, std::fs::read_to_string(&log).unwrap())
}

/// Alice's `!available` in her usual desk room is answered there, and her
/// next offer arrives there; no second desk room was made.
async fn desk_goes_on(w: &AliceAtWork, customer: &str, answers_before: usize) {
    w.alice.say(&w.desk, "!available").await;
    let answer = w.alice.wait_for_nth("You are now available", answers_before + 1).await;
    assert_eq!(answer.room, w.desk, "the answer comes in her usual desk room");
    w.sim.text(&w.http, customer, "a customer after the restore").await;
    let offer = w.alice.wait_for(&format!("customer {customer}")).await;
    assert_eq!(offer.room, w.desk, "the offer comes in her usual desk room");
    assert_eq!(w.alice.count(WELCOME), 1, "a second desk room was made");
}

/// The storage is wiped (a new, empty store) and the bot account taken
/// over on purpose: Alice's desk room is taken up again and says so, the
/// old conversation room (of a conversation the new store never had) is
/// left with a notice, and her desk goes on in the same room.
#[tokio::test(flavor = "multi_thread")]
async fn a_wiped_storage_takes_up_the_old_desk_room_and_leaves_the_unknown_conversation_room() {
    let mut w = AliceAtWork::start().await;
    w.server.stop();
    std::fs::remove_dir_all(w.server.storage()).unwrap();
    w.server.args = vec!["--adopt-account".into()];
    w.server.spawn();

    let left = w.alice.wait_for("does not know conversation #1").await;
    assert_eq!(left.room, w.room, "said in the old conversation room");
    assert!(
        left.body.contains("nothing written here reaches the customer"),
        "{}",
        left.body
    );
    bot_left(&w.alice, &w.room).await;
    let back = w.alice.wait_for("this is still your desk room").await;
    assert_eq!(back.room, w.desk);
    assert!(
        back.body.contains("Your status is now offline. Say !available here"),
        "{}",
        back.body
    );
    desk_goes_on(&w, "+15557770009", 1).await;
    w.server.stop();
}

/// smsdesk is restored from a backup made before Alice accepted: the
/// conversation room made after the backup is of a conversation that waits
/// to be accepted again in the restored store, so it is left with a notice
/// (not kept silently); the desk goes on in the same room, and the same
/// store starts without `--adopt-account`.
#[tokio::test(flavor = "multi_thread")]
async fn a_restored_older_backup_leaves_the_conversation_room_made_after_it() {
    let mut w = AliceAtWork::offered("60s").await;
    w.server.stop();
    let storage = w.server.storage();
    let backup = w.dir().join("backup");
    copy(&storage, &backup);
    w.server.spawn();
    w.alice.say(&w.desk, "!accept 1").await;
    let room = w.alice.wait_for("history so far").await.room;
    w.alice.joined(&room).await;
    w.alice.say(&room, "!end").await;
    w.alice.wait_for("Wrap up").await;
    w.server.stop();
    std::fs::remove_dir_all(&storage).unwrap();
    copy(&backup, &storage);
    w.server.spawn();

    let left = w.alice.wait_for("made before conversation #1 was accepted").await;
    assert_eq!(left.room, room, "said in the conversation room made after the backup");
    bot_left(&w.alice, &room).await;
    assert_eq!(
        w.alice.count("this is still your desk room"),
        0,
        "the desk room was never lost"
    );
    // The restored store still offers her #1: she accepts it in her usual
    // desk room, and the conversation gets a room of its own again.
    w.alice.say(&w.desk, "!accept 1").await;
    let again = w.alice.wait_for_nth("history so far", 2).await;
    assert_ne!(again.room, room, "the room that was left is not used again");
    assert_eq!(w.alice.count(WELCOME), 1, "a second desk room was made");
    w.server.stop();
}

/// Two stores, one bot account: a second deployment (another storage
/// directory) given the same account is refused with both stores named and
/// what to do; the first one starts again as it was (same store); the
/// second takes the account over with `--adopt-account`, after which the
/// first is the one refused.
#[tokio::test(flavor = "multi_thread")]
async fn a_bot_account_serving_another_store_is_refused_unless_taken_over() {
    let mut w = AliceAtWork::offered("8s").await;
    w.server.stop();
    let other = w.dir().join("other");
    std::fs::create_dir_all(&other).unwrap();
    let config = std::fs::read_to_string(&w.server.config).unwrap();
    let other_config = other.join("smsdesk.toml");
    std::fs::write(&other_config, &config).unwrap();

    let (code, log) = run_until_exit(&other_config, &[]);
    assert_eq!(code, Some(1), "{log}");
    assert!(
        log.contains("the bot account @smsdesk:localhost belongs to another smsdesk store"),
        "{log}"
    );
    assert!(log.contains("smsdesk run --adopt-account"), "{log}");
    let stores: Vec<&str> = log
        .split(['(', ')', ' ', ';'])
        .filter(|w| w.len() == 32 && w.chars().all(|c| c.is_ascii_hexdigit()))
        .collect();
    assert!(stores.len() >= 2 && stores[0] != stores[1], "both stores named: {log}");
    assert_eq!(w.alice.count(WELCOME), 1, "the refused store made a desk room");

    // The first store is still the account's: it starts and answers.
    w.server.spawn();
    w.alice.say(&w.desk, "!status").await;
    w.alice.wait_for("conversation(s) in use").await;
    w.server.stop();

    // Taken over on purpose: the second starts, in Alice's desk room.
    let port = common::free_port();
    let taken = config.replace(&format!("127.0.0.1:{}", w.server.port), &format!("127.0.0.1:{port}"));
    std::fs::write(&other_config, taken).unwrap();
    let mut second = common::Server {
        child: None,
        port,
        dir: other.clone(),
        config: other_config.clone(),
        env: Vec::new(),
        args: vec!["--adopt-account".into()],
        log: None,
    };
    second.spawn();
    let back = w.alice.wait_for("this is still your desk room").await;
    assert_eq!(back.room, w.desk);
    second.stop();
    assert_eq!(w.alice.count(WELCOME), 1, "a second desk room was made");

    let (code, log) = run_until_exit(&w.server.config, &[]);
    assert_eq!(code, Some(1), "the first store is refused now: {log}");
    assert!(log.contains("belongs to another smsdesk store"), "{log}");
}

/// The marker of `room` as the bot account reads it (`None`: none).
async fn marker(bot: &User, room: &OwnedRoomId) -> Option<serde_json::Value> {
    use matrix_sdk::ruma::api::client::state::get_state_event_for_key;
    let request = get_state_event_for_key::v3::Request::new(room.clone(), "org.smsdesk.room".into(), String::new());
    let response = bot.client.send(request).await.ok()?;
    let content: serde_json::Value = serde_json::from_str(response.event_or_content.get()).unwrap();
    content.get("role").is_some().then_some(content)
}

/// Blanks `room`'s marker as the bot account, as in a room an older
/// smsdesk made.
async fn unmark(bot: &User, room: &OwnedRoomId) {
    use matrix_sdk::ruma::api::client::state::send_state_event;
    let body =
        matrix_sdk::ruma::serde::Raw::from_json(serde_json::value::to_raw_value(&serde_json::json!({})).unwrap());
    let request = send_state_event::v3::Request::new_raw(room.clone(), "org.smsdesk.room".into(), String::new(), body);
    bot.client.send(request).await.unwrap();
    assert_eq!(marker(bot, room).await, None);
}

/// A desk room made by an older smsdesk (no marker) is marked at the next
/// start. One still unmarked when the storage is wiped cannot be told from
/// any other room: the bot makes a new desk room, and the first message in
/// the old one gets one notice pointing to the new one, then the bot leaves
/// it — the old room is never silent.
#[tokio::test(flavor = "multi_thread")]
async fn an_unmarked_old_desk_room_is_marked_at_start_or_else_points_to_the_new_one() {
    let mut w = AliceAtWork::offered("8s").await;
    let bot = User::login(&w._synapse.url(), "smsdesk", "bot-password").await;
    let made = marker(&bot, &w.desk).await.expect("a new desk room is marked");
    assert_eq!(made["role"], "desk");
    assert_eq!(made["agent"], "@alice:localhost");

    unmark(&bot, &w.desk).await;
    w.server.stop();
    w.server.spawn();
    let deadline = Instant::now() + Duration::from_secs(30);
    while marker(&bot, &w.desk).await.is_none() {
        assert!(Instant::now() < deadline, "the old desk room was not marked at start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    unmark(&bot, &w.desk).await;
    w.server.stop();
    std::fs::remove_dir_all(w.server.storage()).unwrap();
    w.server.args = vec!["--adopt-account".into()];
    w.server.spawn();
    let new_desk = w.alice.wait_for_nth(WELCOME, 2).await.room;
    assert_ne!(new_desk, w.desk);
    w.alice.say(&w.desk, "!available").await;
    let pointer = w.alice.wait_for("smsdesk does not know this room").await;
    assert_eq!(pointer.room, w.desk);
    assert!(
        pointer.body.contains(&format!("https://matrix.to/#/{new_desk}")),
        "{}",
        pointer.body
    );
    bot_left(&w.alice, &w.desk).await;
    w.alice.say(&new_desk, "!available").await;
    let answer = w.alice.wait_for_nth("You are now available", 2).await;
    assert_eq!(answer.room, new_desk);
    w.server.stop();
}

/// Appservice mode (no sync: the bot lists `/joined_rooms` at start): with
/// the storage wiped and the account taken over, Alice's desk room is taken
/// up again, answers her `!available`, and her next offer arrives there.
#[tokio::test(flavor = "multi_thread")]
async fn in_appservice_mode_a_wiped_storage_takes_up_the_old_desk_room() {
    use common::matrix::Synapse;
    use common::{free_port, Server, Sim};

    let tmp = tempfile::tempdir().unwrap();
    let synapse = Synapse::start_persistent(tmp.path().join("synapse"));
    synapse.register("smsdesk", "bot-password");
    synapse.register("alice", "alice-password");
    let (port, sim_port) = (free_port(), free_port());
    let sim = Sim::start(sim_port, port);
    let dir = tmp.path().join("desk");
    std::fs::create_dir_all(&dir).unwrap();
    // Started in bot mode, then switched (the registration must exist
    // before Synapse loads it).
    let mut server = Server::start_with_matrix(&dir, port, &format!("http://127.0.0.1:{sim_port}"), &synapse.url());
    let http = reqwest::Client::new();
    let alice = User::login(&synapse.url(), "alice", "alice-password").await;
    let desk = alice.wait_for(WELCOME).await.room;
    server.stop();
    let config = std::fs::read_to_string(&server.config).unwrap();
    std::fs::write(
        &server.config,
        config.replace("password = \"bot-password\"", "mode = \"appservice\""),
    )
    .unwrap();
    crate::appservice::write_registration(&server.config);
    synapse.halt();
    synapse.load_appservice(dir.join("appservice.yaml"));
    synapse.boot();

    std::fs::remove_dir_all(server.storage()).unwrap();
    server.args = vec!["--adopt-account".into()];
    server.spawn();
    let back = alice.wait_for("this is still your desk room").await;
    assert_eq!(back.room, desk);
    alice.say(&desk, "!available").await;
    let answer = alice.wait_for("You are now available").await;
    assert_eq!(answer.room, desk);
    sim.text(&http, "+15557770009", "a customer after the wipe").await;
    let offer = alice.wait_for("customer +15557770009").await;
    assert_eq!(offer.room, desk);
    assert_eq!(alice.count(WELCOME), 1, "a second desk room was made");
    server.stop();
}

/// A room marker the bot did not set is not believed: Alice, who has the
/// power to send state in her desk room (as agents had in rooms made by an
/// older smsdesk), marks it as Bob's desk before a wipe. The bot does not
/// take her room for Bob's desk (his offers would reach her): Bob gets a
/// desk room of his own.
#[tokio::test(flavor = "multi_thread")]
async fn a_marker_forged_by_an_agent_does_not_make_her_room_someone_elses_desk() {
    let mut w = AliceAtWork::start().await;
    w.server.stop();
    let hs = w._synapse.url();
    let login: serde_json::Value = w
        .http
        .post(format!("{hs}/_matrix/client/v3/login"))
        .json(&serde_json::json!({
            "type": "m.login.password",
            "identifier": {"type": "m.id.user", "user": "smsdesk"},
            "password": "bot-password",
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bot = login["access_token"].as_str().unwrap().to_owned();
    let alice = w.alice.client.access_token().unwrap();
    let state = |kind: &str| format!("{hs}/_matrix/client/v3/rooms/{}/state/{kind}/", w.desk);
    // Alice at level 100 in her desk room, as in rooms of older versions.
    let mut levels: serde_json::Value = w
        .http
        .get(state("m.room.power_levels"))
        .bearer_auth(&bot)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    levels["users"]["@alice:localhost"] = 100.into();
    let put = w
        .http
        .put(state("m.room.power_levels"))
        .bearer_auth(&bot)
        .json(&levels)
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success());
    let mut marker: serde_json::Value = w
        .http
        .get(state("org.smsdesk.room"))
        .bearer_auth(&alice)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    marker["agent"] = "@bob:localhost".into();
    let put = w
        .http
        .put(state("org.smsdesk.room"))
        .bearer_auth(&alice)
        .json(&marker)
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success(), "Alice could not forge the marker");

    w._synapse.register("bob", "bob-password");
    let bob = User::login(&hs, "bob", "bob-password").await;
    std::fs::remove_dir_all(w.server.storage()).unwrap();
    w.server.args = vec!["--adopt-account".into()];
    w.server.spawn();
    let desk = bob.wait_for(WELCOME).await;
    assert_ne!(desk.room, w.desk, "Bob's desk is Alice's room");
    assert_eq!(
        w.alice.count("this is still your desk room"),
        0,
        "the forged marker was believed"
    );
    w.server.stop();
}
