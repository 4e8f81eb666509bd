//! The command line. Each subcommand parses its own arguments (clap derive)
//! and returns an exit code; errors are printed by `main` with their causes.

pub mod plugin;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// smsdesk: contact-center SMS conversations in Matrix rooms.
///
/// Customers text a business number; agents answer from Matrix. Carrier
/// adapters and routing policies are sandboxed WebAssembly plugins.
#[derive(Debug, Parser)]
#[command(name = "smsdesk", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Tools for plugin authors: inspect a plugin, run it on a fixture.
    #[command(subcommand)]
    Plugin(plugin::PluginCommand),
}

impl Cli {
    pub fn run(self) -> anyhow::Result<ExitCode> {
        match self.command {
            Command::Plugin(c) => c.run(),
        }
    }
}
