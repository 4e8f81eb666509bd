//! Agent replies to customers through the outbox, against the carrier
//! simulator: retries through injected 500s and 429s still deliver each
//! reply exactly once; a permanent 21610 marks the reply failed with that
//! code; delivery callbacks move replies to "delivered".

use crate::common;

use std::time::{Duration, Instant};

use common::*;
use smsdesk_core::command::SendOutcome;
use smsdesk_core::model::Delivery;
use smsdesk_core::*;

fn alice() -> AgentId {
    AgentId::from("@alice:example.com")
}

/// With the server stopped, Alice takes conversation 1 and replies `bodies`.
fn reply_offline(storage: &std::path::Path, bodies: &[&str]) -> Vec<MessageId> {
    let mut engine = open_engine(storage);
    let now = smsdesk_engine::clock::now();
    engine
        .execute(Command::SetAvailable { agent: alice() }, now)
        .unwrap()
        .unwrap();
    let c = ConversationId(1);
    if engine.state().conversation(c).unwrap().phase.owner().is_none() {
        engine
            .execute(
                Command::Accept {
                    agent: alice(),
                    conversation: Some(c),
                },
                now,
            )
            .unwrap()
            .unwrap();
    }
    bodies
        .iter()
        .map(|b| {
            let done = engine
                .execute(
                    Command::Reply {
                        agent: alice(),
                        conversation: c,
                        body: b.to_string(),
                        reference: None,
                        media: Vec::new(),
                        canned: None,
                    },
                    now,
                )
                .unwrap()
                .unwrap();
            match &done.records[0].event {
                Event::ReplyAccepted { message_id, .. } => message_id.to_owned(),
                e => panic!("{e:?}"),
            }
        })
        .collect()
}

