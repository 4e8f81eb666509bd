//! The Telnyx carrier plugin against signature vectors made with PyNaCl and
//! checked with Telnyx's own Python verifier (fixtures/telnyx), including
//! stale and future timestamps judged against the host's receive time; the
//! parsing of its events; its send requests and its answers (40300: opted out).
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use smsdesk_plugins::carrier::*;

#[derive(serde::Deserialize)]
struct Vectors {
    vectors: Vec<Vector>,
}

#[derive(serde::Deserialize, Clone)]
struct Vector {
    name: String,
    public_key: String,
    headers: std::collections::BTreeMap<String, String>,
    body: String,
    received_at_s: u64,
    valid: bool,
}

fn vectors() -> Vec<Vector> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/telnyx/vectors.json"
    ))
    .unwrap();
    serde_json::from_str::<Vectors>(&text).unwrap().vectors
}

fn request(v: &Vector) -> HttpRequest {
    HttpRequest {
        method: "POST".into(),
        url: "https://desk.example.com/webhooks/telnyx/inbound".into(),
        headers: v
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .chain([("content-type".to_owned(), "application/json".to_owned())])
            .collect(),
        body: v.body.as_bytes().to_vec(),
        received_at_ms: Some(v.received_at_s * 1000 + 999),
    }
}

fn vector(name: &str) -> Vector {
    vectors().into_iter().find(|v| v.name == name).unwrap()
}

fn handled(v: &Vector) -> Result<WebhookResult, WebhookError> {
    telnyx_with(&host(), &v.public_key)
        .handle_webhook(WebhookKind::Inbound, &request(v))
        .unwrap()
}

#[test]
fn vectors_are_accepted_or_refused_as_telnyxs_library_says() {
    let host = host();
    let vectors = vectors();
    assert!(vectors.len() >= 15);
    assert!(vectors.iter().filter(|v| !v.valid).count() >= 8);
    for v in &vectors {
        let plugin = telnyx_with(&host, &v.public_key);
        let got = plugin.handle_webhook(WebhookKind::Inbound, &request(v)).unwrap();
        match (&got, v.valid) {
            (Ok(_), true) | (Err(WebhookError::BadSignature(_)), false) => {}
            _ => panic!("vector {}: expected valid={}, got {got:?}", v.name, v.valid),
        }
    }
}

#[test]
fn stale_and_future_timestamps_say_how_far_off_they_are() {
    let Err(WebhookError::BadSignature(why)) = handled(&vector("neg_301s_old")) else {
        panic!("a stale timestamp was accepted")
    };
    assert_eq!(why, "timestamp is 301 s old (tolerance 300 s)");
    let Err(WebhookError::BadSignature(why)) = handled(&vector("neg_301s_future")) else {
        panic!("a future timestamp was accepted")
    };
    assert_eq!(why, "timestamp is 301 s in the future (tolerance 300 s)");
    // The same request, judged at its own receive time, is fine: what the
    // plugin is told, not a clock of its own, decides.
    let mut v = vector("neg_301s_old");
    v.received_at_s -= 1;
    assert!(handled(&v).is_ok());
}

#[test]
fn a_missing_or_broken_key_is_not_the_carriers_fault() {
    let v = vector("inbound_sms");
    for key in ["", "not base64!", "AAAA"] {
        let got = telnyx_with(&host(), key)
            .handle_webhook(WebhookKind::Inbound, &request(&v))
            .unwrap();
        let Err(WebhookError::RetryLater(why)) = got else {
            panic!("key {key:?}: {got:?}")
        };
        assert!(why.contains("public_key"), "{why}");
    }
}

#[test]
fn events_are_read_into_messages_and_statuses() {
    let sms = handled(&vector("inbound_sms")).unwrap();
    assert_eq!(sms.response.status, 200);
    assert_eq!(
        sms.messages,
        vec![InboundMessage {
            carrier_message_id: "40317c1e-1c2b-4c1a-9a3d-0a1b2c3d4e5f".into(),
            from: "+15557654321".into(),
            to: "+15550002222".into(),
            body: "Hello, I need help with my bill".into(),
            media_urls: vec![],
        }]
    );
    assert_eq!(
        handled(&vector("inbound_unicode")).unwrap().messages[0].body,
        "Grüße 👋 — ¿qué tal?"
    );
    assert_eq!(
        handled(&vector("inbound_mms")).unwrap().messages[0].media_urls,
        vec!["https://media.telnyx.example/abc.jpg".to_owned()]
    );
    let delivered = handled(&vector("status_delivered")).unwrap();
    assert!(delivered.messages.is_empty());
    assert_eq!(delivered.statuses.len(), 1);
    assert_eq!(
        delivered.statuses[0].provider_id,
        "40385f64-5717-4562-b3fc-2c963f66afa6"
    );
    assert_eq!(delivered.statuses[0].state, DeliveryState::Delivered);
    assert!(!delivered.statuses[0].opted_out);
    let stopped = handled(&vector("status_opted_out")).unwrap().statuses.remove(0);
    assert_eq!(stopped.state, DeliveryState::Undelivered);
    assert_eq!(stopped.error_code.as_deref(), Some("40300"));
    assert!(stopped.opted_out);
    assert_eq!(
        stopped.error_message.as_deref(),
        Some("Blocked due to STOP message: The destination number has opted out")
    );
}

