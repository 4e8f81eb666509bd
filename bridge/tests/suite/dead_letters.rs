//! Kept requests (dead letters) against the running binary: the byte cap
//! (`storage.dead_letters_max_mib`) answers 503 saying so when it is
//! reached, and keeps again once there is room; `storage.retention`
//! deletes old ones; letters of an older smsdesk (`*.json`) are still
//! replayed; `/metrics` counts them.

use std::time::{Duration, SystemTime};

use crate::common::{self, free_port, post_signed, sms_params, Server, ENTRY, TOKEN};

/// The tests' server config with these lines added to `[storage]`.
fn config_with(port: u16, storage: &str) -> String {
    common::config::server_config(port, "http://127.0.0.1:9", None).replacen(
        "[storage]\n",
        &format!("[storage]\n{storage}\n"),
        1,
    )
}

async fn metrics(server: &Server) -> String {
    reqwest::get(server.url("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The value of one sample in `/metrics` text (0 if absent).
fn sample(metrics: &str, name: &str) -> u64 {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
        .unwrap_or(0)
}

/// A signed SMS to a number no entry point serves: kept, if there is room.
fn stray(i: u32) -> Vec<(String, String)> {
    sms_params("SM0", "+15557770001", "+15559999999", "anyone?")
        .into_iter()
        .map(|(k, v)| {
            let v = if k == "MessageSid" {
                format!("SM{i:032}")
            } else {
                v.to_owned()
            };
            (k.to_owned(), v)
        })
        .collect()
}

async fn post_stray(client: &reqwest::Client, server: &Server, i: u32) -> (u16, String) {
    let params = stray(i);
    let p: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    post_signed(client, server, &p, TOKEN).await
}

/// Before: the only bound was 10,000 files (about 3.9 GB of escaped
/// bodies), and a letter that could not be kept was still answered 422
/// "the message is kept".
#[tokio::test(flavor = "multi_thread")]
async fn a_full_folder_answers_503_saying_so_and_keeps_again_once_there_is_room() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    // The folder already holds 1 MiB, all that 1 MiB allows.
    let folder = dir.path().join("data/smsdesk/dead-letters");
    std::fs::create_dir_all(&folder).unwrap();
    let filler = folder.join("twilio-inbound-000000000000000000000000.letter");
    std::fs::write(&filler, vec![b'x'; 1024 * 1024]).unwrap();
    let mut server = Server::start_with_config(dir.path(), port, &config_with(port, "dead_letters_max_mib = 1"), None);
    let client = reqwest::Client::new();
    let m = metrics(&server).await;
    assert_eq!(sample(&m, "smsdesk_dead_letters"), 1, "{m}");
    assert_eq!(sample(&m, "smsdesk_dead_letters_bytes"), 1024 * 1024, "{m}");

    let (status, body) = post_stray(&client, &server, 1).await;
    assert_eq!(status, 503, "the carrier must retry: {body}");
    assert!(body.contains("storage for unroutable messages is full"), "{body}");
    assert!(!body.contains("kept"), "{body}");
    assert_eq!(server.dead_letters(), vec![filler.clone()], "nothing more was written");
    // The same for a signed request the carrier plugin fails on.
    let (status, body) = {
        use hmac::Mac as _;
        let form = "MessageSid=SM1&From=%2B15557770001&To=%2B15550001111&Body=hi";
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(common::BROKEN_TOKEN.as_bytes()).unwrap();
        mac.update(form.as_bytes());
        let r = client
            .post(server.url("/webhooks/broken/inbound"))
            .header("x-hostile-signature", hex::encode(mac.finalize().into_bytes()))
            .body(form)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    };
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("storage for unroutable messages is full"), "{body}");
    let m = metrics(&server).await;
    assert_eq!(
        sample(&m, r#"smsdesk_dead_letters_refused_total{reason="full"}"#),
        2,
        "{m}"
    );

    // The operator makes room: the carrier's retry is kept.
    std::fs::remove_file(&filler).unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (status, body) = post_stray(&client, &server, 1).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("the message is kept"), "{body}");
    let kept = server.dead_letters();
    assert_eq!(kept.len(), 1, "{kept:?}");
    let size = std::fs::metadata(&kept[0]).unwrap().len();
    let m = metrics(&server).await;
    assert_eq!(sample(&m, "smsdesk_dead_letters"), 1, "{m}");
    assert_eq!(sample(&m, "smsdesk_dead_letters_bytes"), size, "{m}");
    server.stop();
}

/// Before: kept requests stayed forever, whatever `storage.retention` said.
#[tokio::test(flavor = "multi_thread")]
async fn kept_requests_older_than_the_retention_are_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let folder = dir.path().join("data/smsdesk/dead-letters");
    std::fs::create_dir_all(&folder).unwrap();
    let aged = |name: &str, age: Duration| {
        let path = folder.join(name);
        std::fs::write(&path, b"{}").unwrap();
        let file = std::fs::File::options().write(true).open(&path).unwrap();
        file.set_modified(SystemTime::now() - age).unwrap();
        path
    };
    let day = Duration::from_secs(86_400);
    let old = aged("twilio-inbound-aaaaaaaaaaaaaaaaaaaaaaaa.letter", 3 * day);
    let old_json = aged("twilio-inbound-bbbbbbbbbbbbbbbbbbbbbbbb.json", 3 * day);
    let young = aged("twilio-inbound-cccccccccccccccccccccccc.letter", day / 2);
    let mut server = Server::start_with_config(dir.path(), port, &config_with(port, "retention = \"2d\""), None);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while old.exists() || old_json.exists() {
        assert!(std::time::Instant::now() < deadline, "expired letters are still there");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(young.exists(), "a letter younger than the retention stays");
    // A request kept now stays too.
    let (status, body) = post_stray(&reqwest::Client::new(), &server, 2).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(server.dead_letters().len(), 2);
    let m = metrics(&server).await;
    assert_eq!(sample(&m, "smsdesk_dead_letters"), 2, "{m}");
    server.stop();
}

/// Letters of an older smsdesk (`*.json`: the request as JSON) are still
/// replayed, and deleted once accepted.
#[tokio::test(flavor = "multi_thread")]
async fn a_letter_of_an_older_smsdesk_is_still_replayed() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/webhooks/twilio/inbound");
    let params = sms_params(
        "SM00000000000000000000000000000077",
        "+15557770001",
        ENTRY,
        "from before",
    );
    let old = serde_json::json!({
        "carrier": "twilio",
        "kind": "inbound",
        "reason": "no entry point for +15550001111",
        "received_at_ms": 1_700_000_000_000u64,
        "request": {
            "method": "POST",
            "url": url,
            "headers": [
                ["content-type", "application/x-www-form-urlencoded"],
                ["x-twilio-signature", common::sign(&url, &params, TOKEN)],
            ],
            "body": common::form(&params),
        },
    });
    let folder = dir.path().join("data/smsdesk/dead-letters");
    std::fs::create_dir_all(&folder).unwrap();
    let file = folder.join("twilio-inbound-dddddddddddddddddddddddd.json");
    std::fs::write(&file, serde_json::to_vec_pretty(&old).unwrap()).unwrap();
    let mut server = Server::start_with_config(dir.path(), port, &config_with(port, ""), None);
    let out = tokio::task::block_in_place(|| {
        std::process::Command::new(env!("CARGO_BIN_EXE_smsdesk"))
            .args(["replay", "--config"])
            .arg(&server.config)
            .env("SMSDESK_TEST_TOKEN", TOKEN)
            .output()
            .unwrap()
    });
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("accepted (200"), "{stdout}");
    assert!(!file.exists());
    server.stop();
    let (messages, _) = common::stored(&server.storage());
    assert_eq!(messages.get("SM00000000000000000000000000000077"), Some(&1));
}

/// A folder that cannot be written (here a file stands where it should
/// be): 503 saying so, counted as "unwritable", never "kept".
#[tokio::test(flavor = "multi_thread")]
async fn a_folder_that_cannot_be_written_answers_503_and_keeps_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let storage = dir.path().join("data/smsdesk");
    std::fs::create_dir_all(&storage).unwrap();
    std::fs::write(storage.join("dead-letters"), b"not a folder").unwrap();
    let mut server = Server::start_with_config(dir.path(), port, &config_with(port, ""), None);
    let (status, body) = post_stray(&reqwest::Client::new(), &server, 3).await;
    assert_eq!(status, 503, "the carrier must retry: {body}");
    assert!(
        body.contains("storage for unroutable messages is full or cannot be written"),
        "{body}"
    );
    assert!(!body.contains("is kept"), "{body}");
    let m = metrics(&server).await;
    assert_eq!(
        sample(&m, r#"smsdesk_dead_letters_refused_total{reason="unwritable"}"#),
        1,
        "{m}"
    );
    server.stop();
}
