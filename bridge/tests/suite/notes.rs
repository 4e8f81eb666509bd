//! Internal notes against Synapse: a message in a thread of the
//! conversation room (and `!note`) is for colleagues only. In a conference
//! Bob's thread reply never reaches the carrier while his main-timeline
//! reply does; a note is confirmed with 📝, quietly; after a transfer
//! Carol reads Alice's notes in the history; the export marks them.

use crate::common;

use std::time::Duration;

use common::desk::AliceAtWork;
use common::matrix::User;
use matrix_sdk::ruma::events::relation::Thread;
use matrix_sdk::ruma::events::room::message::{Relation, RoomMessageEventContent};
use matrix_sdk::ruma::{OwnedEventId, OwnedRoomId};

const POLL: Duration = Duration::from_millis(100);

/// `text` as a reply in the thread that starts at `root`.
async fn in_thread(user: &User, room: &OwnedRoomId, root: &OwnedEventId, text: &str) -> OwnedEventId {
    let mut content = RoomMessageEventContent::text_plain(text);
    content.relates_to = Some(Relation::Thread(Thread::plain(root.clone(), root.clone())));
    user.send(room, content).await
}

#[tokio::test(flavor = "multi_thread")]
async fn notes_stay_among_agents_and_follow_the_conversation() {
    let w = AliceAtWork::boot_with(
        |config| config,
        false,
        true,
        &[("bob", "bob-password"), ("carol", "carol-password")],
    )
    .await;
    let (alice, room, sim, http) = (&w.alice, &w.room, &w.sim, &w.http);
    let synapse = w._synapse.url();
    let bob = User::login(&synapse, "bob", "bob-password").await;
    let carol = User::login(&synapse, "carol", "carol-password").await;

    // Alice answers the customer, then starts a thread on her own answer.
    let answer = alice.say(room, "Let me check your order").await;
    sim.wait_for_body(http, "Let me check your order", POLL).await;
    let note = in_thread(alice, room, &answer, "order 4411 is delayed at the warehouse").await;
    alice.wait_for(&format!("reaction 📝 on {note}")).await;
    let typed = alice.say(room, "!note customer prefers email\nafter 5pm").await;
    alice.wait_for(&format!("reaction 📝 on {typed}")).await;

    // Bob in a conference: his thread reply is a note, his main reply goes out.
    let bob_desk = bob.wait_for("This is your smsdesk desk").await.room;
    bob.say(&bob_desk, "!available").await;
    bob.wait_for("You are now available").await;
    alice.say(room, "!conference @bob:localhost").await;
    bob.wait_for("Offer #1 (conference").await;
    bob.say(&bob_desk, "!accept 1").await;
    alice.wait_for("@bob:localhost joined the conference").await;
    let bobs_note = in_thread(&bob, room, &answer, "I can offer a voucher if needed").await;
    bob.wait_for(&format!("reaction 📝 on {bobs_note}")).await;
    bob.say(room, "Bob here, I can help too").await;
    sim.wait_for_body(http, "Bob here, I can help too", POLL).await;
    alice.say(room, "!endconf").await;
    alice.wait_for("@bob:localhost left the conference").await;

    // Transfer to Carol: she is shown the notes so far.
    let carol_desk = carol.wait_for("This is your smsdesk desk").await.room;
    carol.say(&carol_desk, "!available").await;
    carol.wait_for("You are now available").await;
    alice.say(room, "!transfer @carol:localhost").await;
    carol.wait_for("Offer #1 (transfer from @alice:localhost)").await;
    carol.say(&carol_desk, "!accept 1").await;
    let history = carol.wait_for("notes so far (never sent to the customer)").await;
    for note in [
        "📝 @alice:localhost (note, not sent): order 4411 is delayed at the warehouse",
        "📝 @alice:localhost (note, not sent): customer prefers email\nafter 5pm",
        "📝 @bob:localhost (note, not sent): I can offer a voucher if needed",
    ] {
        assert!(history.body.contains(note), "{note:?} not in {}", history.body);
    }

    // Nothing of a note ever reached the carrier.
    let sent: Vec<String> = sim
        .messages(http)
        .await
        .iter()
        .filter_map(|m| m["body"].as_str().map(str::to_owned))
        .collect();
    for secret in ["warehouse", "email", "voucher", "!note"] {
        assert!(
            !sent.iter().any(|b| b.contains(secret)),
            "{secret:?} reached the carrier: {sent:?}"
        );
    }
    // The bot confirmed each note with a reaction, never with a message
    // (Alice left the room before the notes were shown to Carol).
    assert_eq!(alice.count("(note, not sent)"), 0, "a note was echoed as a message");
}
