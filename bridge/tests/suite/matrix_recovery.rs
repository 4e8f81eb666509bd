//! End to end against a real Synapse, the simulator and `smsdesk run`:
//! what survives a crash, a restart, a revoked login, a long outage or a
//! wiped storage directory. Each test says what an agent would notice.

use crate::common;

use std::time::{Duration, Instant};

use common::desk::AliceAtWork;

const POLL: Duration = Duration::from_millis(100);

#[tokio::test(flavor = "multi_thread")]
async fn a_replayed_sync_sends_no_reply_twice() {
    use smsdesk_engine::store::{KvStore, SledStore, WriteSet};

    let mut w = AliceAtWork::start().await;

    let bot_store = w.server.storage().join("matrix");
    w.server.stop();
    let old_token = SledStore::open(&bot_store)
        .unwrap()
        .get(b"sync_token")
        .unwrap()
        .unwrap();
    w.server.spawn();
    let reply = w.alice.say(&w.room, "Your refund is on its way").await;
    w.sim.wait_for_body(&w.http, "Your refund is on its way", POLL).await;
    w.alice.wait_for(&format!("reaction ✓ sent on {reply}")).await;
    w.alice.say(&w.desk, "!status").await;
    w.alice.wait_for("conversation(s) in use").await;

    w.server.stop();
    {
        let store = SledStore::open(&bot_store).unwrap();
        let mut w = WriteSet::default();
        w.put(b"sync_token".to_vec(), old_token);
        store.commit(&w).unwrap();
    }
    w.server.spawn();
    // A new command is answered after the replayed batch was handled (in
    // order); the replayed `!status` itself is not answered a second time
    // (its answer has the same transaction id), and a marker sent after it
    // reaching the carrier means the outbox is past the replayed reply.
    w.alice.say(&w.desk, "!status").await;
    w.alice.wait_for_nth("conversation(s) in use", 2).await;
    w.alice.say(&w.room, "marker").await;
    w.sim.wait_for_body(&w.http, "marker", POLL).await;
    let sent = w
        .sim
        .messages(&w.http)
        .await
        .iter()
        .filter(|m| m["body"] == "Your refund is on its way")
        .count();
    assert_eq!(sent, 1, "the replayed reply reached the customer again");
    assert_eq!(
        w.alice.count("conversation(s) in use"),
        2,
        "the replayed command was answered twice"
    );
    w.server.stop();
}

/// smsdesk dies right after posting a customer's SMS in the room, before
/// the feed's progress is saved (a failpoint exits there, as a SIGKILL at
/// that moment would): after the restart the post is repeated with the same
/// login and transaction id, and the room shows the SMS once.
#[tokio::test(flavor = "multi_thread")]
async fn a_post_repeated_after_a_crash_shows_once() {
    let mut w = AliceAtWork::start().await;
    w.server.stop();
    w.server.env = vec![("SMSDESK_FAILPOINT".into(), "feed-exit-after:message-received".into())];
    w.server.spawn();
    let r = w
        .sim
        .text(&w.http, "+15557770001", "posted just before the crash")
        .await;
    assert_eq!(r["smsdesk_status"], 200, "{r}");
    w.alice.wait_for("customer: posted just before the crash").await;
    assert_eq!(
        w.server.wait_exit(Duration::from_secs(30)),
        Some(137),
        "the failpoint did not end smsdesk"
    );
    w.server.env.clear();
    w.server.spawn();
    w.sim.text(&w.http, "+15557770001", "after the restart").await;
    w.alice.wait_for("customer: after the restart").await;
    assert_eq!(
        w.alice.count("customer: posted just before the crash"),
        1,
        "the SMS posted at the crash shows twice: {:#?}",
        w.alice.seen()
    );
    w.server.stop();
}

/// After a restart the bot must still post into rooms that had no activity
/// meanwhile: a quiet conversation room gets the customer's next SMS, a
/// quiet desk room its notices.
#[tokio::test(flavor = "multi_thread")]
async fn after_a_restart_the_bot_still_posts_in_quiet_rooms() {
    let mut w = AliceAtWork::start().await;
    w.alice.wait_for("(long code) — accepted.").await;

    w.server.stop();
    w.server.spawn();
    // Nothing happened in either room since the restart.
    w.sim
        .text(&w.http, "+15557770001", "still there after your restart?")
        .await;
    let seen = w.alice.wait_for("customer: still there after your restart?").await;
    assert_eq!(seen.room, w.room);
    // Alice closes it from the conversation room; the next customer's offer
    // goes to her desk room, quiet since the restart.
    w.alice.say(&w.room, "!end").await;
    w.alice.wait_for("Wrap up by reacting").await;
    w.alice.say(&w.room, "!wrapup 1").await;
    w.alice.wait_for("closed: Resolved").await;
    w.sim.text(&w.http, "+15557770002", "new customer").await;
    let offer = w.alice.wait_for("Offer #2").await;
    assert_eq!(offer.room, w.desk);
    w.server.stop();
}

