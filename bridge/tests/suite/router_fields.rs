//! A 0.3.0 router that routes on what the intake bot learned, end to end:
//! a customer texts the Telnyx number, the menu bot asks and queues with
//! the field `topic = billing`, and the queue's `by-field` router offers
//! the conversation to Bob, who has the skill "billing", although Alice
//! (free, idle longer) would be the longest-available choice.

use crate::common;

use std::time::Duration;

use common::desk::AliceAtWork;
use common::matrix::User;
use common::{dist, TELNYX_ENTRY};

const POLL: Duration = Duration::from_millis(100);

fn by_field(config: String) -> String {
    config
        .replacen("name = \"Alice\"\n", "name = \"Alice\"\ncapacity = 3\n", 1)
        .replacen(
            "name = \"Bob\"\nqueues = [\"billing\"]\n",
            "name = \"Bob\"\nqueues = [\"billing\"]\nskills = [\"billing\"]\n",
            1,
        )
        .replacen(
            "wrapup_reasons = [\"Resolved\"]\n",
            &format!(
                "wrapup_reasons = [\"Resolved\"]\nrouter = \"{}\"\n[queues.router_settings]\nfield = \"topic\"\n",
                dist("router-by-field")
            ),
            1,
        )
        .replacen(
            "carrier = \"telnyx\"\nqueue = \"billing\"\nsend_rate = 50\n",
            &format!(
                "carrier = \"telnyx\"\nqueue = \"billing\"\nsend_rate = 50\nintake = \"{}\"\n\
                 [entry_points.intake_config]\nname = \"Acme\"\n",
                dist("intake-menu")
            ),
            1,
        )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_router_picks_the_agent_by_what_the_intake_bot_learned() {
    let w = AliceAtWork::boot_with(by_field, true, true, &[("bob", "bob-password")]).await;
    let bob = User::login(&w._synapse.url(), "bob", "bob-password").await;
    let bob_desk = bob.wait_for("This is your smsdesk desk").await.room;
    bob.say(&bob_desk, "!available").await;
    bob.wait_for("You are now available").await;

    let customer = "+15557770005";
    for (body, answer) in [
        ("hello", "Thanks for texting Acme! Reply 1 for billing, 2 for support."),
        ("1", "Please reply with your account number (digits only)."),
        ("4455667788", "Thanks! An agent will be with you shortly."),
    ] {
        let sent = w.sim.text_via(&w.http, "telnyx", customer, TELNYX_ENTRY, body).await;
        assert_eq!(sent["smsdesk_status"], 200, "{sent}");
        w.sim.wait_for_body(&w.http, answer, POLL).await;
    }
    // topic = billing: Bob has the skill; Alice, free and idle longer, does not.
    let offer = bob.wait_for("Offer #2").await;
    assert!(
        offer.body.contains("topic") && offer.body.contains("billing"),
        "{}",
        offer.body
    );
    assert_eq!(w.alice.count("Offer #2"), 0, "Alice was offered #2");
}
