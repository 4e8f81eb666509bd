//! The command-line arguments the plugin tools share: what is added to
//! every fixture (`--setting`, `--secret`, `--secret-env`, `--public-url`)
//! and the sandbox's limits (`--budget-ms`, `--memory-mib`), with the hosts
//! they make.

use std::collections::BTreeMap;
use std::path::Path;
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

    pub fn host(&self) -> anyhow::Result<PluginHost> {
        Ok(PluginHost::new(self.limits(), None)?)
    }

    /// A host that counts each call's fuel (for `run` and `test`), with
    /// compiled plugins kept in `cache` if given.
    pub fn metered_host(&self, cache: Option<&Path>) -> anyhow::Result<PluginHost> {
        Ok(PluginHost::metered(self.limits(), cache.map(Path::to_path_buf))?)
    }
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
