//! The Twilio carrier plugin against Twilio's own signature vectors
//! (fixtures/twilio/vectors.json, produced by the official Python helper
//! library), tampered variants of each, and the parsing of webhooks, send
//! requests and Twilio's answers.
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
    token: String,
    params: Vec<(String, String)>,
    body: String,
    content_type: String,
    signature: String,
    validate_url: String,
    valid: bool,
}

fn vectors() -> Vec<Vector> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/twilio/vectors.json"
    ))
    .unwrap();
    serde_json::from_str::<Vectors>(&text).unwrap().vectors
}

fn request(url: &str, body: &str, content_type: &str, signature: &str) -> HttpRequest {
    HttpRequest {
        method: "POST".into(),
        url: url.into(),
        headers: vec![
            ("content-type".into(), content_type.into()),
            ("x-twilio-signature".into(), signature.into()),
        ],
        body: body.as_bytes().to_vec(),
        received_at_ms: None,
    }
}

fn kind_of(v: &Vector) -> WebhookKind {
    if v.params.iter().any(|(k, _)| k == "MessageStatus") {
        WebhookKind::Status
    } else {
        WebhookKind::Inbound
    }
}

/// `true` if the signature was accepted (whatever the parse then said).
fn accepted(plugin: &CarrierPlugin, v: &Vector, req: &HttpRequest) -> bool {
    match plugin.handle_webhook(kind_of(v), req).unwrap() {
        Ok(_) | Err(WebhookError::Malformed(_)) => true,
        Err(WebhookError::BadSignature(_)) => false,
        Err(other) => panic!("vector {}: {other}", v.name),
    }
}

#[test]
fn official_vectors_are_accepted_or_refused_as_twilio_says() {
    let host = host();
    let vectors = vectors();
    assert!(vectors.len() >= 20);
    assert!(vectors.iter().any(|v| !v.valid));
    let mut plugins = std::collections::BTreeMap::new();
    for v in &vectors {
        let (current, v0_1) = plugins.entry(v.token.clone()).or_insert_with(|| {
            (
                twilio_with(&host, &v.token),
                carrier_at(&host, &v0_1_fixture("carrier-twilio"), &v.token),
            )
        });
        let req = request(&v.validate_url, &v.body, &v.content_type, &v.signature);
        assert_eq!(accepted(current, v, &req), v.valid, "vector {}", v.name);
        // The binary built for 0.1.0 runs under this host and agrees, answer for answer.
        assert_eq!(v0_1.info().version, "0.1.0");
        assert_eq!(
            v0_1.handle_webhook(kind_of(v), &req).unwrap(),
            current.handle_webhook(kind_of(v), &req).unwrap(),
            "vector {} under the 0.1.0 build",
            v.name
        );
    }
}

#[test]
fn every_tampering_of_a_valid_vector_is_refused() {
    let host = host();
    let honest = twilio_with(&host, TOKEN);
    let other_token = twilio_with(&host, "fedcba9876543210fedcba9876543210");
    let mut checked = 0;
    for v in vectors().into_iter().filter(|v| v.valid && v.token == TOKEN) {
        let ok = request(&v.validate_url, &v.body, &v.content_type, &v.signature);
        assert!(accepted(&honest, &v, &ok), "{} should pass untampered", v.name);
        // Token.
        assert!(!accepted(&other_token, &v, &ok), "{}: other token accepted", v.name);
        // Body: an extra parameter, or one character changed.
        let mut body = v.body.clone();
        if v.content_type.contains("json") {
            body = body.replacen('"', "'", 1);
            if body == v.body {
                body.push(' ');
            }
        } else {
            body.push_str(if body.is_empty() { "X=1" } else { "&X=1" });
        }
        let tampered = request(&v.validate_url, &body, &v.content_type, &v.signature);
        assert!(!accepted(&honest, &v, &tampered), "{}: changed body accepted", v.name);
        // URL path.
        let url = v.validate_url.replacen("/webhooks/", "/webhookz/", 1);
        assert_ne!(url, v.validate_url);
        assert!(
            !accepted(&honest, &v, &request(&url, &v.body, &v.content_type, &v.signature)),
            "{}: changed URL accepted",
            v.name
        );
        // Signature: missing, or not base64, or one bit off.
        let mut missing = ok.clone();
        missing.headers.retain(|(k, _)| k != "x-twilio-signature");
        assert!(
            !accepted(&honest, &v, &missing),
            "{}: missing signature accepted",
            v.name
        );
        let flipped = {
            let mut s = v.signature.clone().into_bytes();
            s[0] = if s[0] == b'A' { b'B' } else { b'A' };
            String::from_utf8(s).unwrap()
        };
        assert!(
            !accepted(
                &honest,
                &v,
                &request(&v.validate_url, &v.body, &v.content_type, &flipped)
            ),
            "{}: changed signature accepted",
            v.name
        );
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} vectors tampered");
}

