//! End to end against a real Synapse (installed by scripts/synapse.sh into
//! .venv), the carrier simulator and `smsdesk run`: an agent in Matrix goes
//! available, gets the offer for a customer's SMS, accepts, sees the
//! history, replies (reaching the simulator, with the delivery shown as
//! reactions on her message), is refused a 1,001-character reply, holds a
//! conference, transfers to an agent who goes RONA, ends and wraps up; a
//! user not on the roster relays nothing; Synapse restarts mid-conversation.

use crate::common;

use std::time::{Duration, Instant};

use common::desk::AliceAtWork;
use common::matrix::{Synapse, User};
use common::*;
use matrix_sdk::ruma::events::relation::{Reply, Thread};
use matrix_sdk::ruma::events::room::message::{
    ImageMessageEventContent, MessageType, Relation, ReplacementMetadata, RoomMessageEventContent,
};
use matrix_sdk::ruma::OwnedRoomId;

const POLL: Duration = Duration::from_millis(100);

/// Offers posted (not their in-place edits, whose fallback body starts with "* ").
fn new_offers(user: &User) -> usize {
    user.seen().iter().filter(|s| s.body.starts_with("Offer #1")).count()
}

async fn wait_for_new_offer(user: &User, before: usize) {
    let deadline = Instant::now() + Duration::from_secs(40);
    while new_offers(user) <= before {
        assert!(Instant::now() < deadline, "no new offer; saw: {:#?}", user.seen());
        tokio::time::sleep(POLL).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_agent_handles_a_customer_from_matrix() {
    let mut day = agents_day(Mode::Bot(Synapse::start_persistent)).await;
    day.server.stop();
}

/// What `agents_day` leaves running, for a caller that looks further.
pub struct Day {
    /// Kept until the day is dropped: the directories and the simulator.
    pub _tmp: tempfile::TempDir,
    pub synapse: Synapse,
    pub _sim: Sim,
    pub server: Server,
    pub alice: User,
    pub desk: OwnedRoomId,
    /// The conversation's room (closed and left by the bot at the end).
    pub room: OwnedRoomId,
}

/// How the desk meets Matrix in `agents_day`.
#[derive(Clone, Copy)]
pub enum Mode {
    /// Bot mode, on the Synapse this starts.
    Bot(fn(std::path::PathBuf) -> Synapse),
    /// Appservice mode on a Synapse that encrypts every room: the bot's
    /// encrypting twin speaks in the rooms.
    EncryptedAppservice,
}

impl Mode {
    /// Who writes the desk's messages in its rooms.
    pub fn voice(self) -> &'static str {
        match self {
            Self::Bot(_) => "@smsdesk:localhost",
            Self::EncryptedAppservice => "@smsdesk_e2ee:localhost",
        }
    }
}

/// The agent's day with the desk in `mode`: available, offer, accept
/// with ✅, history, replies and what SMS cannot carry, no outsider, conference,
/// transfer and RONA, Synapse down mid-conversation, end and wrap-up
/// with 1️⃣.
pub async fn agents_day(mode: Mode) -> Day {
    let tmp = tempfile::tempdir().unwrap();
    let (port, sim_port) = (free_port(), free_port());
    let sim = Sim::start(sim_port, port);
    let dir = tmp.path().join("desk");
    std::fs::create_dir_all(&dir).unwrap();
    let api = format!("http://127.0.0.1:{sim_port}");
    let (synapse, config) = match mode {
        Mode::Bot(start) => {
            let synapse = start(tmp.path().join("synapse"));
            synapse.register("smsdesk", "bot-password");
            let config =
                common::config::server_config(port, &api, Some((&synapse.url(), "password = \"bot-password\"")));
            (synapse, config)
        }
        Mode::EncryptedAppservice => {
            let mut synapse = Synapse::unstarted(tmp.path().join("synapse"), true);
            synapse.encrypt_every_room();
            let config = common::config::server_config(port, &api, Some((&synapse.url(), "mode = \"appservice\"")));
            std::fs::write(dir.join("smsdesk.toml"), &config).unwrap();
            crate::appservice::write_registration(&dir.join("smsdesk.toml"));
            synapse.load_appservice(dir.join("appservice.yaml"));
            synapse.boot();
            (synapse, config)
        }
    };
    for (user, password) in [
        ("alice", "alice-password"),
        ("mallory", "mallory-password"),
        ("bob", "bob-password"),
        ("carol", "carol-password"),
    ] {
        synapse.register(user, password);
    }

    // The agents' clients are signed in before the desk starts: in an
    // encrypted room a device reads only what is sent after it exists.
    let alice = User::login(&synapse.url(), "alice", "alice-password").await;
    let bob = User::login(&synapse.url(), "bob", "bob-password").await;
    let carol = User::login(&synapse.url(), "carol", "carol-password").await;
    let server = Server::start_with_config(&dir, port, &config, None);

    let desk = alice.wait_for("This is your smsdesk desk").await.room;
    alice.say(&desk, "!available").await;
    alice.wait_for("You are now available").await;

    let http = reqwest::Client::new();
    let r = sim.text(&http, "+15557770001", "refund please").await;
    assert_eq!(r["smsdesk_status"], 200, "{r}");

    // The offer shows queue, customer, entry and its kind.
    let offer = alice.wait_for("Offer #1").await;
    assert_eq!(offer.room, desk);
    for needle in ["queue billing", "+15557770001", ENTRY, "long code", "!accept 1"] {
        assert!(offer.body.contains(needle), "offer lacks {needle}: {}", offer.body);
    }
    // While open, the offer's waiting time is edited in place (a replacement event).
    alice.wait_for("* Offer #1").await;
    // Accepted with the card's ✅ button (a reaction, also in an encrypted room).
    alice.react(&desk, &offer.event_id, "✅").await;
    let room = alice.wait_for("history so far").await.room;
    assert_ne!(room, desk);
    // The answered offer says so, instead of a stale "reply within N s".
    alice.wait_for("(long code) — accepted.").await;
    alice.wait_for("customer: refund please").await;

    step_replies_and_what_sms_cannot_carry(&alice, &room, &sim, &http, mode).await;
    step_no_outsider_and_live_lists(&synapse, &alice, &desk, &room).await;
    let bob_desk = step_conference(&bob, &alice, &room, &sim, &http).await;
    step_transfer_to_an_agent_who_goes_rona(&carol, &alice, &desk, &room, (&bob, &bob_desk)).await;

    // Synapse goes down mid-conversation: the customer's SMS is stored and reaches Alice once it is back.
    synapse.halt();
    let r = sim.text(&http, "+15557770001", "are you still there?").await;
    assert_eq!(r["smsdesk_status"], 200, "SMS intake must not depend on Matrix: {r}");
    synapse.boot();
    alice.wait_for("customer: are you still there?").await;

    alice.say(&room, "!end").await;
    let wrap_up = alice.wait_for("Wrap up by reacting").await;
    alice.react(&room, &wrap_up.event_id, "1️⃣").await;
    alice.wait_for("closed: Resolved").await;
    alice.wait_out_of(&room).await;

    let msgs = sim.messages(&http).await;
    assert!(
        !msgs.iter().any(|m| {
            let body = m["body"].as_str().unwrap_or("");
            body.starts_with("* ")
                || body.starts_with("> ")
                || body.contains("looking into it now")
                || body.contains("voucher")
        }),
        "an edit, a reply fallback or a note reached the customer: {msgs:?}"
    );
    assert!(!msgs.iter().any(|m| m["body"].as_str().unwrap_or("").len() > 1000));
    Day {
        _tmp: tmp,
        synapse,
        _sim: sim,
        server,
        alice,
        desk,
        room,
    }
}

/// Replies reach the carrier with their delivery shown; what SMS cannot
/// carry (an edit, a picture that cannot be downloaded, a number the
/// carrier refuses, a reply too long) is refused and said so.
async fn step_replies_and_what_sms_cannot_carry(
    alice: &User,
    room: &OwnedRoomId,
    sim: &Sim,
    http: &reqwest::Client,
    mode: Mode,
) {
    // A reply reaches the carrier, and its delivery shows on the agent's message.
    let reply = alice.say(room, "Hello from Alice, looking into it").await;
    sim.wait_for_body(http, "Hello from Alice, looking into it", POLL).await;
    let sent = alice.wait_for(&format!("reaction ✓ sent on {reply}")).await;
    assert_eq!(sent.sender, mode.voice());
    alice.wait_for(&format!("reaction ✅ delivered on {reply}")).await;
    // What Element and other clients send besides plain text: an edit is
    // refused (an SMS cannot change), a rich reply goes without its quoted
    // fallback, a picture that cannot be downloaded is refused (nothing sent).
    alice
        .send(
            room,
            RoomMessageEventContent::text_plain("Hello from Alice, looking into it now")
                .make_replacement(ReplacementMetadata::new(reply.clone(), None)),
        )
        .await;
    alice.wait_for("edits do not reach the customer").await;
    let customer = alice.wait_for("customer: refund please").await;
    let mut answer = RoomMessageEventContent::text_plain(format!(
        "> <{}> customer: refund please\n\nWhich order is it?",
        customer.sender
    ));
    answer.relates_to = Some(Relation::Reply(Reply::with_event_id(customer.event_id)));
    alice.send(room, answer).await;
    sim.wait_for_body(http, "Which order is it?", POLL).await;
    alice
        .send(
            room,
            RoomMessageEventContent::new(MessageType::Image(ImageMessageEventContent::plain(
                "receipt.png".into(),
                "mxc://localhost/receipt".into(),
            ))),
        )
        .await;
    alice
        .wait_for("Not sent: the file could not be downloaded from the homeserver")
        .await;
    // The carrier refuses the next one for good (not a valid number): ❌ on it, and the reason as a notice.
    let r = http
        .post(sim.url("/sim/faults"))
        .json(&serde_json::json!(["21211"]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let refused = alice.say(room, "Are you there?").await;
    alice.wait_for(&format!("reaction ❌ failed on {refused}")).await;
    let why = alice.wait_for("failed: ").await;
    assert!(why.body.contains("21211"), "{}", why.body);
    assert_eq!(alice.count(&format!("reaction ✓ sent on {refused}")), 0);

    // Too long: refused, nothing sent.
    alice.say(room, &"x".repeat(1_001)).await;
    alice.wait_for("reply too long: 1001 characters").await;
}

/// No outsider in the customer's room; the live lists answer.
async fn step_no_outsider_and_live_lists(synapse: &Synapse, alice: &User, desk: &OwnedRoomId, room: &OwnedRoomId) {
    // Alice cannot bring Mallory, who is not on the roster, into the
    // customer's room: only the bot invites (room_guard.rs has the rest).
    let mallory = User::login(&synapse.url(), "mallory", "mallory-password").await;
    let invited = alice
        .joined(room)
        .await
        .invite_user_by_id(mallory.client.user_id().unwrap())
        .await;
    assert!(invited.is_err(), "an agent invited an outsider");

    // Live lists for picking transfer and conference targets.
    alice.say(desk, "!status").await;
    alice.wait_for("#1 +15557770001 · billing · active").await;
    alice.say(room, "!queues").await;
    alice.wait_for("billing: 0 waiting").await;
    alice.say(room, "!help transfer").await;
    alice.wait_for("Works in a conversation room.").await;
}

/// Bob's desk.
async fn step_conference(
    bob: &User,
    alice: &User,
    room: &OwnedRoomId,
    sim: &Sim,
    http: &reqwest::Client,
) -> OwnedRoomId {
    // Conference: Bob joins, writes to the customer, the conference ends.
    let bob_desk = bob.wait_for("This is your smsdesk desk").await.room;
    bob.say(&bob_desk, "!available").await;
    bob.wait_for("You are now available").await;
    alice.say(room, "!agents bo").await;
    alice.wait_for("@bob:localhost Bob").await;
    alice.say(room, "!conference @bob:localhost").await;
    let invitation = bob
        .wait_for("Offer #1 (conference: @alice:localhost invites you)")
        .await;
    assert!(invitation.body.contains("customer +15557770001"), "{}", invitation.body);
    bob.say(&bob_desk, "!accept 1").await;
    bob.wait_for("invites you): queue billing, customer +15557770001, to +15550001111 (long code) — accepted.")
        .await;
    alice.wait_for("@bob:localhost joined the conference").await;
    let said = bob.say(room, "Bob here, I can help too").await;
    sim.wait_for_body(http, "Bob here, I can help too", POLL).await;
    // A reply in a thread is a note for Alice, never for the customer.
    let mut note = RoomMessageEventContent::text_plain("offer her the voucher");
    note.relates_to = Some(Relation::Thread(Thread::plain(said.clone(), said)));
    let note = bob.send(room, note).await;
    bob.wait_for(&format!("reaction 📝 on {note}")).await;
    alice.say(room, "!endconf").await;
    alice.wait_for("@bob:localhost left the conference").await;
    // The room follows who holds the conversation: Bob is out of it.
    bob.wait_out_of(room).await;
    bob_desk
}

async fn step_transfer_to_an_agent_who_goes_rona(
    carol: &User,
    alice: &User,
    desk: &OwnedRoomId,
    room: &OwnedRoomId,
    (bob, bob_desk): (&User, &OwnedRoomId),
) {
    // Transfer to Carol, who never answers: she goes RONA, the conversation goes back to its queue and is offered again.
    let carol_desk = carol.wait_for("This is your smsdesk desk").await.room;
    carol.say(&carol_desk, "!available").await;
    carol.wait_for("You are now available").await;
    bob.say(bob_desk, "!idle").await; // keep Bob out of routing for this part
    let offers_before = new_offers(alice);
    alice.say(room, "!transfer @carol:localhost").await;
    let offer = carol.wait_for("Offer #1 (transfer from @alice:localhost)").await;
    assert!(offer.body.contains("!accept 1"), "{}", offer.body);
    alice.wait_out_of(room).await;
    carol.wait_for("you are now RONA").await;
    carol.wait_for("— not answered in time.").await;
    wait_for_new_offer(alice, offers_before).await;
    alice.say(desk, "!accept 1").await;
    alice.wait_for("@alice:localhost now owns this conversation").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_bot_logs_in_with_an_access_token_and_agents_sign_off() {
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
    let alice = User::login(&synapse.url(), "alice", "alice-password").await;
    let desk = alice.wait_for("This is your smsdesk desk").await.room;

    // Leaving the desk room means no offers: Alice goes offline and is invited back.
    alice.say(&desk, "!available").await;
    alice.wait_for("You are now available").await;
    alice.joined(&desk).await.leave().await.unwrap();
    alice.wait_for("You left your desk room, so you are offline").await;
    alice.wait_for("You are now offline").await;
    // Back in (her client joins the invitation), she signs on and off by command.
    alice.say(&desk, "!available").await;
    alice.wait_for_nth("You are now available", 2).await;
    alice.say(&desk, "!offline").await;
    alice.wait_for_nth("You are now offline", 2).await;

    // She leaves again and rejects the invitation back: it is not re-sent
    // (no invite loop). Inviting the bot anywhere gets it back.
    alice.auto_join.store(false, std::sync::atomic::Ordering::SeqCst);
    alice.joined(&desk).await.leave().await.unwrap();
    alice.wait_invited(&desk).await.leave().await.unwrap();
    alice.wait_out_of(&desk).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_ne!(
        alice.client.get_room(&desk).map(|r| r.state()),
        Some(matrix_sdk::RoomState::Invited),
        "the bot invited her again after she rejected it"
    );
    let mut ask = matrix_sdk::ruma::api::client::room::create_room::v3::Request::new();
    ask.invite = vec!["@smsdesk:localhost".try_into().unwrap()];
    alice.client.create_room(ask).await.unwrap();
    alice.wait_invited(&desk).await.join().await.unwrap();
    alice.say(&desk, "!status").await;
    alice.wait_for("You are offline").await;
    server.stop();
}

/// The bot saves its sync token after handling a batch; a crash in between
/// hands the same Matrix events in again at the next start. Simulated here
/// by putting an older token back while smsdesk is stopped: the replayed
/// reply must not reach the customer twice.
#[tokio::test(flavor = "multi_thread")]
async fn rooms_stay_readable_and_follow_a_transfer_to_a_queue() {
    use matrix_sdk::ruma::events::room::encryption::RoomEncryptionEventContent;

    let mut w = AliceAtWork::start().await;
    for r in [&w.desk, &w.room] {
        let refused = w
            .alice
            .joined(r)
            .await
            .send_state_event(RoomEncryptionEventContent::with_recommended_defaults())
            .await;
        assert!(refused.is_err(), "an agent turned on encryption in {r}");
    }
    w.alice.say(&w.room, "!transfer support").await;
    w.alice.wait_for("transferred the conversation to queue support").await;
    w.alice.wait_out_of(&w.room).await;
    let name = w.alice.client.get_room(&w.room).and_then(|r| r.name());
    assert_eq!(name.as_deref(), Some("+15557770001 · support"));
    w.server.stop();
}

/// An open offer's card keeps its waiting time current across a restart,
/// and is closed with its outcome afterwards.
#[tokio::test(flavor = "multi_thread")]
async fn one_action_gets_one_answer() {
    let mut w = AliceAtWork::start().await;
    let bot = "@smsdesk:localhost";
    // Bot messages in a room that are not card edits.
    let notices = |room: &matrix_sdk::ruma::OwnedRoomId| -> Vec<String> {
        w.alice
            .seen()
            .iter()
            .filter(|s| {
                &s.room == room && s.sender == bot && !s.body.starts_with("* ") && !s.body.starts_with("reaction ")
            })
            .map(|s| s.body.clone())
            .collect()
    };
    w.alice.wait_for("(long code) — accepted.").await;
    // A marker: the answer to a later command arrives after anything the
    // accept could have posted.
    w.alice.say(&w.desk, "!status").await;
    w.alice.wait_for("conversation(s) in use").await;
    let desk = notices(&w.desk);
    assert_eq!(
        desk.iter().filter(|n| n.starts_with("You are now available")).count(),
        1,
        "{desk:#?}"
    );
    assert_eq!(
        desk.len(),
        4,
        "welcome, available, the offer card, the status answer: {desk:#?}"
    );
    w.alice.say(&w.room, "!end").await;
    w.alice.wait_for("Wrap up by reacting").await;
    w.alice.say(&w.room, "!wrapup 1").await;
    w.alice.wait_for("closed: Resolved").await;
    w.alice.wait_out_of(&w.room).await;
    let room = notices(&w.room);
    assert_eq!(
        room.iter().filter(|n| n.contains("closed: Resolved")).count(),
        1,
        "{room:#?}"
    );
    assert_eq!(
        room.iter().filter(|n| n.contains("Wrap up by reacting")).count(),
        1,
        "{room:#?}"
    );
    w.server.stop();
}

/// An older smsdesk kept the bot's store beside `storage.path`; the
/// operator wipes `storage.path` (as docs/operator-guide.md says) and starts again.
/// The old bot store is moved in, found to belong to another event log,
/// rebuilt, and the bot posts the new customer's offer at once.
#[tokio::test(flavor = "multi_thread")]
async fn stop_mid_conversation_refuses_replies_until_start_and_segments_are_shown() {
    let w = AliceAtWork::start().await;
    // A reply that needs UCS-2 says so on her message, before it is sent.
    let emoji = w.alice.say(&w.room, "Glad to help 😀").await;
    w.alice
        .wait_for(&format!("reaction 📏 1 segment · UCS-2 on {emoji}"))
        .await;
    w.alice.wait_for(&format!("reaction ✓ sent on {emoji}")).await;
    // The customer texts STOP: it is shown like any SMS, then the opt-out.
    w.sim.text(&w.http, "+15557770001", "STOP").await;
    w.alice.wait_for("customer: STOP").await;
    let notice = w.alice.wait_for("+15557770001 opted out of texts from").await;
    assert_eq!(notice.room, w.room);
    w.alice.wait_for("Your replies are refused from now on").await;
    // Her next reply is refused, with why and since when; nothing reaches the carrier.
    w.alice.say(&w.room, "are you still there?").await;
    let refusal = w.alice.wait_for("not sent: +15557770001 opted out").await;
    assert!(refusal.body.contains("(texted STOP)"), "{}", refusal.body);
    // Give a wrongly accepted reply time to reach the simulator.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let sent = w.sim.messages(&w.http).await;
    assert!(
        !sent.iter().any(|m| m["body"] == "are you still there?"),
        "the simulator got a reply for an opted-out customer: {sent:#?}"
    );
    // START lifts it: the next reply goes out.
    w.sim.text(&w.http, "+15557770001", "START").await;
    w.alice.wait_for("opted back in").await;
    w.alice.say(&w.room, "welcome back").await;
    w.sim.wait_for_body(&w.http, "welcome back", POLL).await;
}
