//! `smsdesk check-config` and `smsdesk run` as an operator meets them: the
//! binary loads the plugins a config names (a plugin of the wrong world is
//! refused), prints every problem with the file, the key and the reason,
//! and `run` refuses to start with the same messages. Every other mistake
//! is tested in-process in `config.rs`.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::config::minimal_config;
use common::{dist, root};

/// The minimal valid config with the built plugins, in `dir`, with `edit` applied.
fn config(dir: &Path, edit: impl Fn(String) -> String) -> PathBuf {
    let text = minimal_config(
        Path::new(&dist("carrier-twilio")),
        Path::new(&dist("router-round-robin")),
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
        .env("SMSDESK_SUPERVISOR_TOKEN", "z")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("ok (1 carrier(s), 2 entry point(s), 2 queue(s), 3 agent(s))")
    );
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

/// The config of the product's original plan, word for word (`tests/fixtures`), with its
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

/// check-config runs each carrier's plugin on its config: a setting it must
/// read but cannot (marked secret), or a host it would send to that is not
/// allowed, is refused with the key; `run` refuses to start the same way.
#[test]
fn a_config_the_carrier_cannot_send_with_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = config(dir.path(), |t| {
        t.replace("account_sid = \"AC123\"\n", "")
            .replace("[agents]", "[carriers.secrets]\naccount_sid = \"AC123\"\n\n[agents]")
    });
    let out = check(&path);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "carriers[0].config: carrier twilio's plugin (carrier-twilio.wasm) cannot send with this config: the twilio carrier needs `account_sid`"
        ) && stderr.contains("a plugin cannot read secrets: auth_token, account_sid"),
        "{stderr}"
    );
    // The host it would send to must be allowed.
    let path = config(dir.path(), |t| {
        t.replace("auth_token = ", "api_base = \"https://api.example.net\"\nauth_token = ")
    });
    let stderr = String::from_utf8_lossy(&check(&path).stderr).into_owned();
    assert!(
        stderr.contains(
            "carriers[0].allowed_hosts: carrier twilio's plugin (carrier-twilio.wasm) sends to api.example.net"
        ),
        "{stderr}"
    );
    // The account id from the environment is fine: it is a plain setting.
    let path = config(dir.path(), |t| {
        t.replace("account_sid = \"AC123\"", "account_sid = \"${TEST_SID}\"")
    });
    let out = Command::new(common::bin())
        .args(["check-config", "--config"])
        .arg(&path)
        .env("TEST_TWILIO_TOKEN", "secret")
        .env("TEST_SID", "AC123")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// What would fail on the first webhook or reply fails check-config
/// instead, each with the right advice: Telnyx without the `public_key` it
/// verifies webhooks with (every webhook would be 503), and without the
/// `api_key` the host signs its requests with (to be added, not renamed).
#[test]
fn a_carrier_missing_what_it_verifies_or_signs_with_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("smsdesk.toml");
    let config = common::config::server_config(common::free_port(), "http://127.0.0.1:9", None);
    let without = |line: &str| {
        let start = config.find(line).expect("the test config has it");
        let end = start + config[start..].find('\n').unwrap() + 1;
        format!("{}{}", &config[..start], &config[end..])
    };
    let run = |text: String| {
        std::fs::write(&path, text).unwrap();
        let out = Command::new(common::bin())
            .args(["check-config", "--config"])
            .arg(&path)
            .env("SMSDESK_TEST_TOKEN", "secret")
            .output()
            .unwrap();
        (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (ok, stderr) = run(config.clone());
    assert!(ok, "{stderr}");

    let (ok, stderr) = run(without("public_key = "));
    assert!(!ok);
    assert!(
        stderr.contains(
            "carriers[1].config.public_key: carrier telnyx's plugin (carrier-telnyx.wasm) checks webhook \
             signatures with the secret \"public_key\", which is not set: add it to [carriers.config] \
             (e.g. public_key = \"${TELNYX_PUBLIC_KEY}\"); without it every webhook would be answered 503"
        ),
        "{stderr}"
    );
    // Twilio's signing secret is its auth token: named the same way.
    let (ok, stderr) = run(without("auth_token = "));
    assert!(!ok);
    assert!(
        stderr.contains("carriers[0].config.auth_token: carrier twilio's plugin (carrier-twilio.wasm) checks webhook signatures with the secret \"auth_token\", which is not set"),
        "{stderr}"
    );

    let (ok, stderr) = run(without("api_key = "));
    assert!(!ok);
    assert!(
        stderr.contains("carriers[1].config: plugin \"telnyx\" asked for config entry \"api_key\", which this carrier does not have: add it to [carriers.config] or [carriers.secrets]"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("under a name without"),
        "advice to rename the key: {stderr}"
    );
}

/// The plugin cache holds native code smsdesk runs: whoever fills it
/// (`check-config` runs without `run`'s umask), it is its owner's only,
/// and a cache directory found open to others is closed and emptied
/// before use.
#[test]
fn the_plugin_cache_is_its_owners_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = config(dir.path(), |t| t);
    let cache = dir.path().join("data/plugin-cache");
    std::fs::create_dir_all(&cache).unwrap();
    std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o777)).unwrap();
    // Whatever someone put there while it was open is not loaded.
    std::fs::write(cache.join("planted.cwasm"), b"not ours").unwrap();
    let out = check(&path);
    assert!(
        !cache.join("planted.cwasm").exists(),
        "a file planted in an open cache stayed"
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&cache), 0o700);
    let compiled: Vec<_> = std::fs::read_dir(&cache).unwrap().map(|e| e.unwrap().path()).collect();
    assert!(!compiled.is_empty(), "nothing was cached");
    for file in compiled {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
}

