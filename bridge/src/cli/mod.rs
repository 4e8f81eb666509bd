//! The command line. Each subcommand parses its own arguments (clap derive)
//! and returns an exit code; errors are printed by `main` with their causes.

mod appservice_registration;
mod backup_plan;
pub mod check_config;
mod expect;
pub mod export;
mod import_aside;
pub mod import_store;
mod intake_run;
pub mod plugin;
mod plugin_args;
mod plugin_check;
mod plugin_cost;
mod plugin_fixture;
mod plugin_name;
mod plugin_test;
pub mod replay;
pub mod run;
mod scaffold;

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
    /// Run the server: webhooks in, durable store, engine, metrics.
    Run {
        /// The TOML config file.
        #[arg(long, short, default_value = "smsdesk.toml", env = "SMSDESK_CONFIG")]
        config: std::path::PathBuf,
        /// Log format (filter with SMSDESK_LOG, e.g. SMSDESK_LOG=debug).
        #[arg(long, value_enum, default_value = "text", env = "SMSDESK_LOG_FORMAT")]
        log_format: crate::logging::LogFormat,
        /// With `backend = "postgres"`: create smsdesk's store in an empty
        /// database (without it, smsdesk refuses to start on one).
        #[arg(long)]
        init: bool,
        /// Take the bot's Matrix account (and its rooms) over from another
        /// smsdesk store, e.g. after wiping storage.path or setting up a new
        /// database on purpose. Without it, a bot account that already
        /// serves another store is refused. Needed once.
        #[arg(long)]
        adopt_account: bool,
    },
    /// Check a config file and the plugins it names; report every problem.
    CheckConfig {
        /// The TOML config file.
        #[arg(long, short, default_value = "smsdesk.toml", env = "SMSDESK_CONFIG")]
        config: std::path::PathBuf,
    },
    /// Write the appservice registration file (matrix.registration) for the
    /// homeserver: new tokens the first time, the same tokens after.
    AppserviceRegistration {
        /// The TOML config file (with matrix.mode = "appservice").
        #[arg(long, short, default_value = "smsdesk.toml", env = "SMSDESK_CONFIG")]
        config: std::path::PathBuf,
        /// Also print the registration (it holds the tokens).
        #[arg(long)]
        print: bool,
    },
    /// Copy a one-machine (sled) store into PostgreSQL, for several
    /// instances: the config must already say backend = "postgres".
    ImportStore {
        /// The TOML config file (storage.path: the sled stores; storage.url: the database).
        #[arg(long, short, default_value = "smsdesk.toml", env = "SMSDESK_CONFIG")]
        config: std::path::PathBuf,
    },
    /// Say what a backup of this deployment must hold (scripts/backup.sh
    /// and scripts/restore.sh read it): the backend, storage.path, the
    /// appservice registration, the database and who leads on it.
    BackupPlan {
        /// The TOML config file.
        #[arg(long, short, default_value = "smsdesk.toml", env = "SMSDESK_CONFIG")]
        config: std::path::PathBuf,
        /// For scripts: `key<TAB>value` lines, the database as libpq's
        /// environment (PGHOST…, and PGPASSWORD when the URL has one).
        #[arg(long)]
        porcelain: bool,
    },
    /// Re-send kept webhook requests (dead letters) to the running smsdesk.
    Replay {
        /// The TOML config file (for the listen address and the dead-letter folder).
        #[arg(long, short, default_value = "smsdesk.toml", env = "SMSDESK_CONFIG")]
        config: std::path::PathBuf,
        /// Kept requests to replay (default: every one in the dead-letter folder).
        files: Vec<std::path::PathBuf>,
    },
    /// A Twilio-compatible carrier simulator on loopback, for tests and the demo.
    ///
    /// It speaks Twilio, Telnyx or both (`--carrier twilio --carrier telnyx`).
    /// Endpoints: `POST /2010-04-01/Accounts/{sid}/Messages.json` (Twilio;
    /// basic auth) and `POST /v2/messages` (Telnyx; Bearer key), each
    /// followed by signed status callbacks; `POST /sim/inbound` with
    /// `{"from", "to", "body", "carrier"}` (a customer texts: a signed
    /// webhook goes to smsdesk); `GET /sim/messages` (every message
    /// received); `POST /sim/faults` with a JSON list consumed one per send:
    /// `"500"`, `"429"`, `"21610"`/`"40300"` (opted out), `"21211"`/`"40310"`
    /// (invalid number), `"drop"` (no callbacks), `{"delay_ms": N}`. Twilio's
    /// auth token comes from `--auth-token` or `TWILIO_AUTH_TOKEN`, Telnyx's
    /// API key from `--telnyx-api-key` or `TELNYX_API_KEY` (keep them off
    /// the command line); Telnyx webhooks are signed with a fixed test key
    /// (the log line at start shows its public key).
    Sim(crate::sim::SimArgs),
    /// Export conversations with their transcripts (JSON lines or CSV), from
    /// a stopped store or through the running server.
    Export(export::ExportArgs),
    /// Tools for plugin authors: inspect a plugin, run it on a fixture.
    #[command(subcommand)]
    Plugin(plugin::PluginCommand),
}

impl Cli {
    pub fn run(self) -> anyhow::Result<ExitCode> {
        match self.command {
            Command::Run {
                config,
                log_format,
                init,
                adopt_account,
            } => run::run(&config, log_format, run::Options { init, adopt_account }),
            Command::CheckConfig { config } => check_config::run(&config),
            Command::AppserviceRegistration { config, print } => appservice_registration::run(&config, print),
            Command::ImportStore { config } => import_store::run(&config),
            Command::BackupPlan { config, porcelain } => backup_plan::run(&config, porcelain),
            Command::Replay { config, files } => replay::run(&config, files),
            Command::Sim(args) => crate::sim::run(args),
            Command::Export(args) => export::run(&args),
            Command::Plugin(c) => c.run(),
        }
    }
}
