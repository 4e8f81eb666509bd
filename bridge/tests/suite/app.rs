//! The application state in-process (no binary): how commands reach the
//! engine.

use crate::common;

use common::config::server_config;
use common::{free_port, ENTRY, TOKEN};
use smsdesk::config::Config;
use smsdesk_core::store::KvStore;
use smsdesk_core::{Command, EntryNumber, InboundSms};

fn sms(i: usize) -> Command {
    Command::ReceiveSms(InboundSms {
        carrier: "twilio".into(),
        carrier_message_id: format!("SM{i:032}").as_str().into(),
        from: format!("+1555777{i:04}").as_str().into(),
        to: EntryNumber::parse(ENTRY).unwrap(),
        body: "hello".into(),
        media: Vec::new(),
    })
}

/// Commands submitted before any is awaited share a group commit (as a
/// webhook with several messages does): 16 SMS cost a sync or two, not 16.
#[tokio::test(flavor = "multi_thread")]
async fn commands_submitted_together_share_one_commit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("smsdesk.toml");
    let text = server_config(free_port(), "http://127.0.0.1:9", None);
    let env = |name: &str| (name == "SMSDESK_TEST_TOKEN").then(|| TOKEN.to_owned());
    let config = Config::parse(&path, &text, &env).unwrap();
    let app = tokio::task::spawn_blocking(move || smsdesk::app::start(config))
        .await
        .unwrap()
        .unwrap();
    let syncs = || app.read(|e| e.store().syncs());
    let before = syncs().await.unwrap();
    let pending: Vec<_> = (0..16).map(|i| app.submit(sms(i))).collect();
    for reply in pending {
        assert!(reply.await.unwrap().is_ok());
    }
    let used = syncs().await.unwrap() - before;
    assert!(used <= 2, "16 commands submitted together took {used} syncs");
    // One after another, each waits for its own.
    let before = syncs().await.unwrap();
    for i in 16..20 {
        assert!(app.execute(sms(i)).await.unwrap().is_ok());
    }
    assert_eq!(syncs().await.unwrap() - before, 4);
}
