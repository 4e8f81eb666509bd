//! The plugin author's guide cannot drift from the binary: every code
//! block in `examples/plugins/README.md` and `examples/plugins/guide/*.md`
//! marked `json` parses (and, when it is a fixture, `smsdesk plugin run`
//! accepts it), every `toml` block parses, and every `sh` block's
//! `smsdesk` command runs as written when its files are in the repository
//! (with the JSON shown after it as its answer), or else names a
//! subcommand and flags the binary has.

use crate::common;

use std::path::Path;
use std::process::{Command, Output};

use common::{dist, root};

fn smsdesk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_smsdesk"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap()
}

/// (info string, body, line of the opening fence) of every fenced block.
fn blocks(text: &str) -> Vec<(String, String, usize)> {
    let mut out = Vec::new();
    let mut open: Option<(String, String, usize)> = None;
    for (n, line) in text.lines().enumerate() {
        if let Some(info) = line.strip_prefix("```") {
            match open.take() {
                Some(block) => out.push(block),
                None => open = Some((info.trim().to_owned(), String::new(), n + 1)),
            }
        } else if let Some((_, body, _)) = open.as_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    out
}

/// The example plugin a fixture's call is run against.
fn plugin_for(call: &str) -> String {
    match call {
        "pick" => dist("router-skills"),
        "intake" => dist("intake-menu"),
        _ => dist("carrier-twilio"),
    }
}

fn check_json(body: &str, at: &str) {
    let value: serde_json::Value =
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{at}: a json block does not parse: {e}\n{body}"));
    let Some(call) = value["call"].as_str() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("fixture.json");
    std::fs::write(&file, body).unwrap();
    let o = smsdesk(&["plugin", "run", &plugin_for(call), file.to_str().unwrap()]);
    assert!(
        o.status.success(),
        "{at}: the guide's {call} fixture does not run: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// One `smsdesk …` line of a shell block; `shown` is the JSON printed
/// after a `$ ` line, if the block shows it.
fn check_command(line: &str, shown: Option<&str>, at: &str) {
    let line = line.split(" #").next().unwrap_or(line).trim();
    let args: Vec<&str> = line.split_whitespace().skip(1).collect();
    let files: Vec<&&str> = args
        .iter()
        .filter(|a| !a.starts_with('-') && (a.contains('/') || a.ends_with(".wasm") || a.ends_with(".json")))
        .collect();
    if !files.is_empty() && files.iter().all(|f| root().join(f).exists()) {
        // Runnable here: it must succeed, and print what the guide shows.
        let o = smsdesk(&args);
        assert!(
            o.status.success(),
            "{at}: `{line}` fails: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        if let Some(shown) = shown {
            let printed: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
            let shown: serde_json::Value =
                serde_json::from_str(shown).unwrap_or_else(|e| panic!("{at}: the shown answer is not JSON: {e}"));
            assert_eq!(
                printed, shown,
                "{at}: `{line}` prints something else than the guide shows"
            );
        }
        return;
    }
    // Not runnable here (a crate of the reader's): the subcommand and
    // every flag must exist.
    let chain: Vec<&str> = args
        .iter()
        .copied()
        .take_while(|a| !a.starts_with('-') && !a.contains('/') && !a.contains('.') && !a.contains('<'))
        .collect();
    let mut help_args = chain.clone();
    help_args.push("--help");
    let o = smsdesk(&help_args);
    assert!(
        o.status.success(),
        "{at}: `smsdesk {}` is no subcommand",
        chain.join(" ")
    );
    let help = String::from_utf8_lossy(&o.stdout);
    for flag in args.iter().filter(|a| a.starts_with("--")) {
        let flag = flag.split('=').next().unwrap_or(flag);
        assert!(help.contains(flag), "{at}: `smsdesk {}` has no {flag}", chain.join(" "));
    }
}

fn check_shell(body: &str, at: &str) {
    let lines: Vec<&str> = body.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let (command, prompted) = match line.strip_prefix("$ ") {
            Some(c) => (c, true),
            None => (*line, false),
        };
        if let Some(script) = command.strip_prefix("bash ") {
            let script = script.split_whitespace().next().unwrap_or_default();
            assert!(root().join(script).is_file(), "{at}: no {script}");
        }
        if !command.starts_with("smsdesk ") {
            continue;
        }
        // What a `$ ` line prints: the lines after it, up to the next command.
        let shown = prompted.then(|| {
            lines[i + 1..]
                .iter()
                .take_while(|l| !l.starts_with("$ "))
                .copied()
                .collect::<Vec<_>>()
                .join("\n")
        });
        // A shortened answer (with `...`) is not compared.
        let shown = shown.filter(|s| s.trim_start().starts_with('{') && !s.contains("..."));
        check_command(command, shown.as_deref(), at);
    }
}

#[test]
fn every_command_and_example_in_the_plugin_guides_works_as_written() {
    let dir = root().join("examples/plugins");
    let mut pages = vec![dir.join("README.md")];
    for entry in std::fs::read_dir(dir.join("guide")).unwrap() {
        pages.push(entry.unwrap().path());
    }
    let mut checked = 0;
    for page in &pages {
        let text = std::fs::read_to_string(page).unwrap();
        let name = page.strip_prefix(root()).unwrap_or(page).display().to_string();
        for (info, body, line) in blocks(&text) {
            let at = format!("{name}:{line}");
            match info.as_str() {
                "json" => check_json(&body, &at),
                "toml" => {
                    toml::from_str::<toml::Value>(&body)
                        .unwrap_or_else(|e| panic!("{at}: a toml block does not parse: {e}\n{body}"));
                }
                "sh" => check_shell(&body, &at),
                _ => continue,
            }
            checked += 1;
        }
    }
    assert!(checked >= 12, "only {checked} blocks found: did the guides move?");
    assert!(Path::new(&dist("router-skills")).exists());
}
