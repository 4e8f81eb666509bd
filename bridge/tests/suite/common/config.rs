//! Config files the tests (and the benchmarks) write: the server's, with
//! the Twilio plugin and the simulator, and a minimal valid one for the
//! config checks.

use std::path::{Path, PathBuf};

use super::{dist, BROKEN_TOKEN, ENTRY, SUPERVISOR_TOKEN, TELNYX_ENTRY, TELNYX_KEY};

/// Where the Matrix bot logs in: (homeserver URL, the `password = …` or
/// `access_token = …` line).
pub type MatrixLogin<'a> = Option<(&'a str, &'a str)>;

/// The config `smsdesk run` gets in the tests: storage in `data/smsdesk`
/// (relative to the config), Twilio and Telnyx carriers sending to
/// `api_base` (the simulator speaks both), each with its entry point, a
/// hostile carrier "broken", queues billing and support, Alice (and with
/// Matrix Bob and Carol).
pub fn server_config(port: u16, api_base: &str, matrix: MatrixLogin<'_>) -> String {
    format!(
        r#"
[storage]
path = "data/smsdesk"

[http]
listen = "127.0.0.1:{port}"
public_url = "http://127.0.0.1:{port}"
max_body = 4096
media_lifetime = "3s"

[plugins]
cache_dir = "{cache}"

[supervisor]
token = "{SUPERVISOR_TOKEN}"
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
name = "telnyx"
plugin = "{telnyx}"
allowed_hosts = ["127.0.0.1"]
[carriers.config]
api_key = "{TELNYX_KEY}"
public_key = "{telnyx_public_key}"
api_base = "{api_base}"

[[carriers]]
name = "broken"
plugin = "{broken}"
allowed_hosts = []
[carriers.config]
auth_token = "{BROKEN_TOKEN}"

[[entry_points]]
number = "{ENTRY}"
kind = "long-code"
carrier = "twilio"
queue = "billing"
send_rate = 50

[[entry_points]]
number = "{TELNYX_ENTRY}"
kind = "toll-free"
carrier = "telnyx"
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
        telnyx = dist("carrier-telnyx"),
        telnyx_public_key = smsdesk::sim::signing::telnyx_test_public_key(),
        broken = dist("carrier-hostile"),
        alice = if matrix.is_some() {
            "@alice:localhost"
        } else {
            "@alice:example.com"
        },
        more_agents = if matrix.is_some() {
            "[[agents.roster]]\nmatrix_id = \"@bob:localhost\"\nname = \"Bob\"\nqueues = [\"billing\"]\n\n[[agents.roster]]\nmatrix_id = \"@carol:localhost\"\nname = \"Carol\"\nqueues = [\"support\"]\n"
        } else {
            ""
        },
        matrix = matrix.map_or(String::new(), |(hs, auth)| format!(
            "[matrix]\nhomeserver = \"{hs}\"\nuser = \"@smsdesk:localhost\"\n{auth}\n"
        )),
        cache = plugin_cache().display(),
    )
}

/// Compiled plugins, shared by every test of a run.
pub fn plugin_cache() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bridge-plugin-cache")
}

/// A minimal valid config for the config checks, naming these plugin files.
pub fn minimal_config(twilio: &Path, router: &Path) -> String {
    format!(
        r#"
[storage]
path = "data"

[http]
listen = "127.0.0.1:8080"
public_url = "https://desk.example.com"

[[carriers]]
name = "twilio"
plugin = "{twilio}"
allowed_hosts = ["api.twilio.com"]
[carriers.config]
account_sid = "AC123"
auth_token = "${{TEST_TWILIO_TOKEN}}"

[[entry_points]]
number = "+15550001111"
kind = "long-code"
carrier = "twilio"
queue = "billing"

[[queues]]
name = "billing"
router = "{router}"
offer_timeout = "60s"
auto_wrapup = "off"
wrapup_reasons = ["Resolved"]

[agents]
idle_codes = ["Lunch"]

[[agents.roster]]
matrix_id = "@alice:example.com"
queues = ["billing"]
"#,
        twilio = twilio.display(),
        router = router.display(),
    )
}
