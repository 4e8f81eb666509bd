//! `smsdesk run`: validates the config (refusing to start on any problem,
//! with the same messages as `check-config`), sets up logging and serves
//! until Ctrl-C or SIGTERM. A stop is clean when it can be, and never takes
//! longer than `GRACE`: past it the process exits with code 1 whatever is
//! still running (everything acknowledged is already durable, so nothing
//! is lost by not waiting for a stuck task).

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use crate::logging::{self, LogFormat};

/// What `smsdesk run` is told beside the config file.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// `--init`: create smsdesk's store in an empty PostgreSQL database.
    pub init: bool,
    /// `--adopt-account`: see `matrix::connection::account_owner`.
    pub adopt_account: bool,
}

pub fn run(config_path: &Path, log: LogFormat, options: Options) -> anyhow::Result<ExitCode> {
    logging::init(log);
    // What smsdesk keeps holds customers' messages: owner-only files (0600)
    // and directories (0700).
    #[cfg(unix)]
    rustix::process::umask(rustix::fs::Mode::from_bits_truncate(0o077));
    let mut config = match super::check_config::validate(config_path) {
        Ok(c) => c,
        Err(errors) => {
            eprint!("{errors}");
            eprintln!("smsdesk did not start.");
            return Ok(ExitCode::FAILURE);
        }
    };
    if let Some(matrix) = &mut config.matrix {
        matrix.adopt_account = options.adopt_account;
    }
    // The message catalogs, with a `locales/` folder beside the config on
    // top (check-config has read them; a language one lacks a key of warns).
    let locales = config_path.parent().map(|d| d.join("locales"));
    crate::i18n::init(locales.as_deref())?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    // One machine, or several instances sharing PostgreSQL.
    if let crate::storage::Backend::Postgres { .. } = config.backend {
        runtime.block_on(crate::cluster::run(config, options.init, shutdown_signal()))?;
    } else {
        if options.init {
            tracing::warn!(
                "--init is for storage.backend = \"postgres\"; a one-machine store is created at its first start anyway"
            );
        }
        runtime.block_on(crate::serve::run(config, shutdown_signal()))?;
    }
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!(grace_s = GRACE.as_secs(), "shutting down");
    // A watchdog beside the runtime: a stuck engine, plugin or connection
    // cannot hold the process past the grace.
    let _ = std::thread::Builder::new()
        .name("smsdesk-stop-watchdog".into())
        .spawn(|| {
            std::thread::sleep(GRACE);
            tracing::error!(
                grace_s = GRACE.as_secs(),
                "smsdesk did not stop within its grace; exiting now"
            );
            std::process::exit(1);
        });
}

/// The longest a stop (Ctrl-C, SIGTERM) takes.
pub const GRACE: Duration = Duration::from_secs(20);
