//! `smsdesk plugin test` as an author uses it: every shipped example passes
//! the fixtures in its crate's `fixtures/` (each with an `"expect"`); a
//! wrong expectation fails with the key, what was expected and what came;
//! each line says what the call cost.

use crate::common;

use std::process::{Command, Output};

use common::dist;
use common::root;

fn smsdesk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_smsdesk")).args(args).output().unwrap()
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Each example crate and its built file.
const EXAMPLES: &[(&str, &str)] = &[
    ("twilio", "carrier-twilio"),
    ("telnyx", "carrier-telnyx"),
    ("longest-available", "router-longest-available"),
    ("round-robin", "router-round-robin"),
    ("skills", "router-skills"),
    ("by-field", "router-by-field"),
    ("intake-menu", "intake-menu"),
];

#[test]
fn every_example_plugin_passes_its_fixtures() {
    for (krate, file) in EXAMPLES {
        let fixtures = root().join("examples/plugins").join(krate).join("fixtures");
        let o = smsdesk(&["plugin", "test", &dist(file), fixtures.to_str().unwrap()]);
        let text = out(&o);
        assert!(o.status.success(), "{krate}: {text}");
        assert!(text.contains(" 0 failed"), "{krate}: {text}");
        // Something was compared, not only run.
        assert!(
            !text.contains(" 0 passed"),
            "{krate} has no fixture with \"expect\": {text}"
        );
        // Every line says what it cost.
        for line in text.lines().filter(|l| l.starts_with('✓')) {
            assert!(
                line.contains(" ms in calls") && line.contains("fuel ") && line.contains("peak memory"),
                "{krate}: {line}"
            );
        }
    }
}

#[test]
fn a_wrong_expectation_fails_naming_the_key() {
    let tmp = tempfile::tempdir().unwrap();
    let source = root().join("examples/plugins/skills/fixtures/router-pick.json");
    let mut fixture: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(source).unwrap()).unwrap();
    let right = fixture["expect"]["agent_id"].clone();
    assert!(right.is_u64(), "the example expects an agent: {fixture}");
    fixture["expect"]["agent_id"] = 3.into();
    std::fs::write(tmp.path().join("wrong.json"), fixture.to_string()).unwrap();
    let o = smsdesk(&["plugin", "test", &dist("router-skills"), tmp.path().to_str().unwrap()]);
    let text = out(&o);
    assert!(!o.status.success(), "a wrong expect passed: {text}");
    assert!(text.contains("✗ wrong.json"), "{text}");
    assert!(text.contains(&format!("agent_id: expected 3, got {right}")), "{text}");
    assert!(text.contains("1 failed"), "{text}");

    // No folder, or an empty one: said plainly.
    let empty = tempfile::tempdir().unwrap();
    let o = smsdesk(&["plugin", "test", &dist("router-skills"), empty.path().to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("no fixtures (*.json, *.http) in"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn plugin_check_runs_fixtures_and_says_what_production_would_hit() {
    // A fixture whose message makes the hostile bot loop fails the check
    // within a few seconds, naming the fixture and the CPU budget; the bot
    // that never finishes an ordinary conversation is warned about.
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("loop.json"),
        r#"{"call": "intake", "messages": ["hi", "loop"]}"#,
    )
    .unwrap();
    let started = std::time::Instant::now();
    let o = smsdesk(&[
        "plugin",
        "check",
        &dist("intake-hostile"),
        "--fixtures",
        tmp.path().to_str().unwrap(),
    ]);
    let text = out(&o);
    assert!(!o.status.success(), "{text}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    assert!(text.contains("✗ loop.json"), "{text}");
    assert!(
        text.contains("turn 2 (the customer said \"loop\"): plugin intake-hostile ran out of its CPU budget (100ms)"),
        "{text}"
    );
    assert!(text.contains("1 of 1 fixtures"), "{text}");
    assert!(
        text.contains("the bot neither queued nor closed the conversation"),
        "{text}"
    );
    // A well-behaved bot finishes an ordinary conversation: no warning.
    let menu = out(&smsdesk(&["plugin", "check", &dist("intake-menu")]));
    assert!(!menu.contains("warning:"), "{menu}");

    // A carrier whose webhook check needs a secret it was not given: named.
    let o = smsdesk(&["plugin", "check", &dist("carrier-telnyx")]);
    let text = out(&o);
    assert!(
        text.contains("carrier-telnyx's webhook check needs the secret \"public_key\", and none was given"),
        "{text}"
    );
    let o = Command::new(env!("CARGO_BIN_EXE_smsdesk"))
        .args([
            "plugin",
            "check",
            &dist("carrier-telnyx"),
            "--secret-env",
            "public_key=TELNYX_KEY",
        ])
        .env("TELNYX_KEY", smsdesk::sim::signing::telnyx_test_public_key())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", out(&o));
    assert!(!out(&o).contains("warning:"), "{}", out(&o));
}
