//! The HTTP gateway, black-box: a real `smsdesk run` process, real signed
//! Twilio-style webhooks over loopback, the store inspected after it stops.

use crate::common;

use std::time::Duration;

use common::*;

#[tokio::test(flavor = "multi_thread")]
async fn inbound_sms_is_acknowledged_only_once_stored_and_queued() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path());
    let client = reqwest::Client::new();
    let params = sms_params(
        "SM00000000000000000000000000000001",
        "+15557770001",
        ENTRY,
        "my bill is wrong",
    );
    let (status, body) = post_signed(&client, &server, &params, TOKEN).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("<Response></Response>"), "{body}");
    // The carrier retries: acknowledged again, stored once.
    let (status, _) = post_signed(&client, &server, &params, TOKEN).await;
    assert_eq!(status, 200);
    let metrics = client
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(r#"smsdesk_webhooks_total{carrier="twilio",kind="inbound",outcome="accepted"} 1"#),
        "{metrics}"
    );
    assert!(metrics.contains(r#"outcome="duplicate"} 1"#), "{metrics}");
    assert_eq!(client.get(server.url("/healthz")).send().await.unwrap().status(), 200);
    let ready: serde_json::Value = client
        .get(server.url("/readyz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["ready"], true);
    server.stop();
    let (messages, open) = stored(&server.storage());
    assert_eq!(messages.get("SM00000000000000000000000000000001"), Some(&1));
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].phase.label(), "queued");
    assert_eq!(open[0].queue.as_str(), "billing");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_refused_with_the_right_status_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path());
    let client = reqwest::Client::new();
    let url = server.url("/webhooks/twilio/inbound");
    let good = sms_params("SM00000000000000000000000000000002", "+15557770001", ENTRY, "hello");

    // Bad signature: 403.
    let (status, body) = post_signed(&client, &server, &good, "wrong-token").await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("bad signature"), "{body}");
    // Tampered body after signing: 403.
    let sig = sign(&url, &good, TOKEN);
    let tampered = form(&sms_params(
        "SM00000000000000000000000000000002",
        "+15557770001",
        ENTRY,
        "hellO",
    ));
    let r = client
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-twilio-signature", sig)
        .body(tampered)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // Malformed (signed, but no MessageSid): 400.
    let malformed = [("Body", "hi"), ("From", "+15557770001"), ("To", ENTRY)];
    let (status, body) = post_signed(&client, &server, &malformed, TOKEN).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("missing MessageSid"), "{body}");
    // Over the body limit (4096 in this config): 413.
    let big = "x".repeat(5000);
    let huge = sms_params("SM00000000000000000000000000000003", "+15557770001", ENTRY, &big);
    let (status, body) = post_signed(&client, &server, &huge, TOKEN).await;
    assert_eq!(status, 413, "{body}");
    // Unknown carrier: 404.
    let r = client
        .post(server.url("/webhooks/nexmo/inbound"))
        .body("x=1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(r.text().await.unwrap().contains("unknown carrier \"nexmo\""));
    // Unknown entry number: 422, and the request is kept for replay.
    let stray = sms_params(
        "SM00000000000000000000000000000004",
        "+15557770001",
        "+15559999999",
        "anyone?",
    );
    let (status, body) = post_signed(&client, &server, &stray, TOKEN).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("+15559999999"), "{body}");
    assert_eq!(server.dead_letters().len(), 1);
    let letter = std::fs::read_to_string(&server.dead_letters()[0]).unwrap();
    assert!(letter.contains("no entry point for +15559999999"), "{letter}");

    server.stop();
    let (messages, open) = stored(&server.storage());
    assert!(messages.is_empty(), "bad input changed state: {messages:?}");
    assert!(open.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn sigkill_right_after_200_acks_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path());
    let client = reqwest::Client::new();
    let sids: Vec<String> = (0..200).map(|i| format!("SM{i:032}")).collect();
    let customers: Vec<String> = (0..200).map(|i| format!("+1555700{:04}", i % 37)).collect();
    // 16 concurrent senders, like a carrier's burst.
    let mut acked = Vec::new();
    for chunk in sids.iter().zip(&customers).collect::<Vec<_>>().chunks(16) {
        let mut tasks = Vec::new();
        for (sid, from) in chunk {
            let client = client.clone();
            let url = server.url("/webhooks/twilio/inbound");
            let params: Vec<(String, String)> = sms_params(sid, from, ENTRY, "burst")
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            let sid = sid.to_string();
            tasks.push(tokio::spawn(async move {
                let p: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                let r = client
                    .post(&url)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("x-twilio-signature", sign(&url, &p, TOKEN))
                    .body(form(&p))
                    .timeout(Duration::from_secs(20))
                    .send()
                    .await
                    .unwrap();
                (sid, r.status().as_u16())
            }));
        }
        for t in tasks {
            let (sid, status) = t.await.unwrap();
            assert_eq!(status, 200);
            acked.push(sid);
        }
    }
    assert_eq!(acked.len(), 200);
    server.kill9();
    let (messages, _) = stored(&server.storage());
    for sid in &acked {
        assert_eq!(
            messages.get(sid),
            Some(&1),
            "{sid} acknowledged but not stored exactly once"
        );
    }
    // And a restarted server carries on from there.
    server.spawn();
    let (status, _) = post_signed(
        &client,
        &server,
        &sms_params(&sids[0], &customers[0], ENTRY, "burst"),
        TOKEN,
    )
    .await;
    assert_eq!(status, 200, "a retry after the restart is acknowledged");
    server.stop();
    let (messages, _) = stored(&server.storage());
    assert_eq!(messages.len(), 200);
    assert!(messages.values().all(|n| *n == 1));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_kept_request_is_replayed_once_the_number_is_configured() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path());
    let client = reqwest::Client::new();
    let stray = sms_params(
        "SM00000000000000000000000000000009",
        "+15557770001",
        "+15550002222",
        "new number?",
    );
    let (status, _) = post_signed(&client, &server, &stray, TOKEN).await;
    assert_eq!(status, 422);
    assert_eq!(server.dead_letters().len(), 1);
    let replay = |server: &Server| {
        std::process::Command::new(env!("CARGO_BIN_EXE_smsdesk"))
            .args(["replay", "--config"])
            .arg(&server.config)
            .env("SMSDESK_TEST_TOKEN", TOKEN)
            .output()
            .unwrap()
    };
    // Still unknown: refused again, kept.
    let out = tokio::task::block_in_place(|| replay(&server));
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("refused again (422"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(server.dead_letters().len(), 1);
    // The operator adds the number and restarts; the replay is stored.
    server.stop();
    let text = std::fs::read_to_string(&server.config).unwrap();
    std::fs::write(
        &server.config,
        text.replacen("[[queues]]", "[[entry_points]]\nnumber = \"+15550002222\"\nkind = \"long-code\"\ncarrier = \"twilio\"\nqueue = \"billing\"\n\n[[queues]]", 1),
    )
    .unwrap();
    server.spawn();
    let out = tokio::task::block_in_place(|| replay(&server));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(server.dead_letters().is_empty());
    server.stop();
    let (messages, _) = stored(&server.storage());
    assert_eq!(messages.get("SM00000000000000000000000000000009"), Some(&1));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_carrier_plugin_gets_503_the_request_kept_and_the_server_keeps_serving() {
    use hmac::Mac as _;
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path());
    let client = reqwest::Client::new();
    let body = "MessageSid=SM1&From=%2B15557770001&To=%2B15550001111&Body=hi";
    let post = |signature: Option<String>| {
        let mut r = client
            .post(server.url("/webhooks/broken/inbound"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        if let Some(s) = signature {
            r = r.header("x-hostile-signature", s);
        }
        r.send()
    };
    // Unsigned (or wrongly signed): 503, and nothing is written. Before,
    // every request a plugin failed on was kept, signed or not.
    for signature in [None, Some("00".repeat(32))] {
        let r = post(signature).await.unwrap();
        assert_eq!(r.status(), 503, "the carrier must retry");
        let text = r.text().await.unwrap();
        assert!(!text.contains("kept"), "{text}");
        assert!(server.dead_letters().is_empty(), "an unsigned request was kept");
    }
    // Signed with the carrier's secret: 503, and kept for replay.
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(BROKEN_TOKEN.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    let r = post(Some(hex::encode(mac.finalize().into_bytes()))).await.unwrap();
    assert_eq!(r.status(), 503, "the carrier must retry");
    assert!(r.text().await.unwrap().contains("kept"));
    let letters = server.dead_letters();
    assert_eq!(letters.len(), 1);
    let letter = std::fs::read_to_string(&letters[0]).unwrap();
    assert!(letter.contains("trapped in handle-webhook"), "{letter}");
    assert!(letter.contains("MessageSid=SM1"), "the raw request is kept: {letter}");
    // Still serving, on the same plugin host.
    let ok = sms_params(
        "SM00000000000000000000000000000010",
        "+15557770001",
        ENTRY,
        "still there?",
    );
    assert_eq!(post_signed(&client, &server, &ok, TOKEN).await.0, 200);
    let metrics = client
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(r#"smsdesk_webhooks_total{carrier="broken",kind="inbound",outcome="plugin_failure"} 3"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"smsdesk_plugin_failures{plugin="broken"} 3"#),
        "{metrics}"
    );
    server.stop();
}

/// Correctly signed webhooks with fields smsdesk must not store: a sender
/// that is no phone number, a huge carrier id, a body with NUL. Each is
/// refused with 400 naming the field, and nothing is stored.
#[tokio::test(flavor = "multi_thread")]
async fn signed_but_insane_fields_are_refused_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path());
    let client = reqwest::Client::new();
    let long_digits = "9".repeat(300);
    let long_sid = format!("SM{}", "a".repeat(3_000));
    let cases: [(&str, &str, &str, &str); 4] = [
        (
            "SM00000000000000000000000000000101",
            "<script>alert(1)</script>",
            "hi",
            "from:",
        ),
        ("SM00000000000000000000000000000102", &long_digits, "hi", "from:"),
        (&long_sid, "+15557770001", "hi", "message id:"),
        (
            "SM00000000000000000000000000000103",
            "+15557770001",
            "nul\0byte",
            "body:",
        ),
    ];
    for (sid, from, body, field) in cases {
        let params = sms_params(sid, from, ENTRY, body);
        let (status, answer) = post_signed(&client, &server, &params, TOKEN).await;
        assert_eq!(status, 400, "{from:.40} / {sid:.40} / {body:?}: {answer}");
        assert!(answer.contains(field), "{answer}");
    }
    // A sane one still gets in.
    let params = sms_params(
        "SM00000000000000000000000000000104",
        "+15557770001",
        ENTRY,
        "tab\tand\r\nlines",
    );
    assert_eq!(post_signed(&client, &server, &params, TOKEN).await.0, 200);
    server.stop();
    let (messages, _) = stored(&server.storage());
    assert_eq!(
        messages.keys().collect::<Vec<_>>(),
        ["SM00000000000000000000000000000104"],
        "only the sane message is stored"
    );
}

/// After a storage failure the engine refuses work until restarted: the
/// webhook gets 503 (the carrier retries) and /readyz says the store failed.
#[tokio::test(flavor = "multi_thread")]
async fn readyz_says_so_after_a_storage_failure() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = Server::start_with(dir.path(), port, "http://127.0.0.1:9");
    server.stop();
    // The next start writes nothing (its store exists); its first commit fails.
    server.env = vec![("SMSDESK_FAILPOINT".into(), "store-commit-fails-after:0".into())];
    server.spawn();
    let client = reqwest::Client::new();
    let ready = client.get(server.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200, "healthy until a commit fails");
    let params = sms_params("SM00000000000000000000000000000201", "+15557770001", ENTRY, "hello");
    let (status, body) = post_signed(&client, &server, &params, TOKEN).await;
    assert_eq!(status, 503, "{body}");
    let ready = client.get(server.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    let ready: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(ready["ready"], false);
    let store = ready["store"].as_str().unwrap();
    assert!(
        store.starts_with("failed: ") && store.contains("disk refuses writes"),
        "{ready}"
    );
    server.stop();
}

/// What smsdesk keeps holds customers' messages: the storage directory is
/// its owner's only (0700), and the files in it too (0600).
#[tokio::test(flavor = "multi_thread")]
async fn stored_data_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path());
    let client = reqwest::Client::new();
    let params = sms_params("SM00000000000000000000000000000301", "+15557770001", ENTRY, "private");
    assert_eq!(post_signed(&client, &server, &params, TOKEN).await.0, 200);
    // A refused one is kept as a file.
    let params = sms_params("SM00000000000000000000000000000302", "<b>", ENTRY, "x");
    assert_eq!(post_signed(&client, &server, &params, TOKEN).await.0, 400);
    server.stop();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&server.storage()), 0o700);
    assert_eq!(mode(&server.storage().join("dead-letters")), 0o700);
    for file in [
        server.storage().join("wal"),
        server.storage().join("db"),
        server.dead_letters()[0].clone(),
    ] {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_cannot_forge_a_log_line() {
    // Before: the unknown carrier's name was printed raw, and its %0a
    // started a line of the attacker's own in text logs.
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let text = common::config::server_config(port, "http://127.0.0.1:9", None);
    let log = dir.path().join("smsdesk.log");
    let mut server = Server::start_with_config(dir.path(), port, &text, None);
    server.stop();
    server.log = Some(log.clone());
    server.env = vec![("SMSDESK_LOG".into(), "info".into())];
    server.spawn();
    let r = reqwest::Client::new()
        .post(server.url("/webhooks/nonexistent%0aINFO%20fake%20log%20line/inbound"))
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    server.stop();
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("webhook for an unknown carrier"), "{text}");
    assert!(
        !text.lines().any(|l| l.starts_with("INFO fake")),
        "a forged line:\n{text}"
    );
    assert!(text.contains(r"nonexistent\nINFO fake log line"), "{text}");
}
