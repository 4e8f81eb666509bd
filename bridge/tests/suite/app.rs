//! The application state in-process (no binary): how commands reach the
//! engine.

use crate::common;

use common::config::server_config;
use common::{free_port, ENTRY, TOKEN};
use smsdesk::config::Config;
use smsdesk_core::{Command, EntryNumber, InboundSms};
use smsdesk_engine::store::KvStore;

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

/// The shipped Grafana dashboard asks only for metrics smsdesk exports.
#[test]
fn the_grafana_dashboard_names_only_metrics_smsdesk_has() {
    let dashboard = std::fs::read_to_string(common::root().join("examples/grafana/smsdesk-dashboard.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&dashboard).unwrap();
    assert!(json["panels"].as_array().is_some_and(|p| p.len() >= 8));
    // A family shows in the text once it has a sample: give each one.
    let metrics = smsdesk::metrics::Metrics::new();
    metrics.webhook("twilio", "inbound", "accepted");
    metrics.send("twilio", "sent");
    metrics.queues.set_queue("billing", 1, 2.0);
    metrics.queues.set_agents("available", 1);
    metrics.queues.accepted("billing", 3.0);
    metrics.queues.handled("billing", 60.0);
    metrics.queues.closed("billing", "handled");
    metrics.dead_letters.refused("full");
    let rendered = metrics.render(&smsdesk_plugins::metrics::Metrics::default());
    let families: Vec<&str> = rendered
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|l| l.split(' ').next())
        .collect();
    let mut asked = Vec::new();
    let mut rest = dashboard.as_str();
    while let Some(i) = rest.find("smsdesk_") {
        let name: String = rest[i..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        rest = &rest[i + name.len()..];
        asked.push(name);
    }
    assert!(asked.len() >= 10, "{asked:?}");
    for name in asked {
        let family = ["_bucket", "_total", "_count", "_sum"]
            .iter()
            .find_map(|s| name.strip_suffix(s))
            .unwrap_or(&name);
        assert!(
            families.contains(&family),
            "the dashboard asks for {name}, which smsdesk does not export: {families:?}"
        );
    }
}
