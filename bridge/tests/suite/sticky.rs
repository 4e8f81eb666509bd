//! Sticky routing against Synapse (`queues[].sticky`): a customer who texts
//! again within the window is offered to the agent who last handled them,
//! with a card that says so and a history that starts with their last
//! conversation; when that agent is available but full, the conversation
//! waits `sticky_wait` for her and then goes to another agent, whose card
//! names the last agent.

use crate::common;

use std::time::{Duration, Instant};

use common::desk::AliceAtWork;
use common::matrix::User;

const STICKY: &str = "offer_timeout = \"8s\"\nsticky = \"24h\"\nsticky_wait = \"5s\"";

#[tokio::test(flavor = "multi_thread")]
async fn a_returning_customer_goes_back_to_their_last_agent_or_after_the_wait_to_another() {
    let w = AliceAtWork::boot_with(
        |config| config.replace("offer_timeout = \"8s\"", STICKY),
        true,
        true,
        &[("bob", "bob-password")],
    )
    .await;
    let (alice, sim, http) = (&w.alice, &w.sim, &w.http);
    let bob = User::login(&w._synapse.url(), "bob", "bob-password").await;
    let bob_desk = bob.wait_for("This is your smsdesk desk").await.room;
    bob.say(&bob_desk, "!available").await;
    bob.wait_for("You are now available").await;

    // Alice closes #1 with +15557770001.
    wrap_up(alice, &w.room, 1).await;

    // Both are free; Bob has waited longest, yet the customer's next text
    // goes to Alice, who last handled them, and says so.
    sim.text(http, "+15557770001", "it's me again").await;
    let offer = alice.wait_for("Offer #2").await;
    assert!(
        offer
            .body
            .contains("Offer #2 (returning customer, last handled by you on "),
        "{}",
        offer.body
    );
    alice.say(&w.desk, "!accept 2").await;
    let history = alice.wait_for_nth("history so far", 2).await;
    assert!(
        history
            .body
            .contains("Returning customer: their last conversation #1 closed on")
            && history.body.contains("(wrap-up: Resolved)")
            && history.body.contains("/supervisor/export?conversation=1&format=csv"),
        "{}",
        history.body
    );
    let a2 = history.room.clone();
    alice.joined(&a2).await;
    assert_eq!(bob.count("Offer #2"), 0, "Bob was offered Alice's returning customer");

    // Another customer goes to Bob (Alice is full); Alice ends #2, takes a
    // third customer, and Bob ends his: Alice is now full, Bob free.
    sim.text(http, "+15557770002", "new here").await;
    bob.wait_for("Offer #3").await;
    bob.say(&bob_desk, "!accept 3").await;
    let b3 = bob.wait_for("history so far").await.room;
    bob.joined(&b3).await;
    wrap_up(alice, &a2, 2).await;
    sim.text(http, "+15557770003", "hello").await;
    alice.wait_for("Offer #4").await;
    alice.say(&w.desk, "!accept 4").await;
    alice.joined(&alice.wait_for_nth("history so far", 3).await.room).await;
    wrap_up(&bob, &b3, 1).await;

    // +15557770001 again: Alice is available but full, so it waits for her
    // (sticky_wait, 5 s), then goes to Bob, whose card names Alice.
    let sent = Instant::now();
    sim.text(http, "+15557770001", "anyone?").await;
    let offer = bob.wait_for("Offer #5").await;
    let waited = offer.at - sent;
    assert!(
        waited >= Duration::from_secs(4),
        "offered to Bob after {waited:?}, without waiting for Alice"
    );
    assert!(
        offer
            .body
            .contains("returning customer, last handled by @alice:localhost on "),
        "{}",
        offer.body
    );
    assert_eq!(alice.count("Offer #5"), 0, "Alice, full, was offered #5");
}

/// `who` ends the conversation in `room` and wraps it up (their `n`th).
async fn wrap_up(who: &User, room: &matrix_sdk::ruma::OwnedRoomId, n: usize) {
    who.say(room, "!end").await;
    who.wait_for_nth("Wrap up by reacting", n).await;
    who.say(room, "!wrapup 1").await;
    who.wait_for_nth("closed: Resolved", n).await;
}
