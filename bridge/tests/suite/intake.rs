//! The intake bot end to end (examples/plugins/guide/intake.md): the menu bot on the Telnyx
//! entry point talks with a new customer before the conversation is
//! queued — a wrong answer is asked again, the choice picks the queue, the
//! account number becomes a field — and the offer card and the room show
//! what it collected and what was said; a customer who goes quiet is queued
//! anyway once `intake_timeout` has passed.

use crate::common;

use std::time::Duration;

use common::desk::AliceAtWork;
use common::{dist, TELNYX_ENTRY};

const POLL: Duration = Duration::from_millis(100);

/// Alice takes up to three conversations, and the Telnyx number has the menu bot.
fn with_menu_bot(config: String) -> String {
    config
        .replacen("name = \"Alice\"\n", "name = \"Alice\"\ncapacity = 3\n", 1)
        .replacen(
            "carrier = \"telnyx\"\nqueue = \"billing\"\nsend_rate = 50\n",
            &format!(
                "carrier = \"telnyx\"\nqueue = \"billing\"\nsend_rate = 50\nintake = \"{}\"\nintake_timeout = \"4s\"\n\
                 [entry_points.intake_config]\nname = \"Acme\"\nqueue_2 = \"support\"\n",
                dist("intake-menu")
            ),
            1,
        )
}

