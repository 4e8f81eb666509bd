//! What an agent is notified of, against Synapse's default push rules:
//! Synapse records every event its push rules tell a member's client to
//! notify about, and `/notifications` lists them. An offer, a customer's
//! message and the wrap-up list notify the agent (with a sound: they
//! mention her); her own status notices do not.

use crate::common;

use std::time::{Duration, Instant};

use common::desk::AliceAtWork;
use serde_json::Value;

/// Alice's notifications: (body, whether it sounds).
async fn notifications(w: &AliceAtWork) -> Vec<(String, bool)> {
    let token = w.alice.client.access_token().expect("Alice is logged in");
    let answer: Value = w
        .http
        .get(format!(
            "{}/_matrix/client/v3/notifications?limit=100",
            w._synapse.url()
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["notifications"]
        .as_array()
        .expect("a notifications list")
        .iter()
        .map(|n| {
            let body = n["event"]["content"]["body"].as_str().unwrap_or_default().to_owned();
            let sound = n["actions"]
                .as_array()
                .is_some_and(|a| a.iter().any(|x| x["set_tweak"] == "sound"));
            (body, sound)
        })
        .collect()
}

/// Waits until a notification whose body contains `text` is listed; whether it sounds.
async fn notified(w: &AliceAtWork, text: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let all = notifications(w).await;
        if let Some((_, sound)) = all.iter().find(|(b, _)| b.contains(text)) {
            return *sound;
        }
        assert!(
            Instant::now() < deadline,
            "no notification with {text:?}; Alice has {all:#?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn offers_customers_and_the_wrapup_list_notify_the_agent_and_status_notices_do_not() {
    let w = AliceAtWork::start().await;
    assert!(notified(&w, "Offer #1").await, "the offer notifies without a sound");
    w.sim.text(&w.http, "+15557770001", "are you still there?").await;
    w.alice.wait_for("are you still there?").await;
    assert!(
        notified(&w, "are you still there?").await,
        "the customer's message is silent"
    );
    w.alice.say(&w.room, "!end").await;
    w.alice.wait_for("Resolved").await;
    assert!(notified(&w, "Resolved").await, "the wrap-up list is silent");
    // Her own status ("You are now available.") is a quiet notice.
    let all = notifications(&w).await;
    assert!(
        !all.iter().any(|(b, _)| b.starts_with("You are now")),
        "a status notice notified: {all:#?}"
    );
}
