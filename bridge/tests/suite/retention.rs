//! `storage.retention` in the running server: a conversation closed four
//! days ago is erased (record and history) shortly after start with
//! `retention = "3d"`, one closed yesterday stays, and webhooks are served
//! throughout. Export shows what is left.

use crate::common;

use std::time::{Duration, Instant};

use common::config::server_config;
use common::{free_port, open_engine, Server, ENTRY, SUPERVISOR_TOKEN};
use smsdesk_core::{AgentId, Command, ConversationId, CustomerNumber, InboundSms, Timestamp};

const DAY_MS: u64 = 86_400_000;

/// A conversation from `customer`, accepted and wrapped up, all at `at`.
fn closed_at(
    engine: &mut smsdesk_engine::Engine<smsdesk_engine::store::SledStore>,
    customer: &str,
    at: Timestamp,
) -> ConversationId {
    let alice = AgentId::from("@alice:example.com");
    let run = |e: &mut smsdesk_engine::Engine<_>, c: Command| e.execute(c, at).unwrap().unwrap();
    run(engine, Command::SetAvailable { agent: alice.clone() });
    let done = run(
        engine,
        Command::ReceiveSms(InboundSms {
            carrier: "twilio".into(),
            carrier_message_id: format!("SM{customer}").as_str().into(),
            from: CustomerNumber::from(customer),
            to: smsdesk_core::EntryNumber::parse(ENTRY).unwrap(),
            body: "old news".into(),
            media: Vec::new(),
        }),
    );
    let id = done.conversation().unwrap();
    run(
        engine,
        Command::Accept {
            agent: alice.clone(),
            conversation: Some(id),
        },
    );
    run(
        engine,
        Command::End {
            agent: alice.clone(),
            conversation: id,
        },
    );
    run(
        engine,
        Command::Wrapup {
            agent: alice,
            conversation: id,
            choice: None,
        },
    );
    id
}

#[tokio::test(flavor = "multi_thread")]
async fn closed_conversations_older_than_the_retention_are_erased_in_the_background() {
    let tmp = tempfile::tempdir().unwrap();
    let storage = tmp.path().join("data/smsdesk");
    let now = smsdesk_engine::clock::now().0;
    let (old, recent) = {
        let mut engine = open_engine(&storage);
        let old = closed_at(&mut engine, "+15557770001", Timestamp(now - 4 * DAY_MS));
        let recent = closed_at(&mut engine, "+15557770002", Timestamp(now - DAY_MS));
        (old, recent)
    };
    let port = free_port();
    let config =
        server_config(port, "http://127.0.0.1:9", None).replace("[storage]\n", "[storage]\nretention = \"3d\"\n");
    let mut server = Server::start_with_config(tmp.path(), port, &config, None);
    let http = reqwest::Client::new();
    let exported = |since: &'static str| {
        let (http, url) = (http.clone(), server.url("/supervisor/export"));
        async move {
            http.get(url)
                .query(&[("since", since)])
                .bearer_auth(SUPERVISOR_TOKEN)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let text = exported("2000-01-01").await;
        if !text.contains("+15557770001") {
            assert!(text.contains("+15557770002"), "the recent one went too: {text}");
            break;
        }
        assert!(Instant::now() < deadline, "the old conversation is still there: {text}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Webhooks are served as before.
    let r = http.get(server.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    server.stop();
    let engine = open_engine(&storage);
    assert!(engine.history(old).unwrap().is_empty(), "the old history is gone");
    assert!(!engine.history(recent).unwrap().is_empty(), "the recent history stays");
}
