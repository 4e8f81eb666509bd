//! `smsdesk plugin …`: a plugin author's loop without a server. `check`
//! shows the world, interface version, imports and exports and tries to
//! instantiate the plugin under the real sandbox. `run` makes one call on a
//! JSON fixture or a recorded HTTP request and prints the result as JSON
//! and its cost; `test` runs a folder of fixtures and compares each with
//! its `"expect"`; `new` starts a crate.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::Subcommand;

use super::plugin_args::{GivenArgs, LimitArgs};
use super::plugin_cost::Cost;
use super::plugin_fixture::{self, Extra};

#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// Show a plugin's world, interface version, imports and exports, and
    /// check that it loads in the sandbox and answers a few built-in calls
    /// without trapping.
    ///
    /// Then it runs the crate's fixtures (a `fixtures/` folder beside the
    /// crate's Cargo.toml, found from the file's place, or `--fixtures`),
    /// as `plugin test` does: a fixture that fails, traps, loops past the
    /// CPU budget or runs out of memory fails the check.
    Check {
        /// The plugin component (.wasm).
        file: PathBuf,
        /// The fixtures to run too (default: the crate's fixtures/, if found).
        #[arg(long, value_name = "DIR")]
        fixtures: Option<PathBuf>,
        #[command(flatten)]
        given: GivenArgs,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Start a new plugin: a crate that builds on its own (with the
    /// interface and, for routers, the SDK inside), an example for the
    /// world, and a fixture that `plugin run` passes.
    New {
        /// router, carrier or intake.
        world: String,
        /// The new crate's directory (its name is the crate's name).
        dir: PathBuf,
    },
    /// Run one plugin call on a fixture and print the result as JSON.
    ///
    /// The fixture is JSON with a "call" field: "handle-webhook" (with
    /// "kind" and "request"), "build-send" (with "message"),
    /// "parse-send-response" (with "response") for carriers, "pick"
    /// (with "request" and "candidates") for routers, or "intake" (with
    /// "messages", the customer's SMS in order) for intake bots, which
    /// runs one turn per SMS until the bot queues or closes. Or it is a recorded
    /// HTTP request (request line, headers, blank line, body), which is
    /// handed to a carrier's handle-webhook. See examples/plugins/*/fixtures/.
    Run {
        /// The plugin component (.wasm).
        file: PathBuf,
        /// The fixture: a .json call description or a recorded HTTP request.
        fixture: PathBuf,
        #[command(flatten)]
        given: GivenArgs,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Print the author's guide to a world (router, carrier or intake):
    /// its calls, what the host guarantees, every fixture field.
    Guide {
        /// router, carrier or intake.
        world: String,
    },
    /// Run every fixture in a folder and compare each result with the
    /// fixture's "expect" (only the keys it gives; a readable difference
    /// when they differ). One line per fixture with what it cost; exits
    /// non-zero if any fixture fails.
    Test {
        /// The plugin component (.wasm).
        file: PathBuf,
        /// The fixtures (*.json, *.http); default: fixtures/ here.
        #[arg(default_value = "fixtures")]
        dir: PathBuf,
        #[command(flatten)]
        given: GivenArgs,
        #[command(flatten)]
        limits: LimitArgs,
    },
}

impl PluginCommand {
    pub fn run(self) -> anyhow::Result<ExitCode> {
        match self {
            PluginCommand::Guide { world } => {
                print!("{}", super::scaffold::guide(super::scaffold::world_named(&world)?));
                Ok(ExitCode::SUCCESS)
            }
            PluginCommand::New { world, dir } => super::scaffold::new(super::scaffold::world_named(&world)?, &dir),
            PluginCommand::Check {
                file,
                fixtures,
                given,
                limits,
            } => super::plugin_check::check(&file, fixtures, &given.extra()?, &limits),
            PluginCommand::Run {
                file,
                fixture,
                given,
                limits,
            } => run(&file, &fixture, given.extra()?, &limits),
            PluginCommand::Test {
                file,
                dir,
                given,
                limits,
            } => super::plugin_test::test(&file, &dir, &given.extra()?, &limits),
        }
    }
}

/// `plugin run`: reads the fixture, makes its one call, prints the result
/// (and, on stderr, what it cost and whether it matches its "expect").
fn run(file: &Path, fixture_path: &Path, extra: Extra, limits: &LimitArgs) -> anyhow::Result<ExitCode> {
    let host = limits.metered_host(super::plugin_args::tools_cache().as_deref())?;
    let (fixture, expected) = plugin_fixture::read(fixture_path, extra.public_url.as_deref())?;
    let started = Instant::now();
    let output = plugin_fixture::call(file, fixture, extra, &host)?;
    println!("{}", serde_json::to_string_pretty(&output.value)?);
    eprintln!(
        "(load + call took {:.2} ms; {})",
        started.elapsed().as_secs_f64() * 1e3,
        Cost::of(&host)
    );
    if let Some(expected) = expected {
        let found = super::expect::compare(&expected, &output.value);
        if found.is_empty() {
            eprintln!("matches its \"expect\"");
        } else {
            for m in &found {
                eprintln!("differs from its \"expect\": {m}");
            }
        }
    }
    Ok(if output.failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
