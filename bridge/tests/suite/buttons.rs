//! Reactions as buttons, end to end against Synapse (docs/agent-guide.md): ✅
//! accepts and ❌ declines an offer card, 2️⃣ picks the second wrap-up
//! reason, a stranger's ✅ does nothing, and a ✅ on a card that is no longer
//! open is told what became of the offer.

use crate::common;

use std::time::{Duration, Instant};

use common::desk::AliceAtWork;
use common::matrix::User;
use matrix_sdk::ruma::OwnedEventId;

/// The bot's own ✅ and ❌ on a card: the buttons are there.
async fn buttons_on(user: &User, card: &OwnedEventId) {
    user.wait_for(&format!("reaction ✅ on {card}")).await;
    user.wait_for(&format!("reaction ❌ on {card}")).await;
}

/// The newest card posted for conversation 1 other than `not`.
async fn next_card(user: &User, not: &OwnedEventId) -> OwnedEventId {
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let card = user
            .seen()
            .into_iter()
            .rev()
            .find(|s| s.body.starts_with("Offer #1") && s.body.contains("React ✅") && &s.event_id != not)
            .map(|s| s.event_id);
        if let Some(card) = card {
            return card;
        }
        assert!(Instant::now() < deadline, "no new card; saw {:#?}", user.seen());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_check_mark_accepts_and_no_stranger_can_be_brought_in_to_press_one() {
    let w = AliceAtWork::offered("30s").await;
    let seen = w.alice.wait_for("Offer #1").await;
    // The card is HTML too (a table), saying the same as its plain body.
    let html = seen.html.clone().unwrap_or_default();
    assert!(html.starts_with("<p><b>Offer #1</b></p><table>"), "{html}");
    assert!(
        html.contains("<td>+15557770001</td>") && html.contains("<td>billing</td>"),
        "{html}"
    );
    let card = seen.event_id;
    buttons_on(&w.alice, &card).await;
    // Mallory, not on the roster, cannot be brought into Alice's desk room
    // to press ✅: only the bot invites there (and a joiner without a role
    // would be removed, see room_guard).
    w._synapse.register("mallory", "mallory-password");
    let room = w.alice.joined(&w.desk).await;
    let refused = room
        .invite_user_by_id(&matrix_sdk::ruma::owned_user_id!("@mallory:localhost"))
        .await;
    assert!(refused.is_err(), "Alice could invite a stranger to press ✅");
    assert_eq!(w.alice.count("history so far"), 0);
    // Alice's ✅ accepts: the card says so and the conversation room opens.
    w.alice.react(&w.desk, &card, "✅").await;
    w.alice.wait_for("history so far").await;
    w.alice.wait_for("— accepted.").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_late_check_mark_is_told_what_happened_and_a_cross_declines() {
    let w = AliceAtWork::offered("6s").await;
    let card = w.alice.wait_for("Offer #1").await.event_id;
    buttons_on(&w.alice, &card).await;
    w.alice.wait_for("— not answered in time.").await;
    w.alice.react(&w.desk, &card, "✅").await;
    w.alice
        .wait_for("Offer #1 is no longer open: not answered in time.")
        .await;
    // Back from RONA, the conversation is offered to her again; ❌ declines it.
    w.alice.say(&w.desk, "!available").await;
    let again = next_card(&w.alice, &card).await;
    buttons_on(&w.alice, &again).await;
    w.alice.react(&w.desk, &again, "❌").await;
    w.alice.wait_for("— declined.").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_number_picks_the_wrapup_reason() {
    let mut w = AliceAtWork::start().await;
    w.reconfigure(|c| {
        c.replace(
            "wrapup_reasons = [\"Resolved\"]",
            "wrapup_reasons = [\"Resolved\", \"Follow-up needed\"]",
        )
    });
    w.alice.say(&w.room, "!end").await;
    let list = w.alice.wait_for("Wrap up by reacting").await.event_id;
    w.alice.wait_for(&format!("reaction 1️⃣ on {list}")).await;
    w.alice.wait_for(&format!("reaction 2️⃣ on {list}")).await;
    w.alice.react(&w.room, &list, "2️⃣").await;
    w.alice.wait_for("closed: Follow-up needed").await;
}