/// A cache folder another user owns is not used (root could read it and
/// would run what is in it); check-config says so and the config is still
/// valid. (Needs root to give the folder away: CI runs as root.)
#[test]
fn a_plugin_cache_owned_by_another_user_is_named_and_not_used() {
    let dir = tempfile::tempdir().unwrap();
    let path = config(dir.path(), |t| t);
    let cache = dir.path().join("data/plugin-cache");
    std::fs::create_dir_all(&cache).unwrap();
    std::fs::write(cache.join("planted.cwasm"), b"theirs").unwrap();
    if let Err(e) = std::os::unix::fs::chown(&cache, Some(65534), None) {
        eprintln!("not checked: only root can give the folder away ({e})");
        return;
    }
    let out = check(&path);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("warning: plugins.cache_dir:") && stderr.contains("owned by user 65534"),
        "{stderr}"
    );
    let names: Vec<_> = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["planted.cwasm"], "nothing loaded from or written to it");
}

/// Encrypted rooms without a recovery key: valid, with a warning naming
/// the key; a key that is no setting, or a bad `encryption`, is an error.
#[test]
fn encryption_without_a_recovery_key_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let matrix = |extra: &str| {
        let extra = extra.to_owned();
        move |t: String| {
            format!("{t}\n[matrix]\nhomeserver = \"http://127.0.0.1:9\"\nuser = \"@smsdesk:localhost\"\npassword = \"x\"\n{extra}\n")
        }
    };
    let out = check(&config(dir.path(), matrix("encryption = \"on\"")));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("warning: matrix.recovery_key: not set while matrix.encryption = \"on\""),
        "{stderr}"
    );
    let out = check(&config(
        dir.path(),
        matrix("encryption = \"on\"\nrecovery_key = \"${SMSDESK_TEST_RECOVERY}\""),
    ));
    assert!(!out.status.success(), "an unset variable is an error");
    let out = Command::new(env!("CARGO_BIN_EXE_smsdesk"))
        .args(["check-config", "--config"])
        .arg(config(
            dir.path(),
            matrix("encryption = \"on\"\nrecovery_key = \"${SMSDESK_TEST_RECOVERY}\""),
        ))
        .env("TEST_TWILIO_TOKEN", "secret")
        .env("SMSDESK_TEST_RECOVERY", "correct horse battery staple")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && !stderr.contains("warning"), "{stderr}");
    assert!(!stderr.contains("correct horse"), "the key was shown: {stderr}");
    assert_eq!(
        problems(matrix("encryption = \"yes\"")),
        ["matrix.encryption: \"yes\" is not a setting; expected \"off\" (the default) or \"on\""]
    );
}
