//! Two carriers at once, end to end (docs/configuration.md, `carriers[]`): Twilio and Telnyx are
//! both configured, each with its own entry point; a customer texts through
//! each, both conversations reach Alice in Matrix, and each reply leaves
//! through the carrier its conversation came in on, with that carrier's
//! own authentication (the simulator refuses any other), and each
//! carrier's signed delivery reports reach the agent's message.

use crate::common;

use std::time::Duration;

use common::desk::AliceAtWork;
use common::{ENTRY, TELNYX_ENTRY};

const POLL: Duration = Duration::from_millis(100);

fn with_capacity_two(config: String) -> String {
    config.replacen("name = \"Alice\"\n", "name = \"Alice\"\ncapacity = 2\n", 1)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_sms_through_each_carrier_reaches_alice_and_each_reply_leaves_through_its_own() {
    // Alice is already talking with +15557770001, who texted through Twilio;
    // she can take two conversations at once.
    let mut w = AliceAtWork::start().await;
    w.reconfigure(with_capacity_two);
    let answer = w
        .sim
        .text_via(&w.http, "telnyx", "+15557770002", TELNYX_ENTRY, "hello through telnyx")
        .await;
    assert_eq!(answer["smsdesk_status"], 200, "{answer}");
    w.alice.wait_for("Offer #2").await;
    w.alice.say(&w.desk, "!accept 2").await;
    let telnyx_room = w.alice.wait_for("customer: hello through telnyx").await.room;
    assert_ne!(telnyx_room, w.room);
    w.alice.joined(&telnyx_room).await;

    let twilio_reply = w.alice.say(&w.room, "reply through twilio").await;
    let telnyx_reply = w.alice.say(&telnyx_room, "reply through telnyx").await;
    w.sim.wait_for_body(&w.http, "reply through twilio", POLL).await;
    w.sim.wait_for_body(&w.http, "reply through telnyx", POLL).await;
    let sent = w.sim.messages(&w.http).await;
    let find = |body: &str| sent.iter().find(|m| m["body"] == body).unwrap().clone();
    let twilio = find("reply through twilio");
    assert_eq!(
        (
            twilio["carrier"].as_str(),
            twilio["from"].as_str(),
            twilio["to"].as_str()
        ),
        (Some("twilio"), Some(ENTRY), Some("+15557770001"))
    );
    assert!(twilio["sid"].as_str().unwrap().starts_with("SM"));
    let telnyx = find("reply through telnyx");
    assert_eq!(
        (
            telnyx["carrier"].as_str(),
            telnyx["from"].as_str(),
            telnyx["to"].as_str()
        ),
        (Some("telnyx"), Some(TELNYX_ENTRY), Some("+15557770002"))
    );
    // Each carrier's signed status callbacks were verified and recorded.
    w.alice
        .wait_for(&format!("reaction ✅ delivered on {twilio_reply}"))
        .await;
    w.alice
        .wait_for(&format!("reaction ✅ delivered on {telnyx_reply}"))
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_telnyx_opt_out_answer_opts_the_customer_out_and_is_never_retried() {
    let mut w = AliceAtWork::start().await;
    w.reconfigure(with_capacity_two);
    w.sim
        .text_via(&w.http, "telnyx", "+15557770003", TELNYX_ENTRY, "hi via telnyx")
        .await;
    w.alice.wait_for("Offer #2").await;
    w.alice.say(&w.desk, "!accept 2").await;
    let room = w.alice.wait_for("customer: hi via telnyx").await.room;
    w.alice.joined(&room).await;
    // The customer texted STOP to Telnyx itself: Telnyx answers 40300.
    w.sim.faults(&w.http, serde_json::json!(["40300"])).await;
    w.alice.say(&room, "are you there?").await;
    w.alice.wait_for("40300").await;
    // The pair is opted out here too: the next reply is refused before the outbox.
    w.alice.say(&room, "hello again").await;
    w.alice.wait_for("not sent: +15557770003 opted out").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let sent = w.sim.messages(&w.http).await;
    assert!(
        sent.iter()
            .all(|m| m["body"] != "are you there?" && m["body"] != "hello again"),
        "{sent:?}"
    );
}