#[tokio::test(flavor = "multi_thread")]
async fn the_menu_bot_picks_the_queue_re_asks_and_its_fields_reach_the_offer() {
    let mut w = AliceAtWork::start().await;
    w.reconfigure(with_menu_bot);
    let customer = "+15557770005";
    let text = |body: &'static str| {
        let (sim, http) = (&w.sim, &w.http);
        async move {
            let answer = sim.text_via(http, "telnyx", customer, TELNYX_ENTRY, body).await;
            assert_eq!(answer["smsdesk_status"], 200, "{answer}");
        }
    };
    text("hello").await;
    w.sim
        .wait_for_body(
            &w.http,
            "Thanks for texting Acme! Reply 1 for billing, 2 for support.",
            POLL,
        )
        .await;
    text("7").await;
    w.sim
        .wait_for_body(&w.http, "Sorry, please reply 1 for billing or 2 for support.", POLL)
        .await;
    text("1").await;
    w.sim
        .wait_for_body(&w.http, "Please reply with your account number (digits only).", POLL)
        .await;
    text("12ab").await;
    w.sim
        .wait_for_body(
            &w.http,
            "Account numbers are digits only (4 to 12). Please try again.",
            POLL,
        )
        .await;
    // No offer while the bot talks.
    assert_eq!(w.alice.count("Offer #2"), 0);
    text("4455667788").await;
    w.sim
        .wait_for_body(&w.http, "Thanks! An agent will be with you shortly.", POLL)
        .await;
    // Every bot text went out through Telnyx, from the entry number, to the customer.
    let sent = w.sim.messages(&w.http).await;
    let bot: Vec<_> = sent.iter().filter(|m| m["to"] == customer).collect();
    assert_eq!(bot.len(), 5, "{sent:?}");
    assert!(bot
        .iter()
        .all(|m| m["carrier"] == "telnyx" && m["from"] == TELNYX_ENTRY));

    let card = w.alice.wait_for("Offer #2").await;
    assert!(card.body.contains("queue billing"), "{}", card.body);
    assert!(
        card.body.contains("topic: billing, account: 4455667788"),
        "{}",
        card.body
    );
    assert!(
        card.html.as_deref().unwrap_or("").contains("<td>4455667788</td>"),
        "{:?}",
        card.html
    );
    w.alice.say(&w.desk, "!accept 2").await;
    // The room shows the talk with the bot and what it collected.
    let history = w.alice.wait_for("Conversation #2 — history so far").await;
    for line in [
        "customer: hello",
        "smsdesk (intake bot): Thanks for texting Acme! Reply 1 for billing, 2 for support.",
        "customer: 7",
        "customer: 12ab",
        "intake done: queued in billing (topic: billing, account: 4455667788)",
    ] {
        assert!(history.body.contains(line), "{line:?} in {}", history.body);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_silent_customer_is_queued_once_the_intake_timeout_passes() {
    let mut w = AliceAtWork::start().await;
    w.reconfigure(with_menu_bot);
    w.sim
        .text_via(&w.http, "telnyx", "+15557770006", TELNYX_ENTRY, "hi")
        .await;
    w.sim
        .wait_for_body(
            &w.http,
            "Thanks for texting Acme! Reply 1 for billing, 2 for support.",
            POLL,
        )
        .await;
    // The customer says nothing more; after 4 s the conversation is queued anyway.
    let card = w.alice.wait_for("Offer #2").await;
    assert!(card.body.contains("customer +15557770006"), "{}", card.body);
    w.alice.say(&w.desk, "!accept 2").await;
    let history = w.alice.wait_for("Conversation #2 — history so far").await;
    assert!(
        history
            .body
            .contains("intake: the customer did not answer in time; queued in billing"),
        "{}",
        history.body
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hostile_bot_is_contained_and_the_conversation_still_reaches_an_agent() {
    let mut w = AliceAtWork::start().await;
    w.reconfigure(|config| with_menu_bot(config).replace(&dist("intake-menu"), &dist("intake-hostile")));
    // The bot loops forever on this SMS: its CPU budget stops it, and the
    // conversation goes to the entry point's queue.
    w.sim
        .text_via(&w.http, "telnyx", "+15557770007", TELNYX_ENTRY, "loop")
        .await;
    let card = w.alice.wait_for("Offer #2").await;
    assert!(card.body.contains("customer +15557770007"), "{}", card.body);
    // The server kept serving: a Twilio customer still gets through.
    w.sim.text(&w.http, "+15557770008", "still there?").await;
    w.alice.wait_for("Offer #3").await;
    w.alice.say(&w.desk, "!accept 2").await;
    let history = w.alice.wait_for("Conversation #2 — history so far").await;
    assert!(
        history
            .body
            .contains("intake failed (plugin intake:+18885550100 (intake-hostile.wasm) ran out of its CPU budget"),
        "{}",
        history.body
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn with_masking_the_customers_number_given_to_the_bot_is_masked_on_the_card_and_in_the_room() {
    let mut w = AliceAtWork::start().await;
    w.reconfigure(|config| {
        with_menu_bot(config).replace("[supervisor]\n", "[supervisor]\nmask_customer_numbers = true\n")
    });
    let customer = "+15557770005";
    let masked = "+1 555-***-0005";
    for (body, answer) in [
        ("hello", "Thanks for texting Acme! Reply 1 for billing, 2 for support."),
        ("1", "Please reply with your account number (digits only)."),
        // The customer gives their own number as the account number.
        ("5557770005", "Thanks! An agent will be with you shortly."),
    ] {
        let sent = w.sim.text_via(&w.http, "telnyx", customer, TELNYX_ENTRY, body).await;
        assert_eq!(sent["smsdesk_status"], 200, "{sent}");
        w.sim.wait_for_body(&w.http, answer, POLL).await;
    }
    let card = w.alice.wait_for("Offer #2").await;
    assert!(
        card.body.contains(&format!("customer {masked}")) && card.body.contains(&format!("account: {masked}")),
        "{}",
        card.body
    );
    assert!(
        card.html
            .as_deref()
            .unwrap_or("")
            .contains(&format!("<td>{masked}</td>")),
        "{:?}",
        card.html
    );
    w.alice.say(&w.desk, "!accept 2").await;
    let history = w.alice.wait_for("Conversation #2 — history so far").await;
    for line in [
        format!("customer: {masked}"),
        format!("intake done: queued in billing (topic: billing, account: {masked})"),
    ] {
        assert!(history.body.contains(&line), "{line:?} in {}", history.body);
    }
    // The customer says it once more, in the room.
    w.sim
        .text_via(&w.http, "telnyx", customer, TELNYX_ENTRY, "it is 555-777-0005")
        .await;
    w.alice.wait_for(&format!("customer: it is {masked}")).await;
    // Nowhere Alice looks holds the number, in any format.
    for seen in w.alice.seen() {
        let digits: String = seen.body.chars().filter(char::is_ascii_digit).collect();
        let html: String = seen
            .html
            .unwrap_or_default()
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        assert!(
            !digits.contains("5557770005") && !html.contains("5557770005"),
            "{}",
            seen.body
        );
    }
}
