//! `smsdesk check-config`: validates the config file and the plugins it
//! names, reporting every problem with the file, the key and the reason.
//! `smsdesk run` validates with the same `validate` before it starts.

use std::path::Path;
use std::process::ExitCode;

use crate::config::{check, dry_run, Config, ConfigError, ConfigErrors};

/// Loads the config and checks that each plugin loads as the right world.
pub fn validate(path: &Path) -> Result<Config, ConfigErrors> {
    let config = Config::load(path)?;
    let host = crate::plugins::host(&config).map_err(|e| {
        ConfigErrors(vec![ConfigError {
            file: config.file.clone(),
            key: "plugins".into(),
            message: e.to_string(),
        }])
    })?;
    let mut errors = check::plugin_worlds(&config, &host);
    if errors.is_empty() {
        errors = dry_run::carriers_can_send(&config, &host);
        errors.extend(dry_run::carriers_can_verify(&config, &host));
    }
    errors.extend(registration_problem(&config));
    if errors.is_empty() {
        Ok(config)
    } else {
        Err(ConfigErrors(errors))
    }
}

/// In appservice mode: the registration file must be there and fit the config.
fn registration_problem(config: &Config) -> Option<ConfigError> {
    let matrix = config.matrix.as_ref()?;
    let crate::config::MatrixAuth::Appservice(appservice) = &matrix.auth else {
        return None;
    };
    let message = match crate::appservice::registration::read(&appservice.registration) {
        Err(error) => format!("{error:#}"),
        Ok(registration) => format!(
            "{}: {}; run `smsdesk appservice-registration --config {}` and restart the homeserver",
            appservice.registration.display(),
            crate::appservice::registration::mismatch(&registration, matrix, appservice)?,
            config.file.display()
        ),
    };
    Some(ConfigError {
        file: config.file.clone(),
        key: "matrix.registration".into(),
        message,
    })
}

/// Why `database_report` found the database unfit (after `storage.url: `).
#[derive(Debug, thiserror::Error)]
enum DatabaseUnfit {
    /// The URL's TLS settings are the config's, not the database's.
    #[error("{0}")]
    Settings(smsdesk_pgstore::tls::ConfigError),
    #[error("cannot connect to {target}: {error}")]
    Connect {
        target: String,
        error: smsdesk_pgstore::conn::OpenError,
    },
    #[error("{}", smsdesk_pgstore::describe(.0))]
    Query(postgres::Error),
    #[error("the database's schema is at version {applied}, newer than this smsdesk knows ({known}): upgrade smsdesk")]
    Newer { applied: i32, known: i32 },
}

/// On PostgreSQL: whether the database answers, its schema, who leads.
/// Reads only (`run` applies the migrations, not `check-config`).
fn database_report(url: &str) -> Result<String, DatabaseUnfit> {
    use smsdesk_pgstore::migrate;
    let mut client = smsdesk_pgstore::conn::open(url).map_err(|e| match e {
        smsdesk_pgstore::conn::OpenError::Tls(settings) => DatabaseUnfit::Settings(settings),
        error => DatabaseUnfit::Connect {
            target: smsdesk_pgstore::target::target(url),
            error,
        },
    })?;
    let applied = migrate::applied(&mut client).map_err(DatabaseUnfit::Query)?;
    let known = migrate::latest();
    if applied > known {
        return Err(DatabaseUnfit::Newer { applied, known });
    }
    let lease = if applied == 0 {
        None
    } else {
        smsdesk_pgstore::lease::holder(&mut client, smsdesk_pgstore::lease::LEADER).map_err(DatabaseUnfit::Query)?
    };
    let schema = match applied {
        0 => "new: empty (`smsdesk run --init` creates the store; `run` alone refuses it)".to_owned(),
        v if v < known => format!("schema version {v} (migrated to {known} at the next start)"),
        v => format!("schema version {v}"),
    };
    let leader = match lease {
        Some(h) if h.valid => format!("{} leads (epoch {})", h.holder, h.epoch),
        Some(h) => format!("nobody leads (the last leader was {})", h.holder),
        None => "nobody has led yet".to_owned(),
    };
    smsdesk_pgstore::conn::close(vec![client]);
    Ok(format!("database: reachable, {schema}; {leader}"))
}

/// What is valid but likely not meant, one line each (`key: why`).
pub fn warnings(config: &Config) -> Vec<String> {
    let mut out = Vec::new();
    let cache = config.plugin_cache_dir();
    if let Err(why) = smsdesk_plugins::cache::Cache::new(&cache).usable() {
        out.push(format!(
            "plugins.cache_dir: {} is not used ({why}): plugins are compiled at every start",
            cache.display()
        ));
    }
    if let Some(m) = config
        .matrix
        .as_ref()
        .filter(|m| m.encryption && m.recovery_key.is_none())
    {
        out.push(format!(
            "matrix.recovery_key: not set while matrix.encryption = \"on\": agents' clients will show the bot's device ({}) \
             as not verified by its owner, and a new device of the bot (a new machine, a takeover) cannot read older messages",
            m.user
        ));
    }
    out
}

pub fn run(path: &Path) -> anyhow::Result<ExitCode> {
    match validate(path) {
        Ok(config) => {
            for warning in warnings(&config) {
                eprintln!("{}: warning: {warning}", path.display());
            }
            if let Some(url) = config.backend.database_url() {
                match database_report(url) {
                    Ok(line) => println!("{line}"),
                    Err(why) => {
                        eprintln!("{}: storage.url: {why}", path.display());
                        return Ok(ExitCode::FAILURE);
                    }
                }
            }
            println!(
                "{}: ok ({} carrier(s), {} entry point(s), {} queue(s), {} agent(s))",
                path.display(),
                config.carriers.len(),
                config.entry_points.len(),
                config.queues.len(),
                config.roster.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(errors) => {
            eprint!("{errors}");
            Ok(ExitCode::FAILURE)
        }
    }
}
