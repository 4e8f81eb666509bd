//! `smsdesk --help` and the plugin author tools, run as a user would.

use crate::common;

use std::process::{Command, Output};

use common::dist as plugin;

fn fixture(name: &str) -> String {
    common::example_fixture(name)
}

fn smsdesk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_smsdesk")).args(args).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn help_describes_every_subcommand() {
    let top = smsdesk(&["--help"]);
    assert!(top.status.success());
    assert!(stdout(&top).contains("Tools for plugin authors"), "{}", stdout(&top));
    let plugin_help = smsdesk(&["plugin", "--help"]);
    assert!(stdout(&plugin_help).contains("check") && stdout(&plugin_help).contains("run"));
    let run_help = smsdesk(&["plugin", "run", "--help"]);
    let text = stdout(&run_help);
    for needle in [
        "handle-webhook",
        "--secret-env",
        "--public-url",
        "recorded HTTP request",
    ] {
        assert!(text.contains(needle), "plugin run --help lacks {needle}:\n{text}");
    }
    assert!(stdout(&smsdesk(&["plugin", "check", "--help"])).contains("--budget-ms"));
    // Every subcommand has its own help.
    for (args, needle) in [
        (&["run", "--help"][..], "--log-format"),
        (&["check-config", "--help"][..], "--config"),
        (&["replay", "--help"][..], "dead-letter"),
        (&["sim", "--help"][..], "--smsdesk-url"),
    ] {
        let o = smsdesk(args);
        assert!(o.status.success(), "{args:?}");
        assert!(
            stdout(&o).contains(needle),
            "{args:?} help lacks {needle}:\n{}",
            stdout(&o)
        );
    }
}

#[test]
fn check_shows_world_version_and_imports() {
    let o = smsdesk(&["plugin", "check", &plugin("carrier-twilio")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("world:      carrier"), "{out}");
    assert!(out.contains("smsdesk:plugin@0.2.0"), "{out}");
    assert!(out.contains("smsdesk:plugin/secrets@0.2.0"), "{out}");
    assert!(out.contains("status:     ok"), "{out}");
    let o = smsdesk(&["plugin", "check", &plugin("router-round-robin")]);
    assert!(stdout(&o).contains("world:      router"));
}

#[test]
fn check_refuses_an_incompatible_plugin_with_a_clear_message() {
    let o = smsdesk(&["plugin", "check", &plugin("router-incompatible")]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(
        err.contains("interface 0.9.0") && err.contains("supports 0.1.0, 0.2.0"),
        "{err}"
    );
}

#[test]
fn run_a_recorded_twilio_request() {
    let o = smsdesk(&[
        "plugin",
        "run",
        &plugin("carrier-twilio"),
        &fixture("twilio-inbound.http"),
        "--secret",
        "auth_token=0123456789abcdef0123456789abcdef",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(json["ok"]["messages"][0]["from"], "+12125550199");
    assert_eq!(json["ok"]["response"]["status"], 200);
}

#[test]
fn run_with_the_wrong_secret_shows_the_rejection_and_its_http_status() {
    let o = smsdesk(&[
        "plugin",
        "run",
        &plugin("carrier-twilio"),
        &fixture("twilio-inbound.json"),
        "--secret",
        "auth_token=wrong",
    ]);
    assert!(o.status.success());
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(json["http_status"], 403);
    assert!(json["rejected"]["bad-signature"]
        .as_str()
        .unwrap()
        .contains("does not match"));
}

#[test]
fn run_json_fixtures_for_every_call() {
    let o = smsdesk(&["plugin", "run", &plugin("carrier-twilio"), &fixture("twilio-send.json")]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(json["ok"]["url"].as_str().unwrap().ends_with("/Messages.json"));
    assert!(
        !stdout(&o).contains("not-a-real-token"),
        "the secret leaked into the output"
    );
    let o = smsdesk(&[
        "plugin",
        "run",
        &plugin("carrier-twilio"),
        &fixture("twilio-response-21610.json"),
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    // Interface 0.2.0: the plugin says what 21610 means.
    assert_eq!(json["ok"]["opted-out"]["code"], "21610");
    let o = smsdesk(&["plugin", "run", &plugin("router-skills"), &fixture("router-pick.json")]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(json["agent_id"], 2, "the longest-idle Spanish speaker");
    let o = smsdesk(&[
        "plugin",
        "run",
        &plugin("carrier-twilio"),
        &fixture("twilio-status-failed.json"),
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(json["ok"]["statuses"][0]["error_code"], "30003");
}

#[test]
fn bad_arguments_and_fixtures_get_clear_errors() {
    let o = smsdesk(&[
        "plugin",
        "run",
        &plugin("carrier-twilio"),
        &fixture("twilio-send.json"),
        "--secret",
        "nokey",
    ]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("--secret \"nokey\": expected NAME=VALUE"),
        "{}",
        stderr(&o)
    );
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"call": "teleport"}"#).unwrap();
    let o = smsdesk(&["plugin", "run", &plugin("carrier-twilio"), bad.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("is not a valid call description"), "{}", stderr(&o));
    // A router fixture against a carrier plugin: the world mismatch is named.
    let o = smsdesk(&["plugin", "run", &plugin("carrier-twilio"), &fixture("router-pick.json")]);
    assert!(
        stderr(&o).contains("is a carrier plugin, but a router plugin is needed here"),
        "{}",
        stderr(&o)
    );
}

/// `smsdesk replay` needs the listen address and the kept-request folder
/// only: a carrier secret unset in this shell does not stop it.
#[test]
fn replay_runs_without_the_carriers_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("smsdesk.toml");
    std::fs::write(
        &config,
        common::config::server_config(common::free_port(), "http://127.0.0.1:9", None),
    )
    .unwrap();
    let out = Command::new(common::bin())
        .args(["replay", "--config"])
        .arg(&config)
        .env_remove("SMSDESK_TEST_TOKEN")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("no kept requests"), "{}", stdout(&out));
}

/// `smsdesk sim` with `args`, given at most 10 s to end by itself: its
/// exit status and standard error, or `None` if it was still running (it
/// is killed then).
fn sim_exit(args: &[&str]) -> Option<(std::process::ExitStatus, String)> {
    use std::io::Read as _;
    let mut child = std::process::Command::new(common::bin())
        .arg("sim")
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
            return Some((status, err));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

/// The simulator signs webhooks for anyone who asks, with a real token if
/// given one: it listens on loopback only unless `--allow-remote` says
/// otherwise. Before, `--listen 0.0.0.0:…` served the network.
#[test]
fn the_simulator_stays_on_loopback_unless_told_otherwise() {
    let port = common::free_port().to_string();
    for listen in [
        format!("0.0.0.0:{port}"),
        format!("[::]:{port}"),
        format!("192.0.2.1:{port}"),
    ] {
        let (status, err) = sim_exit(&["--auth-token", "real-token", "--listen", &listen])
            .unwrap_or_else(|| panic!("the simulator listened on {listen}"));
        assert!(!status.success(), "{listen}");
        assert!(err.contains(&format!("refusing to listen on {listen}")), "{err}");
        assert!(err.contains("--allow-remote"), "{err}");
    }
    // Told otherwise: it tries (192.0.2.1 is no address of this machine,
    // so nothing is opened and the bind itself fails).
    let listen = format!("192.0.2.1:{port}");
    let (status, err) =
        sim_exit(&["--auth-token", "real-token", "--allow-remote", "--listen", &listen]).expect("the bind fails");
    assert!(!status.success());
    assert!(!err.contains("refusing to listen"), "{err}");
    assert!(err.to_lowercase().contains("address"), "{err}");
}