#[test]
fn a_changed_parameter_value_is_refused() {
    let plugin = twilio();
    let v = vectors()
        .into_iter()
        .find(|v| v.name == "inbound_sms_realistic")
        .unwrap();
    let body = v.body.replace("From=%2B12125550199", "From=%2B12125550100");
    assert_ne!(body, v.body);
    let req = request(&v.validate_url, &body, &v.content_type, &v.signature);
    assert!(matches!(
        plugin.handle_webhook(WebhookKind::Inbound, &req).unwrap(),
        Err(WebhookError::BadSignature(_))
    ));
}

#[test]
fn inbound_sms_is_parsed_with_media_and_answered_with_empty_twiml() {
    let plugin = twilio();
    let v = vectors()
        .into_iter()
        .find(|v| v.name == "inbound_sms_realistic")
        .unwrap();
    let req = request(&v.validate_url, &v.body, &v.content_type, &v.signature);
    let result = plugin.handle_webhook(WebhookKind::Inbound, &req).unwrap().unwrap();
    assert_eq!(result.messages.len(), 1);
    let m = &result.messages[0];
    assert_eq!(m.carrier_message_id, "SM0123456789abcdef0123456789abcdef");
    assert_eq!(m.from, "+12125550199");
    assert_eq!(m.to, "+14155550100");
    assert!(m.body.starts_with("Héllo 👋 & <ok>?"), "{:?}", m.body);
    assert_eq!(result.response.status, 200);
    assert!(String::from_utf8_lossy(&result.response.body).contains("<Response></Response>"));
}

#[test]
fn status_callbacks_are_parsed_with_error_codes() {
    let plugin = twilio();
    let v = vectors()
        .into_iter()
        .find(|v| v.name == "status_callback_failed_30003")
        .unwrap();
    let req = request(&v.validate_url, &v.body, &v.content_type, &v.signature);
    let result = plugin.handle_webhook(WebhookKind::Status, &req).unwrap().unwrap();
    assert!(result.messages.is_empty());
    assert_eq!(result.statuses.len(), 1);
    assert_eq!(result.statuses[0].state, DeliveryState::Failed);
    assert_eq!(result.statuses[0].error_code.as_deref(), Some("30003"));
}

#[test]
fn malformed_but_signed_requests_are_malformed_not_bad_signature() {
    let plugin = twilio();
    let v = vectors()
        .into_iter()
        .find(|v| v.name == "no_params_empty_form_body")
        .unwrap();
    let req = request(&v.validate_url, &v.body, &v.content_type, &v.signature);
    let r = plugin.handle_webhook(WebhookKind::Inbound, &req).unwrap();
    assert_eq!(r, Err(WebhookError::Malformed("missing MessageSid".into())));
}

