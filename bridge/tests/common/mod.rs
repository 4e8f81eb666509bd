//! A real `smsdesk run` process for black-box tests, on 127.0.0.1, with the
//! Twilio plugin, and a signer that signs requests the way Twilio does.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use hmac::Mac;

pub mod matrix;

pub const TOKEN: &str = "test-auth-token-0123456789";
pub const ENTRY: &str = "+15550001111";

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn dist(name: &str) -> String {
    let p = root().join("examples/plugins/dist").join(format!("{name}.wasm"));
    assert!(
        p.exists(),
        "{} missing: run `bash scripts/build-plugins.sh`",
        p.display()
    );
    p.to_string_lossy().into_owned()
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub struct Server {
    pub child: Option<Child>,
    pub port: u16,
    pub dir: PathBuf,
    pub config: PathBuf,
}

impl Server {
    /// Writes a config into `dir` (storage in `dir/data`) and starts smsdesk.
    pub fn start(dir: &Path) -> Self {
        Self::start_with(dir, free_port(), "http://127.0.0.1:9")
    }

    /// Same, on `port`, sending SMS to the carrier API at `api_base`.
    pub fn start_with(dir: &Path, port: u16, api_base: &str) -> Self {
        Self::start_full(dir, port, api_base, None)
    }

    /// Same, with the Matrix bot logging in to `homeserver` as @smsdesk:localhost.
    pub fn start_with_matrix(dir: &Path, port: u16, api_base: &str, homeserver: &str) -> Self {
        Self::start_full(dir, port, api_base, Some((homeserver, "password = \"bot-password\"")))
    }

    /// Same, with the bot's credentials given as a config line (`password = …` or `access_token = …`).
    pub fn start_with_matrix_auth(dir: &Path, port: u16, api_base: &str, homeserver: &str, auth: &str) -> Self {
        Self::start_full(dir, port, api_base, Some((homeserver, auth)))
    }

    fn start_full(dir: &Path, port: u16, api_base: &str, homeserver: Option<(&str, &str)>) -> Self {
        let config = dir.join("smsdesk.toml");
        std::fs::write(
            &config,
            format!(
                r#"
[storage]
path = "data/smsdesk"

[http]
listen = "127.0.0.1:{port}"
public_url = "http://127.0.0.1:{port}"
max_body = 4096

[plugins]
cache_dir = "{cache}"
{matrix}

[[carriers]]
name = "twilio"
plugin = "{twilio}"
allowed_hosts = ["127.0.0.1"]
[carriers.config]
account_sid = "AC00000000000000000000000000000000"
auth_token = "${{SMSDESK_TEST_TOKEN}}"
api_base = "{api_base}"

[[carriers]]
name = "broken"
plugin = "{broken}"
allowed_hosts = []

[[entry_points]]
number = "{ENTRY}"
kind = "long-code"
carrier = "twilio"
queue = "billing"
send_rate = 50

[[queues]]
name = "billing"
offer_timeout = "8s"
wrapup_reasons = ["Resolved"]

[[queues]]
name = "support"

[agents]
[[agents.roster]]
matrix_id = "{alice}"
name = "Alice"
queues = ["billing"]
{more_agents}
"#,
                twilio = dist("carrier-twilio"),
                broken = dist("carrier-hostile"),
                alice = if homeserver.is_some() {
                    "@alice:localhost"
                } else {
                    "@alice:example.com"
                },
                more_agents = if homeserver.is_some() {
                    "[[agents.roster]]\nmatrix_id = \"@bob:localhost\"\nname = \"Bob\"\nqueues = [\"billing\"]\n\n[[agents.roster]]\nmatrix_id = \"@carol:localhost\"\nname = \"Carol\"\nqueues = [\"support\"]\n"
                } else {
                    ""
                },
                matrix = homeserver.map_or(String::new(), |(hs, auth)| format!(
                    "[matrix]\nhomeserver = \"{hs}\"\nuser = \"@smsdesk:localhost\"\n{auth}\n"
                )),
                cache = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
                    .join("bridge-plugin-cache")
                    .display(),
            ),
        )
        .unwrap();
        let mut s = Self {
            child: None,
            port,
            dir: dir.to_owned(),
            config,
        };
        s.spawn();
        s
    }

    pub fn spawn(&mut self) {
        let child = Command::new(env!("CARGO_BIN_EXE_smsdesk"))
            .args(["run", "--config"])
            .arg(&self.config)
            .env("SMSDESK_TEST_TOKEN", TOKEN)
            .env(
                "SMSDESK_LOG",
                std::env::var("SMSDESK_TEST_LOG").unwrap_or_else(|_| "warn".to_owned()),
            )
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("smsdesk exited during start: {status}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("smsdesk did not listen on {} within 30 s", self.port);
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// SIGTERM and wait: a clean stop.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
            let deadline = Instant::now() + Duration::from_secs(15);
            while Instant::now() < deadline {
                if child.try_wait().unwrap().is_some() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGKILL: the process dies at once.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    pub fn storage(&self) -> PathBuf {
        self.dir.join("data/smsdesk")
    }

    pub fn dead_letters(&self) -> Vec<PathBuf> {
        std::fs::read_dir(self.dir.join("data/dead-letters"))
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// `X-Twilio-Signature` for `url` and form `params`, as Twilio computes it.
pub fn sign(url: &str, params: &[(&str, &str)], token: &str) -> String {
    let mut sorted: Vec<_> = params.to_vec();
    sorted.sort();
    sorted.dedup();
    let mut data = url.to_owned();
    for (k, v) in sorted {
        data.push_str(k);
        data.push_str(v);
    }
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(token.as_bytes()).unwrap();
    mac.update(data.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

pub fn form(params: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        s.append_pair(k, v);
    }
    s.finish()
}

pub fn sms_params<'a>(sid: &'a str, from: &'a str, to: &'a str, body: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("AccountSid", "AC00000000000000000000000000000000"),
        ("Body", body),
        ("From", from),
        ("MessageSid", sid),
        ("NumMedia", "0"),
        ("To", to),
    ]
}

/// Posts a signed inbound webhook; returns (status, body).
pub async fn post_signed(
    client: &reqwest::Client,
    server: &Server,
    params: &[(&str, &str)],
    token: &str,
) -> (u16, String) {
    let url = server.url("/webhooks/twilio/inbound");
    let signature = sign(&url, params, token);
    let r = client
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-twilio-signature", signature)
        .body(form(params))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}

/// Every stored inbound carrier message id, with how often it is stored;
/// and the open conversations. Opens the store of a stopped server.
pub fn stored(
    storage: &Path,
) -> (
    std::collections::BTreeMap<String, usize>,
    Vec<smsdesk_core::model::Conversation>,
) {
    use smsdesk_core::*;
    let engine = open_engine(storage);
    let mut out = std::collections::BTreeMap::new();
    for c in 0..engine.state().counters.next_conversation {
        for r in engine.history(ConversationId(c)).unwrap() {
            if let Event::MessageReceived { sms, .. } = r.event {
                *out.entry(sms.carrier_message_id.to_string()).or_default() += 1;
            }
        }
    }
    (out, engine.state().conversations().cloned().collect())
}

/// The engine over a stopped server's store, with the test config's setup.
pub fn open_engine(storage: &Path) -> smsdesk_core::Engine<smsdesk_core::store::SledStore> {
    use smsdesk_core::setup::{AgentSetup, EntryKind, EntryPoint, QueueSetup, Setup};
    use smsdesk_core::*;
    let setup = Setup::default()
        .with_queue(QueueSetup::new("billing"))
        .with_entry_point(EntryPoint {
            number: EntryNumber::parse(ENTRY).unwrap(),
            kind: EntryKind::LongCode,
            carrier: CarrierName::from("twilio"),
            queue: QueueName::from("billing"),
            skills: Default::default(),
        })
        .with_agent(AgentSetup::new("@alice:example.com", &["billing"]));
    let store = smsdesk_core::store::SledStore::open(storage).unwrap();
    Engine::open(store, setup, Default::default(), Timestamp::now()).unwrap()
}

/// A running `smsdesk sim` on `port`, signing webhooks to smsdesk on `smsdesk_port`.
pub struct Sim {
    child: Child,
    pub port: u16,
}

impl Sim {
    pub fn start(port: u16, smsdesk_port: u16) -> Self {
        let child = Command::new(env!("CARGO_BIN_EXE_smsdesk"))
            .args([
                "sim",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--smsdesk-url",
                &format!("http://127.0.0.1:{smsdesk_port}"),
            ])
            .env("TWILIO_AUTH_TOKEN", TOKEN)
            .env(
                "SMSDESK_LOG",
                std::env::var("SMSDESK_TEST_LOG").unwrap_or_else(|_| "warn".to_owned()),
            )
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the simulator did not start");
            std::thread::sleep(Duration::from_millis(30));
        }
        Self { child, port }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The customer `from` texts `body` to the test entry number; returns the
    /// simulator's answer (with `smsdesk_status`, what smsdesk replied).
    pub async fn text(&self, client: &reqwest::Client, from: &str, body: &str) -> serde_json::Value {
        client
            .post(self.url("/sim/inbound"))
            .json(&serde_json::json!({"from": from, "to": ENTRY, "body": body}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Every message the simulator received, oldest first.
    pub async fn messages(&self, client: &reqwest::Client) -> Vec<serde_json::Value> {
        client
            .get(self.url("/sim/messages"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Waits (up to 30 s, polling every `poll`) until a message with `body` arrived.
    pub async fn wait_for_body(&self, client: &reqwest::Client, body: &str, poll: Duration) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let msgs = self.messages(client).await;
            if msgs.iter().any(|m| m["body"] == body) {
                return;
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
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
