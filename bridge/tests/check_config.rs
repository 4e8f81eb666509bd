//! `smsdesk check-config` finds every mistake, names the file, the key and
//! the reason, and reports them all at once.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn dist(name: &str) -> String {
    let p = root().join("examples/plugins/dist").join(format!("{name}.wasm"));
    assert!(
        p.exists(),
        "{} missing: run `bash scripts/build-plugins.sh`",
        p.display()
    );
    p.to_string_lossy().into_owned()
}

/// A valid config, in a temp dir, with `edit` applied to its text.
fn config(dir: &Path, edit: impl Fn(String) -> String) -> PathBuf {
    let text = format!(
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
        twilio = dist("carrier-twilio"),
        router = dist("router-round-robin"),
    );
    let path = dir.join("smsdesk.toml");
    std::fs::write(&path, edit(text)).unwrap();
    path
}

fn check(path: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_smsdesk"))
        .args(["check-config", "--config"])
        .arg(path)
        .env("TEST_TWILIO_TOKEN", "secret")
        .output()
        .unwrap()
}

/// Runs check-config on the edited config; returns its error lines.
fn problems(edit: impl Fn(String) -> String) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = config(dir.path(), edit);
    let out = check(&path);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if out.status.success() {
        return Vec::new();
    }
    let file = path.display().to_string();
    stderr
        .lines()
        .filter(|l| l.trim_start().starts_with(&file))
        .map(|l| l.trim().trim_start_matches(&file).trim_start_matches(": ").to_owned())
        .collect()
}

#[test]
fn the_base_config_and_the_shipped_example_are_valid() {
    assert_eq!(problems(|t| t), Vec::<String>::new());
    let out = Command::new(env!("CARGO_BIN_EXE_smsdesk"))
        .args(["check-config", "--config"])
        .arg(root().join("examples/smsdesk.toml"))
        .env("SMSDESK_MATRIX_PASSWORD", "x")
        .env("TWILIO_AUTH_TOKEN", "y")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("ok (1 carrier(s), 2 entry point(s), 2 queue(s), 3 agent(s))")
    );
}

#[test]
fn unknown_key() {
    assert_eq!(
        problems(|t| t.replace("offer_timeout = \"60s\"", "offer_timeout = \"60s\"\nofer_timeout = \"5s\"")),
        ["queues[0].ofer_timeout: unknown key; expected one of: name, router, router_settings, offer_timeout, auto_wrapup, wrapup_reasons"]
    );
}

#[test]
fn bad_number_format() {
    let p = problems(|t| t.replace("number = \"+15550001111\"", "number = \"555-0001\""));
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].starts_with("entry_points[0].number: \"555-0001\" is not an entry number"),
        "{p:?}"
    );
}

#[test]
fn kind_that_does_not_match_the_number() {
    assert_eq!(
        problems(|t| t.replace("kind = \"long-code\"", "kind = \"short-code\"")),
        ["entry_points[0].kind: +15550001111 is an E.164 number, but kind is short code"]
    );
}

#[test]
fn unknown_queue_and_carrier() {
    let p = problems(|t| {
        t.replace("queue = \"billing\"", "queue = \"biling\"")
            .replace("carrier = \"twilio\"", "carrier = \"twillio\"")
    });
    assert_eq!(
        p,
        [
            "entry_points[0].carrier: unknown carrier \"twillio\"; carriers: twilio",
            "entry_points[0].queue: unknown queue \"biling\"; queues: billing"
        ]
    );
    let p = problems(|t| t.replace("queues = [\"billing\"]", "queues = [\"sales\"]"));
    assert_eq!(
        p,
        ["agents.roster[0].queues[0]: unknown queue \"sales\"; queues: billing"]
    );
}

#[test]
fn missing_plugin_file() {
    let p = problems(|t| t.replace(&dist("carrier-twilio"), "/nonexistent/twilio.wasm"));
    assert_eq!(p, ["carriers[0].plugin: file /nonexistent/twilio.wasm does not exist"]);
}

#[test]
fn plugin_of_the_wrong_world() {
    let p = problems(|t| t.replace(&dist("router-round-robin"), &dist("carrier-twilio")));
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].starts_with("queues[0].router: "), "{p:?}");
    assert!(
        p[0].ends_with("is a carrier plugin, but a router plugin is needed here"),
        "{p:?}"
    );
}

#[test]
fn duplicate_entry_number() {
    let p = problems(|t| {
        t.replace(
            "[[queues]]",
            "[[entry_points]]\nnumber = \"+15550001111\"\nkind = \"long-code\"\ncarrier = \"twilio\"\nqueue = \"billing\"\n\n[[queues]]",
        )
    });
    assert_eq!(
        p,
        ["entry_points[1].number: entry number +15550001111 is defined twice"]
    );
}