#[test]
fn send_request_is_twilio_shaped_and_authenticated_by_the_host() {
    const TOKEN: &str = "s3cr3t-auth-token-value";
    let plugin = twilio_with(&host(), TOKEN);
    let out = plugin
        .build_send(&OutboundMessage {
            message_id: "42".into(),
            from: "+15550001111".into(),
            to: "+15557770001".into(),
            body: "Hi & welcome".into(),
            media_urls: Vec::new(),
            status_callback_url: Some("https://desk.example.com/webhooks/twilio/status".into()),
        })
        .unwrap()
        .unwrap();
    assert_eq!(out.method, "POST");
    assert_eq!(
        out.url,
        format!("http://127.0.0.1:9/twilio/2010-04-01/Accounts/{ACCOUNT}/Messages.json")
    );
    let form: Vec<(String, String)> = serde_urlencoded_pairs(&out.body);
    assert!(form.contains(&("To".into(), "+15557770001".into())));
    assert!(form.contains(&("From".into(), "+15550001111".into())));
    assert!(form.contains(&("Body".into(), "Hi & welcome".into())));
    assert!(form.contains(&(
        "StatusCallback".into(),
        "https://desk.example.com/webhooks/twilio/status".into()
    )));
    assert_eq!(out.auth, Auth::Basic("account_sid".into(), "auth_token".into()));
    let header = plugin.authorization(&out.auth).unwrap().unwrap();
    use base64::Engine as _;
    let expected = base64::engine::general_purpose::STANDARD.encode(format!("{ACCOUNT}:{TOKEN}"));
    assert_eq!(header, format!("Basic {expected}"));
    // The token is nowhere in what the plugin produced.
    assert!(!String::from_utf8_lossy(&out.body).contains(TOKEN));
    assert!(!format!("{out:?}").contains(TOKEN));
}

fn serde_urlencoded_pairs(body: &[u8]) -> Vec<(String, String)> {
    String::from_utf8_lossy(body)
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}

fn decode(s: &str) -> String {
    let s = s.replace('+', " ");
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn response(status: u16, body: &str, headers: &[(&str, &str)]) -> HttpResponse {
    HttpResponse {
        status,
        headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        body: body.as_bytes().to_vec(),
    }
}

#[test]
fn twilio_answers_are_read_as_sent_retryable_or_permanent() {
    let plugin = twilio();
    let sent = plugin
        .parse_send_response(&response(
            201,
            r#"{"sid":"SMabc","status":"queued","num_segments":"2"}"#,
            &[],
        ))
        .unwrap();
    assert_eq!(
        sent,
        SendOutcome::Sent {
            provider_id: "SMabc".into(),
            segments: Some(2)
        }
    );
    let busy = plugin
        .parse_send_response(&response(
            429,
            r#"{"code":20429,"message":"Too Many Requests","status":429}"#,
            &[("Retry-After", "2")],
        ))
        .unwrap();
    assert_eq!(
        busy,
        SendOutcome::Retryable(CarrierError {
            code: Some("20429".into()),
            message: "Too Many Requests".into(),
            retry_after_ms: Some(2000)
        })
    );
    let down = plugin
        .parse_send_response(&response(503, "<html>oops</html>", &[]))
        .unwrap();
    assert!(matches!(down, SendOutcome::Retryable(CarrierError { code: None, .. })));
    let unsubscribed = response(
        400,
        r#"{"code":21610,"message":"Attempt to send to unsubscribed recipient","more_info":"https://www.twilio.com/docs/errors/21610","status":400}"#,
        &[],
    );
    // 0.2.0 says what 21610 means, so the host opts the customer out;
    // the 0.1.0 build could only say "permanent", and still does.
    let stop = plugin.parse_send_response(&unsubscribed).unwrap();
    assert!(matches!(stop, SendOutcome::OptedOut(CarrierError { code: Some(ref c), .. }) if c == "21610"));
    let old = carrier_at(&host(), &v0_1_fixture("carrier-twilio"), TOKEN);
    let stop = old.parse_send_response(&unsubscribed).unwrap();
    assert!(matches!(stop, SendOutcome::Permanent(CarrierError { code: Some(ref c), .. }) if c == "21610"));
}

#[test]
fn a_missing_auth_token_is_the_operators_to_fix_not_a_bad_signature() {
    let v = vectors().into_iter().find(|v| v.valid).unwrap();
    let no_token = CarrierPlugin::load(
        &host(),
        "twilio",
        &plugin("carrier-twilio"),
        vec![("account_sid".into(), ACCOUNT.into())],
        smsdesk_plugins::Secrets::default(),
    )
    .unwrap();
    let req = request(&v.validate_url, &v.body, &v.content_type, &v.signature);
    let got = no_token.handle_webhook(kind_of(&v), &req).unwrap();
    // 503 and the request kept, so nothing is lost while the config is fixed.
    let Err(WebhookError::RetryLater(why)) = got else {
        panic!("{got:?}")
    };
    assert!(why.contains("auth_token"), "{why}");
}