#[test]
fn send_request_is_telnyx_shaped_and_authenticated_by_the_host() {
    let plugin = telnyx_with(&host(), &vector("inbound_sms").public_key);
    let out = plugin
        .build_send(&OutboundMessage {
            message_id: "42".into(),
            from: "+15550002222".into(),
            to: "+15557654321".into(),
            body: "Hi & \"welcome\"".into(),
            media_urls: vec!["https://desk.example.com/m/1.jpg".into()],
            status_callback_url: Some("https://desk.example.com/webhooks/telnyx/status".into()),
        })
        .unwrap()
        .unwrap();
    assert_eq!(out.method, "POST");
    assert_eq!(out.url, "http://127.0.0.1:9/telnyx/v2/messages");
    assert_eq!(out.auth, Auth::Bearer("api_key".into()));
    assert_eq!(
        plugin.authorization(&out.auth).unwrap().as_deref(),
        Some("Bearer KEYtest")
    );
    let body: serde_json::Value = serde_json::from_slice(&out.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({
            "from": "+15550002222",
            "to": "+15557654321",
            "text": "Hi & \"welcome\"",
            "media_urls": ["https://desk.example.com/m/1.jpg"],
            "messaging_profile_id": "profile-1",
            "webhook_url": "https://desk.example.com/webhooks/telnyx/status",
        })
    );
    // The key never appears in what the plugin built.
    assert!(!String::from_utf8_lossy(&out.body).contains("KEYtest"));
    assert!(out.headers.iter().all(|(_, v)| !v.contains("KEYtest")));
}

fn response(status: u16, body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![("retry-after".into(), "3".into())],
        body: body.as_bytes().to_vec(),
    }
}

#[test]
fn answers_are_read_into_sent_retryable_permanent_or_opted_out() {
    let plugin = telnyx_with(&host(), &vector("inbound_sms").public_key);
    let sent = plugin
        .parse_send_response(&response(
            200,
            r#"{"data":{"id":"4031938e-60c4-4b1e-8e0c-3b5e5a6e0b0c","parts":2,"to":[{"phone_number":"+15557654321","status":"queued"}]}}"#,
        ))
        .unwrap();
    assert_eq!(
        sent,
        SendOutcome::Sent {
            provider_id: "4031938e-60c4-4b1e-8e0c-3b5e5a6e0b0c".into(),
            segments: Some(2)
        }
    );
    let stop = plugin
        .parse_send_response(&response(
            400,
            r#"{"errors":[{"code":"40300","title":"Blocked due to STOP message","detail":"The number has opted out."}]}"#,
        ))
        .unwrap();
    assert!(matches!(stop, SendOutcome::OptedOut(CarrierError { code: Some(ref c), .. }) if c == "40300"));
    let busy = plugin
        .parse_send_response(&response(
            429,
            r#"{"errors":[{"code":"10011","title":"Too many requests"}]}"#,
        ))
        .unwrap();
    assert_eq!(
        busy,
        SendOutcome::Retryable(CarrierError {
            code: Some("10011".into()),
            message: "Too many requests".into(),
            retry_after_ms: Some(3000)
        })
    );
    let down = plugin
        .parse_send_response(&response(502, "<html>bad gateway</html>"))
        .unwrap();
    assert!(
        matches!(down, SendOutcome::Retryable(CarrierError { code: None, ref message, .. }) if message == "HTTP 502")
    );
    let bad = plugin
        .parse_send_response(&response(
            422,
            r#"{"errors":[{"code":"40310","title":"Invalid 'to' address"}]}"#,
        ))
        .unwrap();
    assert!(matches!(bad, SendOutcome::Permanent(CarrierError { code: Some(ref c), .. }) if c == "40310"));
}
