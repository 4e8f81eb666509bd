//! `smsdesk plugin test <plugin.wasm> [fixtures-dir]`: every fixture of a
//! folder (`*.json` call descriptions and `*.http` recorded requests,
//! default `fixtures/`), each on a fresh metered host, its result compared
//! with its `"expect"` (`expect.rs`). One line per fixture (✓/✗, name,
//! what it cost), the differences under a failed one, a summary; the exit
//! status is non-zero when any fixture failed.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context};

use super::expect;
use super::plugin_args::LimitArgs;
use super::plugin_cost::Cost;
use super::plugin_fixture::{self, Extra};

/// How one fixture went.
enum Verdict {
    Passed,
    /// It ran and nothing was expected of it.
    Ran,
    /// Why it failed: differences, or the error.
    Failed(Vec<String>),
}

/// The fixtures in `dir`, by name.
fn fixtures(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    if !dir.is_dir() {
        bail!(
            "no fixtures folder {}: run from the plugin's crate (its fixtures/), or name the folder: \
             smsdesk plugin test <plugin.wasm> <fixtures-dir>",
            dir.display()
        );
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "json" || x == "http"))
        .collect();
    found.sort();
    if found.is_empty() {
        bail!("no fixtures (*.json, *.http) in {}", dir.display());
    }
    Ok(found)
}

/// Runs one fixture on a fresh host (so its cost is its own); the plugin
/// is compiled once, into `cache`.
fn one(file: &Path, fixture: &Path, extra: Extra, limits: &LimitArgs, cache: &Path) -> anyhow::Result<(Verdict, Cost)> {
    let host = limits.metered_host(Some(cache))?;
    let (call, expected) = plugin_fixture::read(fixture, extra.public_url.as_deref())?;
    let output = plugin_fixture::call(file, call, extra, &host)?;
    let verdict = match expected {
        Some(expected) => {
            let found = expect::compare(&expected, &output.value);
            if found.is_empty() {
                Verdict::Passed
            } else {
                let mut why: Vec<String> = found.iter().map(ToString::to_string).collect();
                why.push(format!(
                    "the whole result: {}",
                    serde_json::to_string(&output.value).unwrap_or_default()
                ));
                Verdict::Failed(why)
            }
        }
        None if output.failed => Verdict::Failed(failed_turns(&output.value)),
        None => Verdict::Ran,
    };
    Ok((verdict, Cost::of(&host)))
}

/// An intake run's failed turns, each with what the customer said and why.
fn failed_turns(value: &serde_json::Value) -> Vec<String> {
    let turns = value["turns"].as_array().map_or(&[][..], Vec::as_slice);
    let failed: Vec<String> = turns
        .iter()
        .filter_map(|t| {
            let why = t["failed"].as_str()?;
            Some(format!(
                "turn {} (the customer said {}): {why}",
                t["turn"], t["customer"]
            ))
        })
        .collect();
    if failed.is_empty() {
        vec![format!("the plugin failed: {value}")]
    } else {
        failed
    }
}

/// What a folder of fixtures gave.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    pub total: usize,
    pub passed: usize,
    pub ran: usize,
    pub failed: usize,
}

/// Runs every fixture in `dir`, printing a line each (indented by `indent`).
pub fn run_folder(file: &Path, dir: &Path, extra: &Extra, limits: &LimitArgs, indent: &str) -> anyhow::Result<Tally> {
    if !file.is_file() {
        bail!("no plugin at {} (build it first)", file.display());
    }
    let all = fixtures(dir)?;
    // The tools' cache, or a folder for this run: each fixture gets a fresh
    // host, and the plugin is compiled once either way.
    let temporary;
    let cache = match super::plugin_args::tools_cache() {
        Some(dir) => dir,
        None => {
            temporary = tempfile::tempdir().context("cannot make a folder for the compiled plugin")?;
            temporary.path().to_owned()
        }
    };
    let mut tally = Tally {
        total: all.len(),
        ..Tally::default()
    };
    for fixture in &all {
        let name = fixture
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let t = Instant::now();
        let (verdict, cost) = match one(file, fixture, extra.clone(), limits, &cache) {
            Ok((verdict, cost)) => (verdict, Some(cost)),
            Err(error) => (Verdict::Failed(vec![format!("{error:#}")]), None),
        };
        let took = t.elapsed().as_secs_f64() * 1e3;
        let cost = cost.map_or_else(String::new, |c| format!("; {c}"));
        match verdict {
            Verdict::Passed => {
                tally.passed += 1;
                println!("{indent}✓ {name}  {took:.0} ms{cost}");
            }
            Verdict::Ran => {
                tally.ran += 1;
                println!("{indent}✓ {name}  {took:.0} ms{cost} (no \"expect\": it ran, nothing was compared)");
            }
            Verdict::Failed(why) => {
                tally.failed += 1;
                println!("{indent}✗ {name}  {took:.0} ms{cost}");
                for line in why {
                    println!("{indent}    {line}");
                }
            }
        }
    }
    Ok(tally)
}

/// `plugin test`: every fixture in `dir`; prints a line each and a summary.
pub fn test(file: &Path, dir: &Path, extra: &Extra, limits: &LimitArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let t = run_folder(file, dir, extra, limits, "")?;
    println!(
        "{} fixture(s) in {:.1} s: {} passed, {} ran without \"expect\", {} failed",
        t.total,
        started.elapsed().as_secs_f64(),
        t.passed,
        t.ran,
        t.failed
    );
    Ok(if t.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
