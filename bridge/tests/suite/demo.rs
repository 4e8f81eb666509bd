//! The demo command itself (`bash scripts/demo.sh`), run as a newcomer would:
//! it brings up Synapse, the simulator and smsdesk, and Alice, logging in
//! with the printed password from a Matrix client, sees the offer for the
//! first customer SMS at once; `smsdesk export` gives that conversation
//! while the demo runs and after. Ctrl-C (SIGINT) stops everything.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use matrix_sdk::config::SyncSettings;
use matrix_sdk::room::Room;
use matrix_sdk::ruma::events::room::message::{MessageType, OriginalSyncRoomMessageEvent};
use matrix_sdk::Client;

/// The demo script; stopped as with Ctrl-C when dropped, so a failing test
/// leaves nothing running (its trap stops what it started).
struct Demo(std::process::Child);

impl Drop for Demo {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = Command::new("kill").args(["-INT", &self.0.id().to_string()]).status();
            let deadline = Instant::now() + Duration::from_secs(30);
            while matches!(self.0.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

fn port_open(port: u16) -> bool {
    std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
}

/// Alice logs in with the printed password and finds the offer.
async fn step_alice_logs_in_and_finds_the_offer() {
    let client = Client::builder()
        .homeserver_url("http://127.0.0.1:8008")
        .build()
        .await
        .unwrap();
    client
        .matrix_auth()
        .login_username("alice", "alice-demo-password")
        .send()
        .await
        .unwrap();
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let s = seen.clone();
    client.add_event_handler(move |ev: OriginalSyncRoomMessageEvent, _room: Room| {
        let s = s.clone();
        async move {
            match &ev.content.msgtype {
                MessageType::Notice(n) => s.lock().unwrap().push(n.body.clone()),
                // Offers are alerts (m.text mentioning the agent).
                MessageType::Text(t) => s.lock().unwrap().push(t.body.clone()),
                _ => {}
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut settings = SyncSettings::default().timeout(Duration::from_millis(500));
    loop {
        if let Ok(r) = client.sync_once(settings.clone()).await {
            settings = settings.token(r.next_batch);
        }
        if seen
            .lock()
            .unwrap()
            .iter()
            .any(|b| b.contains("Offer #1") && b.contains("queue billing"))
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no offer for Alice; she saw {:?}",
            seen.lock().unwrap()
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_shows_alice_an_offer_and_stops_cleanly() {
    for port in [8008, 8080, 8090] {
        assert!(!port_open(port), "port {port} is busy: another demo running?");
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut demo = Command::new("bash")
        .arg(root.join("scripts/demo.sh"))
        .current_dir(&root)
        // Marks every process the demo starts, for the test command's
        // "nothing left running" check.
        .env(
            "SMSDESK_TEST_CHILD",
            std::env::var("SMSDESK_TEST_RUN").unwrap_or_else(|_| "1".to_owned()),
        )
        // The binary this test build made: the demo does not build it again
        // (a second build, with other features, took over a minute of the
        // test command).
        .env("SMSDESK_DEMO_BIN", env!("CARGO_BIN_EXE_smsdesk"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = demo.stdout.take().unwrap();
    let mut demo = Demo(demo);
    let (tx, rx) = std::sync::mpsc::channel();
    let printed = Arc::new(Mutex::new(String::new()));
    let p = printed.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            p.lock().unwrap().push_str(&format!("{line}\n"));
            if line == "demo ready" {
                let _ = tx.send(());
            }
        }
    });
    rx.recv_timeout(Duration::from_secs(600))
        .unwrap_or_else(|_| panic!("the demo never got ready:\n{}", printed.lock().unwrap()));
    let text = printed.lock().unwrap().clone();
    assert!(text.contains("alice / alice-demo-password"), "{text}");

    step_alice_logs_in_and_finds_the_offer().await;

    // `smsdesk export` on the demo's data while it runs: through the server.
    let running = export(&root, "jsonl");
    assert!(running.contains("\"customer\":\"+15557770001\""), "{running}");
    assert!(running.contains("charged twice"), "{running}");

    // Ctrl-C (SIGINT to the script): its trap stops everything it started.
    Command::new("kill")
        .args(["-INT", &demo.0.id().to_string()])
        .status()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while demo.0.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "the demo did not stop on Ctrl-C");
        std::thread::sleep(Duration::from_millis(100));
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    while [8008, 8080, 8090].iter().any(|p| port_open(*p)) {
        assert!(
            Instant::now() < deadline,
            "something the demo started is still listening"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // And from the stopped store: the same conversation, as CSV this time.
    let stopped = export(&root, "csv");
    assert!(stopped.starts_with("id,customer,entry,"), "{stopped}");
    assert!(
        stopped.contains("+15557770001") && stopped.contains("charged twice"),
        "{stopped}"
    );
}

/// `smsdesk export` of the last day's conversations with the demo's config
/// (from yesterday, UTC: the test may run across midnight).
fn export(root: &std::path::Path, format: &str) -> String {
    let today = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let since = today.yesterday().unwrap().to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_smsdesk"))
        .args(["export", "--config"])
        .arg(root.join("examples/smsdesk.toml"))
        .args(["--since", &since, "--format", format])
        .env("SMSDESK_MATRIX_PASSWORD", "demo-bot-password")
        .env("TWILIO_AUTH_TOKEN", "demo-auth-token")
        .env("SMSDESK_SUPERVISOR_TOKEN", "demo-supervisor-token")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "export failed: {stderr}");
    assert!(stderr.contains("customer numbers are not masked"), "{stderr}");
    String::from_utf8(out.stdout).unwrap()
}
