//! A running `smsdesk sim` (the carrier simulator) for the tests: the
//! customer's side (`text`) and what the carrier received (`messages`).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{log_filter, process, ENTRY, TELNYX_KEY, TOKEN};

pub struct Sim {
    child: Child,
    pub port: u16,
}

impl Sim {
    /// On `port`, signing webhooks to smsdesk on `smsdesk_port`.
    pub fn start(port: u16, smsdesk_port: u16) -> Self {
        let mut child = Command::new(super::bin())
            .args([
                "sim",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--smsdesk-url",
                &format!("http://127.0.0.1:{smsdesk_port}"),
                "--carrier",
                "twilio",
                "--carrier",
                "telnyx",
            ])
            .env("TWILIO_AUTH_TOKEN", TOKEN)
            .env("TELNYX_API_KEY", TELNYX_KEY)
            .env("SMSDESK_LOG", log_filter())
            .env(process::MARK, process::mark())
            .stdout(Stdio::null())
            .spawn()
            .expect("starting the simulator");
        process::wait_listening(&mut child, port, Duration::from_secs(20), "the simulator");
        Self { child, port }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The customer `from` texts `body` to the test entry number; returns the
    /// simulator's answer (with `smsdesk_status`, what smsdesk replied).
    pub async fn text(&self, client: &reqwest::Client, from: &str, body: &str) -> serde_json::Value {
        self.text_via(client, "twilio", from, ENTRY, body).await
    }

    /// The customer `from` texts `body` to `to` through `carrier` (`twilio` or `telnyx`).
    pub async fn text_via(
        &self,
        client: &reqwest::Client,
        carrier: &str,
        from: &str,
        to: &str,
        body: &str,
    ) -> serde_json::Value {
        self.mms_via(client, carrier, from, to, body, &[]).await
    }

    /// The customer `from` sends `body` with the simulator's test files
    /// `media` (e.g. `"cat.png"`) to `to` through `carrier`: an MMS.
    pub async fn mms_via(
        &self,
        client: &reqwest::Client,
        carrier: &str,
        from: &str,
        to: &str,
        body: &str,
        media: &[&str],
    ) -> serde_json::Value {
        client
            .post(self.url("/sim/inbound"))
            .json(&serde_json::json!({"from": from, "to": to, "body": body, "carrier": carrier, "media": media}))
            .send()
            .await
            .expect("the simulator answers")
            .json()
            .await
            .expect("JSON from the simulator")
    }

    /// Every message the simulator received, oldest first.
    pub async fn messages(&self, client: &reqwest::Client) -> Vec<serde_json::Value> {
        client
            .get(self.url("/sim/messages"))
            .send()
            .await
            .expect("the simulator answers")
            .json()
            .await
            .expect("JSON from the simulator")
    }

    /// Queues faults for the next sends (`"500"`, `"429"`, `"21610"`, …).
    pub async fn faults(&self, client: &reqwest::Client, faults: serde_json::Value) {
        let status = client
            .post(self.url("/sim/faults"))
            .json(&faults)
            .send()
            .await
            .expect("the simulator answers")
            .status();
        assert_eq!(status, 204);
    }

    /// Waits (up to 30 s, polling every `poll`) until a message with `body`
    /// arrived; when it arrived (microseconds since the Unix epoch).
    pub async fn wait_for_body(&self, client: &reqwest::Client, body: &str, poll: Duration) -> u64 {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let msgs = self.messages(client).await;
            if let Some(m) = msgs.iter().find(|m| m["body"] == body) {
                return m["received_at_us"].as_u64().unwrap_or_default();
            }
            assert!(
                Instant::now() < deadline,
                "{body:?} never reached the carrier; it has: {msgs:?}"
            );
            tokio::time::sleep(poll).await;
        }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        process::kill_child(&mut self.child);
    }
}
