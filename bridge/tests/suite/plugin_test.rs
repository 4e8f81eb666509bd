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
