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
use super::plugin::LimitArgs;
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
        None if output.failed => Verdict::Failed(vec![format!(
            "the plugin failed: {}",
            serde_json::to_string(&output.value).unwrap_or_default()
        )]),
        None => Verdict::Ran,
    };
    Ok((verdict, Cost::of(&host)))
}

/// `plugin test`: every fixture in `dir`; prints a line each and a summary.
pub fn test(file: &Path, dir: &Path, extra: &Extra, limits: &LimitArgs) -> anyhow::Result<ExitCode> {
    if !file.is_file() {
        bail!("no plugin at {} (build it first)", file.display());
    }
    let all = fixtures(dir)?;
    let cache = tempfile::tempdir().context("cannot make a folder for the compiled plugin")?;
    let started = Instant::now();
    let (mut passed, mut ran, mut failed) = (0, 0, 0);
    for fixture in &all {
        let name = fixture
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let t = Instant::now();
        let (verdict, cost) = match one(file, fixture, extra.clone(), limits, cache.path()) {
            Ok((verdict, cost)) => (verdict, Some(cost)),
            Err(error) => (Verdict::Failed(vec![format!("{error:#}")]), None),
        };
        let took = t.elapsed().as_secs_f64() * 1e3;
        let cost = cost.map_or_else(String::new, |c| format!("; {c}"));
        match verdict {
            Verdict::Passed => {
                passed += 1;
                println!("✓ {name}  {took:.0} ms{cost}");
            }
            Verdict::Ran => {
                ran += 1;
                println!("✓ {name}  {took:.0} ms{cost} (no \"expect\": it ran, nothing was compared)");
            }
            Verdict::Failed(why) => {
                failed += 1;
                println!("✗ {name}  {took:.0} ms{cost}");
                for line in why {
                    println!("    {line}");
                }
            }
        }
    }
    println!(
        "{} fixture(s) in {:.1} s: {} passed, {} ran without \"expect\", {} failed",
        all.len(),
        started.elapsed().as_secs_f64(),
        passed,
        ran,
        failed
    );
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