/// Agents cannot turn on encryption (the bot could no longer read them);
/// a transfer to another queue renames the room and takes it from the agent.
#[tokio::test(flavor = "multi_thread")]
async fn an_open_offer_keeps_refreshing_after_a_restart() {
    let mut w = AliceAtWork::offered("60s").await;
    w.alice.wait_for("* Offer #1").await; // the first refresh (every 5 s)
    w.server.stop();
    // Whatever the old process sent has arrived by now.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = w.alice.count("* Offer #1");
    w.server.spawn();
    let deadline = Instant::now() + Duration::from_secs(20);
    while w.alice.count("* Offer #1") == before {
        assert!(
            Instant::now() < deadline,
            "the offer card was not refreshed after the restart"
        );
        tokio::time::sleep(POLL).await;
    }
    w.alice.say(&w.desk, "!accept 1").await;
    w.alice.wait_for("(long code) — accepted.").await;
    w.server.stop();
}

/// The homeserver revokes the bot's login (an admin logs out all its
/// devices): the bot logs in again and goes on relaying.
#[tokio::test(flavor = "multi_thread")]
async fn the_bot_logs_in_again_when_its_login_is_revoked() {
    let mut w = AliceAtWork::start().await;
    let hs = w.alice.client.homeserver().to_string();
    let login: serde_json::Value = w.http
        .post(format!("{hs}_matrix/client/v3/login"))
        .json(&serde_json::json!({"type": "m.login.password", "identifier": {"type": "m.id.user", "user": "smsdesk"}, "password": "bot-password"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let r = w
        .http
        .post(format!("{hs}_matrix/client/v3/logout/all"))
        .bearer_auth(login["access_token"].as_str().unwrap())
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    w.alice
        .say(&w.room, "still relayed after the bot's login was revoked")
        .await;
    w.sim
        .wait_for_body(&w.http, "still relayed after the bot's login was revoked", POLL)
        .await;
    w.server.stop();
}

/// smsdesk down while an agent writes more than one sync holds: the newest
/// messages are relayed, and the room is told the oldest were not.
#[tokio::test(flavor = "multi_thread")]
async fn a_long_outage_says_what_was_not_read() {
    let mut w = AliceAtWork::start().await;
    w.server.stop();
    for i in 0..120 {
        w.alice.say(&w.room, &format!("line {i}")).await;
    }
    w.server.spawn();
    w.alice
        .wait_for("smsdesk was away and could read only the latest messages")
        .await;
    w.sim.wait_for_body(&w.http, "line 119", POLL).await;
    w.sim.wait_for_body(&w.http, "line 20", POLL).await;
    let lines: Vec<String> = w
        .sim
        .messages(&w.http)
        .await
        .iter()
        .filter_map(|m| m["body"].as_str().filter(|b| b.starts_with("line ")).map(str::to_owned))
        .collect();
    assert!(!lines.iter().any(|l| l == "line 0"), "{lines:?}");
    w.server.stop();
}

/// One agent action gets one answer: `!available` one notice, an accept the
/// card edited and the room (no notice in the desk room), a transfer one
/// notice in the conversation room, the wrap-up one "closed" notice.
#[tokio::test(flavor = "multi_thread")]
async fn a_wiped_storage_beside_an_old_bot_store_still_gets_offers() {
    let mut w = AliceAtWork::start().await;
    w.server.stop();
    let storage = w.server.storage();
    // The older layout: the bot's store beside the storage directory.
    std::fs::rename(storage.join("matrix"), storage.with_file_name("matrix")).unwrap();
    std::fs::remove_dir_all(&storage).unwrap();
    // A new engine store: the bot account serves the old one until taken over.
    w.server.args = vec!["--adopt-account".into()];
    w.server.spawn();
    w.alice.say(&w.desk, "!available").await;
    w.alice.wait_for_nth("You are now available", 2).await;
    w.sim
        .text(&w.http, "+15557770009", "a new customer after the wipe")
        .await;
    let offer = w.alice.wait_for("customer +15557770009").await;
    assert_eq!(offer.room, w.desk, "the offer reaches the desk room");
    assert!(
        !storage.with_file_name("matrix").exists(),
        "moved into the storage directory"
    );
    assert!(storage.join("matrix").exists());
    w.server.stop();
}
