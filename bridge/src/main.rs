//! The `smsdesk` binary.
//!
//! ## Layout
//!
//! - `cli`: the command line (clap); one module per subcommand.
//!   - `cli::plugin`: `smsdesk plugin check` and `smsdesk plugin run`, the
//!     plugin author's tools (no server needed).
//!   - `cli::check_config`: `smsdesk check-config`.
//!   - `cli::run`: `smsdesk run`; `cli::replay`: `smsdesk replay` (dead letters).
//! - `config`: the TOML config file: parsing, `${ENV}`, validation with every error.
//! - `plugins`: the plugin host built from the config.
//! - `server`: `smsdesk run` — HTTP webhooks, health, metrics, dead letters, SMS outbox.
//! - `sim`: `smsdesk sim` — a Twilio-compatible carrier simulator with fault injection.
//!
//! - `matrix`: the Matrix front end — the bot (desk rooms, offers, relay),
//!   its store, and the chat command language (`matrix::commands`).

mod cli;
mod config;
mod matrix;
mod plugins;
mod server;
mod sim;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli.run() {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