async fn wait_for(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn replies_survive_500s_and_429s_and_reach_the_carrier_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let (port, sim_port) = (free_port(), free_port());
    let sim = Sim::start(sim_port, port);
    let mut server = Server::start_with(dir.path(), port, &format!("http://127.0.0.1:{sim_port}"));
    let client = reqwest::Client::new();
    // The customer texts (through the simulator, signed like Twilio).
    let r = sim.text(&client, "+15557770001", "refund please").await;
    assert_eq!(r["smsdesk_status"], 200, "{r}");
    server.stop();

    let ids = reply_offline(&server.storage(), &["one", "two", "three"]);
    // Every other request fails first: 500, 429, 500.
    let r = client
        .post(sim.url("/sim/faults"))
        .json(&serde_json::json!(["500", "429", "500"]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    server.spawn();
    wait_for("three replies at the carrier", async || {
        sim.messages(&client).await.len() >= 3
    })
    .await;
    wait_for("six status callbacks stored", async || {
        let m = client
            .get(server.url("/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        m.contains(r#"smsdesk_webhooks_total{carrier="twilio",kind="status",outcome="accepted"} 6"#)
    })
    .await;
    let got = sim.messages(&client).await;
    let mut bodies: Vec<&str> = got.iter().map(|m| m["body"].as_str().unwrap()).collect();
    bodies.sort();
    assert_eq!(bodies, ["one", "three", "two"], "each reply exactly once");
    assert!(got.iter().all(|m| m["to"] == "+15557770001" && m["from"] == ENTRY));
    let metrics = client
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(r#"smsdesk_sms_sends_total{carrier="twilio",outcome="attempt"} 6"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"smsdesk_sms_sends_total{carrier="twilio",outcome="sent"} 3"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"smsdesk_sms_segments_sent_total{carrier="twilio"} 3"#),
        "one segment each: {metrics}"
    );
    server.stop();

    let engine = open_engine(&server.storage());
    for id in &ids {
        let o = engine.delivery(*id).unwrap().unwrap().outbound;
        assert_eq!(o.status, Delivery::Delivered, "reply {id}");
        assert!(o.provider_id.as_deref().unwrap().starts_with("SM"));
    }
    assert!(smsdesk_engine::store::layout::pending_sms(engine.store(), 10)
        .unwrap()
        .is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unsubscribed_recipient_fails_the_reply_with_21610() {
    let dir = tempfile::tempdir().unwrap();
    let (port, sim_port) = (free_port(), free_port());
    let sim = Sim::start(sim_port, port);
    let mut server = Server::start_with(dir.path(), port, &format!("http://127.0.0.1:{sim_port}"));
    let client = reqwest::Client::new();
    sim.text(&client, "+15557770002", "please call me").await;
    server.stop();
    let ids = reply_offline(&server.storage(), &["are you there?"]);
    sim.faults(&client, serde_json::json!(["21610"])).await;
    // JSON logs, to a file: the operator's view of the failure.
    let log = dir.path().join("smsdesk.log");
    server.log = Some(log.clone());
    server.env = vec![("SMSDESK_LOG_FORMAT".into(), "json".into())];
    server.spawn();
    wait_for("the failure to be recorded", async || {
        let m = client
            .get(server.url("/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        m.contains(r#"smsdesk_sms_sends_total{carrier="twilio",outcome="failed"} 1"#)
    })
    .await;
    server.stop();
    assert!(sim.messages(&client).await.is_empty(), "nothing reached the customer");
    let engine = open_engine(&server.storage());
    let o = engine.delivery(ids[0]).unwrap().unwrap().outbound;
    assert_eq!(o.status, Delivery::Failed);
    assert_eq!(o.error_code.as_deref(), Some("21610"));
    // The agent-facing history says why.
    let history = engine.history(ConversationId(1)).unwrap();
    assert!(history
        .iter()
        .any(|r| r.event.describe().contains("carrier error 21610")));
    // And the carrier's word is taken: the customer is opted out here too.
    assert!(history.iter().any(|r| r
        .event
        .describe()
        .contains("+15557770002 opted out of texts from +15550001111")));
    // The log says what failed, at WARN, with the conversation, the message
    // id and the carrier's code; every line is one JSON object with one
    // `message` key.
    let text = std::fs::read_to_string(&log).unwrap();
    let mut warned = false;
    for line in text.lines() {
        assert_eq!(line.matches("\"message\":").count(), 1, "{line}");
        let v: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        let f = &v["fields"];
        if v["level"] == "WARN" && f["message"] == "reply failed for good; the agent is told" {
            assert_eq!(f["conversation"], "1", "{line}");
            assert_eq!(f["message_id"], ids[0].to_string(), "{line}");
            assert_eq!(f["code"], "21610", "{line}");
            assert!(f["reason"].as_str().unwrap().contains("unsubscribed"), "{line}");
            warned = true;
        }
    }
    assert!(warned, "no WARN line for the failed reply:\n{text}");
    assert!(!text.contains("\u{1b}["), "no colours in a file");
    let _ = SendOutcome::Sent {
        provider_id: String::new(),
    };
}

/// A carrier whose plugin would send to a host not in `allowed_hosts` is
/// refused before smsdesk starts (the host also refuses such a send at
/// run time, for plugins that build their URL from what they are given).
#[test]
fn a_carrier_sending_outside_its_allowed_hosts_does_not_start() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let text = common::config::server_config(port, "http://localhost:9", None);
    std::fs::write(dir.path().join("smsdesk.toml"), text).unwrap();
    let mut child = std::process::Command::new(common::bin())
        .args(["run", "--config"])
        .arg(dir.path().join("smsdesk.toml"))
        .env("SMSDESK_TEST_TOKEN", TOKEN)
        .env(common::process::MARK, common::process::mark())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            common::process::kill_child(&mut child);
            panic!("smsdesk started with a carrier that sends outside its allowed_hosts");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("carriers[0].allowed_hosts: carrier twilio's plugin (carrier-twilio.wasm) sends to localhost")
            && stderr.contains("smsdesk did not start"),
        "{stderr}"
    );
}

/// A carrier's answer that never ends: 16 KiB every 5 ms, counting what
/// was sent, and marking when the reader went away (the body dropped).
struct Endless {
    sent: std::sync::Arc<std::sync::atomic::AtomicU64>,
    ended: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Drop for Endless {
    fn drop(&mut self) {
        self.ended.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Before: the answer was read to its end (`bytes()`), however long: an
/// endless one for the whole 15 s timeout, tens of MB into memory.
#[tokio::test(flavor = "multi_thread")]
async fn a_carriers_endless_answer_is_not_read_past_64_kib_and_the_reply_is_retried() {
    use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
    use std::sync::Arc;
    let sent = Arc::new(AtomicU64::new(0));
    let ended = Arc::new(AtomicBool::new(false));
    let calls = Arc::new(AtomicUsize::new(0));
    // A carrier: the first send is answered without end, the next properly.
    let carrier = {
        let (sent, ended, calls) = (sent.clone(), ended.clone(), calls.clone());
        axum::Router::new().route(
            "/2010-04-01/Accounts/{account}/Messages.json",
            axum::routing::post(move || {
                let (sent, ended, calls) = (sent.clone(), ended.clone(), calls.clone());
                async move {
                    use axum::response::IntoResponse as _;
                    if calls.fetch_add(1, Ordering::SeqCst) > 0 {
                        let ok = serde_json::json!({"sid": "SM0123456789abcdef0123456789abcdef", "status": "queued", "num_segments": "1"});
                        return (axum::http::StatusCode::CREATED, axum::Json(ok)).into_response();
                    }
                    let endless = Endless { sent, ended };
                    let stream = futures_util::stream::unfold(endless, |endless| async move {
                        tokio::time::sleep(Duration::from_millis(5)).await;
                        endless.sent.fetch_add(16 * 1024, Ordering::SeqCst);
                        Some((Ok::<_, std::io::Error>(vec![b' '; 16 * 1024]), endless))
                    });
                    (axum::http::StatusCode::CREATED, axum::body::Body::from_stream(stream)).into_response()
                }
            }),
        )
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let carrier_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, carrier).await });

    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = Server::start_with(dir.path(), port, &carrier_url);
    let client = reqwest::Client::new();
    let params = sms_params("SM00000000000000000000000000000501", "+15557770001", ENTRY, "hello?");
    assert_eq!(post_signed(&client, &server, &params, TOKEN).await.0, 200);
    server.stop();
    reply_offline(&server.storage(), &["here I am"]);
    server.spawn();
    wait_for("the endless answer to be given up", async || {
        ended.load(Ordering::SeqCst)
    })
    .await;
    let streamed = sent.load(Ordering::SeqCst);
    println!("the carrier streamed {streamed} bytes before smsdesk stopped reading");
    assert!(
        streamed < 1024 * 1024,
        "{streamed} bytes of an endless answer were taken"
    );
    wait_for("the reply to be sent on the next attempt", async || {
        let m = client
            .get(server.url("/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        m.contains(r#"smsdesk_sms_sends_total{carrier="twilio",outcome="sent"} 1"#)
    })
    .await;
    assert_eq!(calls.load(Ordering::SeqCst), 2, "tried again once");
    server.stop();
}
