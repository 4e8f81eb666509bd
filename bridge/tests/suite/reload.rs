//! Plugin hot reload as an operator meets it: SIGHUP reloads every plugin,
//! router plugins included, and a broken new file keeps the loaded one.

use crate::common;

use std::time::{Duration, Instant};

use common::config::server_config;
use common::{dist, free_port, Server};

/// Waits (up to 20 s) until the log file has a line containing every needle.
fn wait_log(path: &std::path::Path, needles: &[&str]) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let log = std::fs::read_to_string(path).unwrap_or_default();
        if log.lines().any(|l| needles.iter().all(|n| l.contains(n))) {
            return log;
        }
        assert!(Instant::now() < deadline, "no log line with {needles:?}:\n{log}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn sighup_reloads_router_plugins_too() {
    let dir = tempfile::tempdir().unwrap();
    let router = dir.path().join("router.wasm");
    std::fs::copy(dist("router-round-robin"), &router).unwrap();
    let port = free_port();
    let text = server_config(port, "http://127.0.0.1:9", None).replace(
        "name = \"billing\"\n",
        &format!("name = \"billing\"\nrouter = \"{}\"\n", router.display()),
    );
    let log = dir.path().join("smsdesk.log");
    let mut server = Server::start_with_config(dir.path(), port, &text, None);
    server.stop();
    server.log = Some(log.clone());
    server.env = vec![("SMSDESK_LOG".into(), "info".into())];
    server.spawn();
    let pid = server.child.as_ref().unwrap().id().to_string();
    std::process::Command::new("kill")
        .args(["-HUP", &pid])
        .status()
        .unwrap();
    let router_path = router.display().to_string();
    wait_log(&log, &["plugin reloaded", &router_path]);

    // A broken router file: reported, and the loaded one stays.
    std::fs::write(&router, b"not wasm").unwrap();
    std::process::Command::new("kill")
        .args(["-HUP", &pid])
        .status()
        .unwrap();
    wait_log(&log, &["router plugin reload failed", "billing"]);
    assert!(
        server.child.as_mut().unwrap().try_wait().unwrap().is_none(),
        "smsdesk keeps running"
    );
    server.stop();
}

#[test]
fn sighup_reloads_intake_bots_and_a_broken_one_keeps_the_loaded_version() {
    let dir = tempfile::tempdir().unwrap();
    let bot = dir.path().join("menu.wasm");
    std::fs::copy(dist("intake-menu"), &bot).unwrap();
    let port = free_port();
    let text = server_config(port, "http://127.0.0.1:9", None).replacen(
        "carrier = \"telnyx\"\nqueue = \"billing\"\nsend_rate = 50\n",
        &format!(
            "carrier = \"telnyx\"\nqueue = \"billing\"\nsend_rate = 50\nintake = \"{}\"\n",
            bot.display()
        ),
        1,
    );
    let log = dir.path().join("smsdesk.log");
    let mut server = Server::start_with_config(dir.path(), port, &text, None);
    server.stop();
    server.log = Some(log.clone());
    server.env = vec![("SMSDESK_LOG".into(), "info".into())];
    server.spawn();
    let pid = server.child.as_ref().unwrap().id().to_string();
    let hup = || {
        std::process::Command::new("kill")
            .args(["-HUP", &pid])
            .status()
            .unwrap()
    };
    hup();
    wait_log(&log, &["plugin reloaded", &bot.display().to_string()]);
    std::fs::write(&bot, b"not wasm").unwrap();
    hup();
    wait_log(&log, &["intake plugin reload failed", "+18885550100"]);
    assert!(
        server.child.as_mut().unwrap().try_wait().unwrap().is_none(),
        "smsdesk keeps running"
    );
    server.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_queue_with_a_sleeping_router_takes_webhooks_stays_healthy_and_stops_on_sigterm() {
    // Before: a router that slept an hour inside the host held the
    // committer: the next webhook got no answer, /readyz hung, SIGTERM did
    // not stop the process.
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let text = server_config(port, "http://127.0.0.1:9", None).replace(
        "name = \"billing\"\n",
        &format!(
            "name = \"billing\"\nrouter = \"{}\"\nrouter_settings = {{ mode = \"sleep\" }}\n",
            dist("router-hostile")
        ),
    );
    let mut server = Server::start_with_config(dir.path(), port, &text, None);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    for i in 0..5 {
        let sid = format!("SM{i:032}");
        let customer = format!("+1555777000{i}");
        let params = common::sms_params(&sid, &customer, common::ENTRY, "hello");
        let started = Instant::now();
        let (status, _) = common::post_signed(&client, &server, &params, common::TOKEN).await;
        assert_eq!(status, 200);
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "took {:?}",
            started.elapsed()
        );
    }
    for path in ["/readyz", "/healthz"] {
        let r = client.get(server.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}: {}", r.text().await.unwrap());
    }
    let child = server.child.as_mut().unwrap();
    let pid = child.id().to_string();
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    let every = Duration::from_millis(50);
    let status = common::poll::until(
        "smsdesk stopped by SIGTERM",
        Duration::from_secs(25),
        every,
        async || child.try_wait().unwrap().ok_or_else(|| "still running".to_owned()),
    )
    .await;
    assert!(status.success(), "a clean stop: {status:?}");
    server.child = None;
}
