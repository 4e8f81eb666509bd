//! The event feed: each event shown once with a transaction id of its
//! own, failures retried in order or skipped, progress saved once per
//! batch, and a login's tasks stopped with it.

use super::*;

#[tokio::test(flavor = "multi_thread")]
async fn the_feed_shows_an_event_once_with_a_transaction_id_from_the_event() {
    let d = desk().await;
    d.run(Command::SetAvailable { agent: alice() }).await;
    d.start_feed();
    let sent =
        d.hs.wait_for("the status notice", |s| {
            bodies(s, ALICE_DESK).contains(&"You are now available.".to_owned())
        })
        .await;
    let notice = sent
        .iter()
        .find(|s| s.body() == "You are now available.")
        .expect("sent");
    let at = d
        .app
        .read(|e| smsdesk_engine::store::layout::events_from(e.store(), 0, 1))
        .await
        .expect("engine")
        .expect("log")[0]
        .at;
    assert_eq!(
        notice.txn,
        format!("smsdesk.{}.0.{}.status", d.app.store_identity, at.0)
    );
    assert_eq!(notice.content["msgtype"], "m.notice");
    // The cursor is saved past it.
    d.wait_cursor(1, "the cursor never moved").await;
    // Showing the same event again sends the same request.
    let record = d
        .app
        .read(|e| smsdesk_engine::store::layout::events_from(e.store(), 0, 1))
        .await
        .expect("engine")
        .expect("log");
    d.bot.show(&record[0]).await.expect("shown");
    let again: Vec<Sent> =
        d.hs.sent()
            .into_iter()
            .filter(|s| s.body() == "You are now available.")
            .collect();
    assert_eq!(again.len(), 2);
    assert_eq!(again[0].txn, again[1].txn, "a repeat is the same request");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_post_is_retried_in_order_and_a_refused_one_skipped() {
    let d = desk().await;
    d.hs.fail_next_sends(&[502, 429]);
    d.run(Command::SetAvailable { agent: alice() }).await;
    d.run(Command::SetIdle {
        agent: alice(),
        code: Some("Lunch".into()),
    })
    .await;
    d.start_feed();
    let sent =
        d.hs.wait_for("both notices", |s| bodies(s, ALICE_DESK).len() == 2)
            .await;
    assert_eq!(bodies(&sent, ALICE_DESK)[0], "You are now available.", "kept in order");
    assert!(bodies(&sent, ALICE_DESK)[1].starts_with("You are now idle"));
    // Refused for good (403): skipped, and the feed goes on.
    d.hs.fail_next_sends(&[403]);
    d.run(Command::SetAvailable { agent: alice() }).await;
    d.run(Command::SetOffline { agent: alice() }).await;
    let sent =
        d.hs.wait_for("the notice after the refused one", |s| {
            bodies(s, ALICE_DESK)
                .iter()
                .any(|b| b.starts_with("You are now offline"))
        })
        .await;
    assert_eq!(bodies(&sent, ALICE_DESK).len(), 3, "{:#?}", bodies(&sent, ALICE_DESK));
    let next = d.next_seq().await;
    d.wait_cursor(next, "the cursor did not pass the skipped event").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_feed_saves_its_progress_once_per_batch_not_once_per_post() {
    let d = desk().await;
    for _ in 0..10 {
        d.run(Command::SetAvailable { agent: alice() }).await;
        d.run(Command::SetOffline { agent: alice() }).await;
    }
    let syncs_before = d.bot.store.syncs();
    d.start_feed();
    d.hs.wait_for("20 notices", |s| bodies(s, ALICE_DESK).len() == 20).await;
    let next = d.next_seq().await;
    d.wait_cursor(next, "the cursor never reached the end").await;
    let used = d.bot.store.syncs() - syncs_before;
    assert!(used <= 2, "20 posts took {used} durable writes of the bot's store");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_logins_tasks_stop_with_it() {
    struct Flag(Arc<std::sync::atomic::AtomicBool>);
    impl Drop for Flag {
        fn drop(&mut self) {
            self.0.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }
    let d = desk().await;
    let stopped = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = Flag(stopped.clone());
    // A task that would run forever, like an offer card's refresher.
    d.bot.spawn(async move {
        let _flag = flag;
        std::future::pending::<()>().await;
    });
    drop(crate::matrix::StopOnDrop(d.bot.clone()));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !stopped.load(std::sync::atomic::Ordering::SeqCst) {
        assert!(tokio::time::Instant::now() < deadline, "the login's task outlived it");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
