//! Supervisors in Matrix, end to end against Synapse (docs/supervisor-guide.md):
//! after a short scripted day `!stats` shows the expected figures,
//! `!agents` and `!history` answer, `!monitor` invites the supervisor to
//! the conversation room, and what they write there never reaches the
//! customer. With `mask_customer_numbers` on, the agent's card shows a
//! masked number while the supervisor sees the real one. Prometheus then
//! has the time to accept, the handle time, the outcomes and the states.

use crate::common;

use std::time::Duration;

use common::desk::AliceAtWork;
use common::matrix::User;
use matrix_sdk::ruma::OwnedRoomId;

#[tokio::test(flavor = "multi_thread")]
async fn a_supervisor_sees_the_day_monitors_and_is_never_relayed() {
    let supervised = |config: String| {
        config
            .replace(
                "[agents]",
                "[[supervisors]]\nmatrix_id = \"@sue:localhost\"\nqueues = [\"billing\"]\n\n[agents]",
            )
            .replace("[supervisor]\n", "[supervisor]\nmask_customer_numbers = true\n")
    };
    // Alice accepts +15557770001 (conversation #1) within seconds.
    let w = AliceAtWork::boot_with(supervised, true, true, &[("sue", "sue-password")]).await;
    let card = w.alice.wait_for("Offer #1").await;
    assert!(card.body.contains("customer +1 555-***-0001"), "{}", card.body);
    let sue = User::login(&w._synapse.url(), "sue", "sue-password").await;
    let sroom = sue.wait_for("This is your smsdesk supervisor room").await.room;

    // A second customer waits (Alice is at capacity) and gives up: STOP.
    w.sim.text(&w.http, "+15557770002", "hello?").await;
    w.sim.text(&w.http, "+15557770002", "STOP").await;

    step_stats(&sue, &sroom).await;
    step_agents_and_history(&sue, &sroom).await;
    step_monitor_is_never_relayed(&w, &sue, &sroom).await;

    // Alice wraps up: Prometheus has the day's moments and states.
    w.alice.say(&w.room, "!end").await;
    w.alice.say(&w.room, "!wrapup 1").await;
    sue.wait_out_of(&w.room).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let metrics = loop {
        let text = w
            .http
            .get(w.server.url("/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if text.contains("smsdesk_handle_time_seconds_count{queue=\"billing\"} 1") {
            break text;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no handle time in the metrics:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    for line in [
        "smsdesk_time_to_accept_seconds_count{queue=\"billing\"} 1",
        "smsdesk_conversations_total{queue=\"billing\",outcome=\"abandoned\"} 1",
        "smsdesk_conversations_total{queue=\"billing\",outcome=\"handled\"} 1",
        "smsdesk_queue_waiting{queue=\"billing\"} 0",
        "smsdesk_agents{state=\"available\"} 1",
        "smsdesk_agents{state=\"offline\"} 2",
    ] {
        assert!(metrics.contains(line), "{line} not in:\n{metrics}");
    }
    assert!(
        metrics.contains("smsdesk_queue_longest_wait_seconds{queue=\"billing\"} 0"),
        "{metrics}"
    );
}

/// `!stats`: billing only, with the day's figures, as a table too.
async fn step_stats(sue: &User, sroom: &OwnedRoomId) {
    sue.say(sroom, "!stats").await;
    let stats = sue.wait_for("Queue figures").await;
    // billing: nobody waiting, Alice busy, 1 accepted (within 60 s), 1 abandoned: 50 %.
    let row = stats
        .body
        .lines()
        .find(|l| l.starts_with("billing"))
        .unwrap_or_else(|| panic!("no billing row: {}", stats.body));
    let cells: Vec<&str> = row.split("  ").map(str::trim).filter(|c| !c.is_empty()).collect();
    assert_eq!(cells[1], "0", "waiting: {row}");
    assert_eq!(
        cells[3], "1 busy, 1 offline",
        "agents (Bob is on the roster, offline): {row}"
    );
    assert_eq!((cells[4], cells[5]), ("1", "1"), "accepted, abandoned: {row}");
    assert_eq!(cells[6], "50% (≤1m 00s)", "service level: {row}");
    assert!(
        !stats.body.contains("support"),
        "Sue watches billing only: {}",
        stats.body
    );
    assert!(
        stats.html.as_deref().is_some_and(|h| h.contains("<table>")),
        "an HTML table"
    );
}

/// `!agents` (Bob never signed in) and `!history` (the real number).
async fn step_agents_and_history(sue: &User, sroom: &OwnedRoomId) {
    sue.say(sroom, "!agents").await;
    let agents = sue.wait_for("@alice:localhost").await;
    assert!(
        agents.body.contains("available") && agents.body.contains("1/1"),
        "{}",
        agents.body
    );
    // Bob never signed in: "—", not "offline for 499015h 43m" (since 1970).
    let bob = agents
        .body
        .lines()
        .find(|l| l.contains("@bob:localhost"))
        .unwrap_or_else(|| panic!("no Bob: {}", agents.body));
    let hours = |w: &str| w.strip_suffix('h').is_some_and(|n| n.parse::<u64>().is_ok());
    assert!(bob.contains('—') && !bob.split_whitespace().any(hours), "{bob}");

    sue.say(sroom, "!history +15557770001").await;
    let history = sue.wait_for("Conversation #1 —").await;
    assert!(
        history.body.contains("+15557770001"),
        "supervisors see the real number: {}",
        history.body
    );
    assert!(history.body.contains("customer: hi"), "{}", history.body);
    assert!(
        history.body.contains("accepted by @alice:localhost"),
        "{}",
        history.body
    );
}

/// `!monitor`: Sue joins the room; what she writes never reaches the
/// customer, and Alice is told once.
async fn step_monitor_is_never_relayed(w: &AliceAtWork, sue: &User, sroom: &OwnedRoomId) {
    sue.say(sroom, "!monitor 2").await;
    sue.wait_for("Conversation #2 has no room").await;
    sue.say(sroom, "!monitor 1").await;
    sue.wait_for("Invited you to conversation #1").await;
    sue.joined(&w.room).await;
    sue.say(&w.room, "psst: offer a refund").await;
    w.alice
        .wait_for("You are monitoring this conversation as a supervisor")
        .await;
    // Alice's next message is relayed; Sue's never was.
    w.alice.say(&w.room, "Let me refund that for you").await;
    w.sim
        .wait_for_body(&w.http, "Let me refund that for you", Duration::from_millis(50))
        .await;
    let sent: Vec<String> = w
        .sim
        .messages(&w.http)
        .await
        .iter()
        .map(|m| m["body"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(
        !sent.iter().any(|b| b.contains("psst")),
        "a supervisor's text reached the customer: {sent:?}"
    );
    // Said once per room, not at every message.
    sue.say(&w.room, "second note").await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(w.alice.count("You are monitoring this conversation"), 1);
}