#[test]
fn bad_duration() {
    assert_eq!(
        problems(|t| t.replace("offer_timeout = \"60s\"", "offer_timeout = \"60\"")),
        ["queues[0].offer_timeout: \"60\" has no unit; write e.g. \"60s\""]
    );
    assert_eq!(
        problems(|t| t.replace("auto_wrapup = \"off\"", "auto_wrapup = \"soon\"")),
        ["queues[0].auto_wrapup: \"soon\" is not a duration; write e.g. \"30s\", \"2m\", \"500ms\", or \"off\""]
    );
}

#[test]
fn missing_environment_variable() {
    assert_eq!(
        problems(|t| t.replace("TEST_TWILIO_TOKEN", "UNSET_VARIABLE_FOR_SMSDESK_TEST")),
        ["carriers[0].config.auth_token: environment variable UNSET_VARIABLE_FOR_SMSDESK_TEST is not set"]
    );
}

#[test]
fn every_error_is_reported_at_once() {
    let p = problems(|t| {
        t.replace("offer_timeout = \"60s\"", "offer_timeout = \"soon\"")
            .replace("listen = \"127.0.0.1:8080\"", "listen = \"localhost\"")
            .replace("queue = \"billing\"", "queue = \"nope\"")
            .replace("[agents]", "[agents]\nmood = \"happy\"")
    });
    assert_eq!(p.len(), 4, "{p:#?}");
    assert!(p.iter().any(|l| l.starts_with("http.listen:")));
    assert!(p.iter().any(|l| l.starts_with("queues[0].offer_timeout:")));
    assert!(p.iter().any(|l| l.starts_with("entry_points[0].queue:")));
    assert!(p.iter().any(|l| l.starts_with("agents.mood: unknown key")));
}

#[test]
fn invalid_toml_names_the_line() {
    let p = problems(|t| t.replace("[http]", "[http"));
    assert_eq!(p.len(), 1);
    assert!(p[0].starts_with("not valid TOML"), "{p:?}");
    assert!(p[0].contains("line"), "{p:?}");
}

#[test]
fn run_refuses_to_start_on_an_invalid_config_with_the_same_messages() {
    let dir = tempfile::tempdir().unwrap();
    let path = config(dir.path(), |t| {
        t.replace("offer_timeout = \"60s\"", "offer_timeout = \"60\"")
    });
    let out = Command::new(env!("CARGO_BIN_EXE_smsdesk"))
        .args(["run", "--config"])
        .arg(&path)
        .env("TEST_TWILIO_TOKEN", "secret")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "{}: queues[0].offer_timeout: \"60\" has no unit; write e.g. \"60s\"",
            path.display()
        )),
        "{stderr}"
    );
    assert!(stderr.contains("smsdesk did not start"), "{stderr}");
}

#[test]
fn more_skills_than_routing_can_see() {
    let many: Vec<String> = (0..65).map(|i| format!("\"skill{i}\"")).collect();
    let line = format!("queues = [\"billing\"]\nskills = [{}]", many.join(", "));
    let p = problems(|t| t.replacen("queues = [\"billing\"]", &line, 1));
    assert_eq!(
        p,
        ["skills: 65 different skill names are used (entry_points and agents.roster); routing supports at most 64"]
    );
}

/// The config of PRODUCT.md §8, word for word (`tests/fixtures`), with its
/// plugin file where it says and its two secrets in the environment.
#[test]
fn the_contract_example_config_is_valid_as_written() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("plugins")).unwrap();
    std::fs::copy(dist("carrier-twilio"), dir.path().join("plugins/twilio.wasm")).unwrap();
    let path = dir.path().join("smsdesk.toml");
    std::fs::copy(root().join("bridge/tests/fixtures/product-section-8.toml"), &path).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_smsdesk"))
        .args(["check-config", "--config"])
        .arg(&path)
        .env("SMSDESK_MATRIX_PASSWORD", "x")
        .env("TWILIO_AUTH_TOKEN", "y")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Without the secrets it says which ones are missing.
    let out = Command::new(env!("CARGO_BIN_EXE_smsdesk"))
        .args(["check-config", "--config"])
        .arg(&path)
        .env_remove("SMSDESK_MATRIX_PASSWORD")
        .env_remove("TWILIO_AUTH_TOKEN")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("SMSDESK_MATRIX_PASSWORD") && stderr.contains("TWILIO_AUTH_TOKEN"),
        "{stderr}"
    );
}
