//! The command-line arguments the plugin tools share: what is added to
//! every fixture (`--setting`, `--secret`, `--secret-env`, `--public-url`)
//! and the sandbox's limits (`--budget-ms`, `--memory-mib`), with the hosts
//! they make, and where those keep compiled plugins (`tools_cache`).

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use clap::Args;
use smsdesk_plugins::{Limits, PluginHost};

use super::plugin_fixture::Extra;

/// What the command line adds to every fixture.
#[derive(Debug, Args)]
pub struct GivenArgs {
    /// A non-secret setting, `name=value` (repeatable); adds to the fixture's "settings".
    #[arg(long = "setting", value_name = "NAME=VALUE")]
    settings: Vec<String>,
    /// A secret, `name=value` (repeatable); adds to the fixture's "secrets".
    /// Prefer `--secret-env name=ENV_VAR` to keep it out of shell history.
    #[arg(long = "secret", value_name = "NAME=VALUE")]
    secrets: Vec<String>,
    /// A secret read from an environment variable, `name=ENV_VAR` (repeatable).
    #[arg(long = "secret-env", value_name = "NAME=ENV_VAR")]
    secret_env: Vec<String>,
    /// For recorded requests: the public base URL the carrier called
    /// (default: https:// and the request's Host header).
    #[arg(long, value_name = "URL")]
    public_url: Option<String>,
}

impl GivenArgs {
    pub fn extra(&self) -> anyhow::Result<Extra> {
        let mut secrets = pairs(&self.secrets, "--secret")?;
        for (name, var) in pairs(&self.secret_env, "--secret-env")? {
            let value = std::env::var(&var)
                .with_context(|| format!("--secret-env {name}={var}: environment variable {var} is not set"))?;
            secrets.insert(name, value);
        }
        Ok(Extra {
            settings: pairs(&self.settings, "--setting")?,
            secrets,
            public_url: self.public_url.clone(),
        })
    }
}

#[derive(Debug, Args)]
pub struct LimitArgs {
    /// CPU budget of one call, in milliseconds.
    #[arg(long, default_value_t = 100)]
    budget_ms: u64,
    /// Memory cap of one instance, in MiB: all its memories and tables together.
    #[arg(long, default_value_t = 64)]
    memory_mib: usize,
}

impl LimitArgs {
    fn limits(&self) -> Limits {
        Limits {
            cpu_budget: Duration::from_millis(self.budget_ms),
            memory: self.memory_mib << 20,
        }
    }

    /// A host keeping compiled plugins in the tools' cache (`tools_cache`).
    pub fn host(&self) -> anyhow::Result<PluginHost> {
        Ok(PluginHost::new(self.limits(), tools_cache())?)
    }

    /// A host that counts each call's fuel (for `run` and `test`), with
    /// compiled plugins kept in `cache` if given.
    pub fn metered_host(&self, cache: Option<&Path>) -> anyhow::Result<PluginHost> {
        Ok(PluginHost::metered(self.limits(), cache.map(Path::to_path_buf))?)
    }
}

/// Where the plugin tools keep compiled plugins between runs (wasmtime's
/// own command line keeps such a cache too): an author checks and tests the same
/// build again and again, and compiling is most of a check's time. Entries
/// are keyed by the plugin's bytes and the engine (`smsdesk_plugins::cache`),
/// so a rebuilt plugin or another smsdesk never loads a stale one.
///
/// `SMSDESK_PLUGIN_CACHE` (set but empty: no cache), else
/// `$XDG_CACHE_HOME/smsdesk/plugin-cache` (an absolute path only, as the
/// XDG spec says), else `$HOME/.cache/smsdesk/plugin-cache`, else none.
/// A folder the cache may not use (`Cache::usable`: another user's, open
/// to others and holding other files, below a folder others may write) is
/// said on stderr, and the tools compile without it.
pub fn tools_cache() -> Option<PathBuf> {
    let dir = tools_cache_from(|name| std::env::var_os(name))?;
    match smsdesk_plugins::cache::Cache::new(&dir).usable() {
        Ok(dir) => Some(dir),
        Err(why) => {
            eprintln!(
                "note: the plugin cache {} is not used ({why}); compiling without it (SMSDESK_PLUGIN_CACHE names another folder)",
                dir.display()
            );
            None
        }
    }
}

fn tools_cache_from(var: impl Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    if let Some(dir) = var("SMSDESK_PLUGIN_CACHE") {
        return (!dir.is_empty()).then(|| PathBuf::from(dir));
    }
    let base = var("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            var("HOME")
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .map(|home| home.join(".cache"))
        })?;
    Some(base.join("smsdesk").join("plugin-cache"))
}

pub fn pairs(items: &[String], flag: &str) -> anyhow::Result<BTreeMap<String, String>> {
    items
        .iter()
        .map(|item| match item.split_once('=') {
            Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
            _ => bail!("{flag} {item:?}: expected NAME=VALUE"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache_with(vars: &[(&str, &str)]) -> Option<PathBuf> {
        tools_cache_from(|name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| OsString::from(v)))
    }

    #[test]
    fn the_tools_cache_follows_the_variable_then_xdg_then_home() {
        let all = [
            ("SMSDESK_PLUGIN_CACHE", "/work/cache"),
            ("XDG_CACHE_HOME", "/xdg"),
            ("HOME", "/home/ada"),
        ];
        assert_eq!(cache_with(&all), Some(PathBuf::from("/work/cache")));
        assert_eq!(cache_with(&all[1..]), Some(PathBuf::from("/xdg/smsdesk/plugin-cache")));
        assert_eq!(
            cache_with(&all[2..]),
            Some(PathBuf::from("/home/ada/.cache/smsdesk/plugin-cache"))
        );
        assert_eq!(cache_with(&[]), None);
    }

    #[test]
    fn an_empty_variable_turns_the_cache_off_and_relative_bases_are_ignored() {
        assert_eq!(cache_with(&[("SMSDESK_PLUGIN_CACHE", ""), ("HOME", "/home/ada")]), None);
        assert_eq!(
            cache_with(&[("XDG_CACHE_HOME", "cache"), ("HOME", "/home/ada")]),
            Some(PathBuf::from("/home/ada/.cache/smsdesk/plugin-cache"))
        );
        assert_eq!(cache_with(&[("HOME", "relative")]), None);
    }
}
