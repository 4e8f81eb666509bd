//! `smsdesk backup-plan`: what a backup of this config's deployment must
//! hold, read from the config so that `scripts/backup.sh` and
//! `scripts/restore.sh` never guess: the backend, `storage.path`, the
//! appservice registration (it holds `as_token` and `hs_token`, and the
//! homeserver must load the same file), and on PostgreSQL the database
//! (which holds the engine's and the bot's stores) and who leads on it.
//!
//! Without `--porcelain` it is for a person: the database by host, port,
//! name and user, never the password. With `--porcelain` it is for the
//! scripts: one `key<TAB>value` line each, and the database as libpq's
//! environment (`PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE`, `PGPASSWORD`,
//! `PGSSLMODE`, `PGSSLROOTCERT`, `PGOPTIONS`), so `pg_dump` and
//! `pg_restore` get the password through their environment, never on a
//! command line other users can read in `ps`. The password is the one the
//! caller gave the config (its environment or the file), nothing more,
//! and it is printed only into a pipe, never onto a terminal.
//! A value with a tab or a line break is refused, never printed.

use std::path::Path;
use std::process::ExitCode;
use std::str::FromStr;

use smsdesk_pgstore::tls::{RootCert, SslMode};

use crate::config::{Config, MatrixAuth};
use crate::storage::Backend;

pub fn run(path: &Path, porcelain: bool) -> anyhow::Result<ExitCode> {
    let config = match Config::load(path) {
        Ok(c) => c,
        Err(errors) => {
            eprint!("{errors}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let mut lines: Vec<(&str, String)> = vec![
        ("backend", config.backend.name().to_owned()),
        ("storage", config.storage.display().to_string()),
        ("dead_letters", config.dead_letters_dir().display().to_string()),
    ];
    if let Some(MatrixAuth::Appservice(appservice)) = config.matrix.as_ref().map(|m| &m.auth) {
        lines.push(("registration", appservice.registration.display().to_string()));
    }
    if let Some(url) = config.backend.database_url() {
        let target = smsdesk_pgstore::target::target(url);
        lines.push(("database", target.clone()));
        match leader(url) {
            Ok(holder) => lines.push(("leader", holder.unwrap_or_default())),
            Err(error) => {
                eprintln!("storage.url: cannot reach {target}: {error}");
                return Ok(ExitCode::FAILURE);
            }
        }
        if porcelain {
            match libpq_env(url) {
                // The password only into a pipe (the scripts read it), never
                // onto a terminal where anyone looking on, or a scrollback
                // log, would keep it.
                Ok(mut env) => {
                    use std::io::IsTerminal as _;
                    if std::io::stdout().is_terminal() {
                        env.retain(|(k, _)| *k != "PGPASSWORD");
                    }
                    lines.extend(env);
                }
                Err(error) => {
                    eprintln!("storage.url: {error}");
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
    }
    if let Some((key, _)) = lines.iter().find(|(_, v)| v.contains(['\t', '\n', '\r'])) {
        eprintln!("{key} holds a tab or a line break; the backup scripts cannot use it");
        return Ok(ExitCode::FAILURE);
    }
    for (key, value) in &lines {
        if porcelain {
            println!("{key}\t{value}");
        } else if !value.is_empty() {
            println!("{key}: {value}");
        }
    }
    if !porcelain {
        println!("{}", advice(&config));
    }
    Ok(ExitCode::SUCCESS)
}

/// What to copy, in a sentence for the person reading.
fn advice(config: &Config) -> &'static str {
    match config.backend {
        Backend::Sled { .. } => "back up: storage.path whole, with smsdesk stopped (scripts/backup.sh does it)",
        Backend::Postgres { .. } => "back up: the database with pg_dump (online; scripts/backup.sh does it) and each instance's dead-letters/; the bot's store is in the database",
    }
}

/// The live holder of the leader lease, if any (none in a database
/// smsdesk never used).
fn leader(url: &str) -> anyhow::Result<Option<String>> {
    let mut client = smsdesk_pgstore::conn::open(url)?;
    match smsdesk_pgstore::lease::holder(&mut client, smsdesk_pgstore::lease::LEADER) {
        Ok(holder) => Ok(holder.filter(|h| h.valid).map(|h| h.holder)),
        Err(e) if e.code() == Some(&postgres::error::SqlState::UNDEFINED_TABLE) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// `url` as libpq's environment variables, for `pg_dump` and `pg_restore`.
fn libpq_env(url: &str) -> anyhow::Result<Vec<(&'static str, String)>> {
    let (rest, settings) = smsdesk_pgstore::tls::split(url)?;
    let config = postgres::Config::from_str(&rest)?;
    let mut env = Vec::new();
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|h| match h {
            postgres::config::Host::Tcp(name) => name.clone(),
            postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .collect();
    if !hosts.is_empty() {
        env.push(("PGHOST", hosts.join(",")));
    }
    let ports: Vec<String> = config.get_ports().iter().map(u16::to_string).collect();
    if !ports.is_empty() {
        env.push(("PGPORT", ports.join(",")));
    }
    if let Some(user) = config.get_user() {
        env.push(("PGUSER", user.to_owned()));
    }
    if let Some(db) = config.get_dbname() {
        env.push(("PGDATABASE", db.to_owned()));
    }
    if let Some(password) = config.get_password() {
        env.push(("PGPASSWORD", String::from_utf8(password.to_vec())?));
    }
    if let Some(options) = config.get_options() {
        env.push(("PGOPTIONS", options.to_owned()));
    }
    env.push(("PGSSLMODE", sslmode(settings.mode).to_owned()));
    match settings.root_cert {
        RootCert::Unset => {}
        RootCert::System => env.push(("PGSSLROOTCERT", "system".to_owned())),
        RootCert::File(path) => env.push(("PGSSLROOTCERT", path.display().to_string())),
    }
    Ok(env)
}

/// libpq's name for `mode`.
fn sslmode(mode: SslMode) -> &'static str {
    match mode {
        SslMode::Disable => "disable",
        SslMode::Prefer => "prefer",
        SslMode::Require => "require",
        SslMode::VerifyCa => "verify-ca",
        SslMode::VerifyFull => "verify-full",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_becomes_libpq_s_environment() {
        let env = libpq_env("postgres://desk:p%40ss@db.example.com:6543/smsdesk?sslmode=verify-full&sslrootcert=/etc/ca.pem&options=-csearch_path%3Dx").unwrap();
        let get = |k: &str| env.iter().find(|(key, _)| *key == k).map(|(_, v)| v.as_str());
        assert_eq!(get("PGHOST"), Some("db.example.com"));
        assert_eq!(get("PGPORT"), Some("6543"));
        assert_eq!(get("PGUSER"), Some("desk"));
        assert_eq!(get("PGDATABASE"), Some("smsdesk"));
        assert_eq!(get("PGPASSWORD"), Some("p@ss"));
        assert_eq!(get("PGSSLMODE"), Some("verify-full"));
        assert_eq!(get("PGSSLROOTCERT"), Some("/etc/ca.pem"));
        assert_eq!(get("PGOPTIONS"), Some("-csearch_path=x"));
        let plain = libpq_env("postgres://desk@localhost/d").unwrap();
        assert!(plain.iter().all(|(k, _)| *k != "PGPASSWORD"));
        assert!(plain.contains(&("PGSSLMODE", "prefer".to_owned())));
    }
}
