//! Canned replies against Synapse: `!canned` lists them filled in for this
//! conversation with their SMS size and number buttons; `!c <name>` and a
//! press on a number send the exact text to the carrier, shown first to
//! the agent with the delivery reactions on it; a name this queue does
//! not have is answered with the ones it has.

use crate::common;

use std::time::Duration;

use common::desk::AliceAtWork;

const POLL: Duration = Duration::from_millis(100);

const CANNED: &str = r#"
[[canned]]
name = "thanks"
text = "Thanks {customer_first_name}, this is {agent} from {queue} at {entry}."

[[canned]]
name = "hours"
text = "We are open 9 to 5."
queues = ["billing"]

[[canned]]
name = "elsewhere"
text = "Not for billing."
queues = ["support"]
"#;

#[tokio::test(flavor = "multi_thread")]
async fn canned_replies_reach_the_customer_exactly_as_shown() {
    let w = AliceAtWork::boot_with(|config| format!("{config}\n{CANNED}"), true, true, &[]).await;
    let (alice, room, sim, http) = (&w.alice, &w.room, &w.sim, &w.http);

    alice.say(room, "!canned").await;
    let list = alice.wait_for("Canned replies (react with a number").await;
    assert!(
        list.body
            .contains("1. thanks (1 segment · GSM-7): Thanks, this is Alice from billing at +15550001111."),
        "{}",
        list.body
    );
    assert!(list.body.contains("2. hours"), "{}", list.body);
    assert!(
        !list.body.contains("elsewhere"),
        "another queue's reply is listed: {}",
        list.body
    );

    // By name: the exact text reaches the carrier, shown first to Alice,
    // with its delivery on that notice.
    alice.say(room, "!c thanks").await;
    let expected = "Thanks, this is Alice from billing at +15550001111.";
    sim.wait_for_body(http, expected, POLL).await;
    let shown = alice.wait_for("Canned reply thanks to the customer:").await;
    assert!(shown.body.ends_with(expected), "{}", shown.body);
    alice
        .wait_for(&format!("reaction ✅ delivered on {}", shown.event_id))
        .await;

    // By button: 2️⃣ on the list sends "hours".
    alice.react(room, &list.event_id, "2️⃣").await;
    sim.wait_for_body(http, "We are open 9 to 5.", POLL).await;

    alice.say(room, "!c elsewhere").await;
    let refused = alice.wait_for("No canned reply \"elsewhere\" here").await;
    assert!(refused.body.contains("thanks, hours"), "{}", refused.body);
    let sent = sim.messages(http).await;
    assert!(!sent.iter().any(|m| m["body"] == "Not for billing."), "{sent:?}");

    // The export says which canned reply each line came from.
    let mut w = w;
    w.server.stop();
    let out = std::process::Command::new(common::bin())
        .args(["export", "--config"])
        .arg(&w.server.config)
        .args(["--since", "2020-01-01"])
        .env("SMSDESK_TEST_TOKEN", common::TOKEN)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let record: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let lines = record["transcript"].as_array().unwrap();
    let canned: Vec<&str> = lines.iter().filter_map(|l| l["canned"].as_str()).collect();
    assert_eq!(canned, ["thanks", "hours"], "{lines:#?}");
}
