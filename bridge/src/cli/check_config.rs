//! `smsdesk check-config`: validates the config file and the plugins it
//! names, reporting every problem with the file, the key and the reason.

use std::path::Path;
use std::process::ExitCode;

use smsdesk_plugins::{PluginHost, World};

use crate::config::{Config, ConfigError, ConfigErrors, RouterChoice};

/// Loads the config and checks that each plugin loads as the right world.
pub fn validate(path: &Path) -> Result<Config, ConfigErrors> {
    let config = Config::load(path)?;
    let mut errors = Vec::new();
    let host = crate::plugins::host(&config).map_err(|e| {
        ConfigErrors(vec![ConfigError {
            file: config.file.clone(),
            key: "plugins".into(),
            message: e.to_string(),
        }])
    })?;
    let mut check = |key: String, file: &Path, world: World| {
        if let Some(message) = plugin_problem(&host, file, world) {
            errors.push(ConfigError {
                file: config.file.clone(),
                key,
                message,
            });
        }
    };
    for (i, c) in config.carriers.iter().enumerate() {
        check(format!("carriers[{i}].plugin"), &c.plugin, World::Carrier);
    }
    for (i, q) in config.queues.iter().enumerate() {
        if let RouterChoice::Plugin(p) = &q.router {
            check(format!("queues[{i}].router"), p, World::Router);
        }
    }
    if errors.is_empty() {
        Ok(config)
    } else {
        Err(ConfigErrors(errors))
    }
}

fn plugin_problem(host: &PluginHost, file: &Path, world: World) -> Option<String> {
    match host.load(file) {
        Ok((_, info, _)) if info.world == world => None,
        Ok((_, info, _)) => Some(format!(
            "{} is a {} plugin, but a {} plugin is needed here",
            file.display(),
            info.world.name(),
            world.name()
        )),
        Err(e) => Some(e.to_string()),
    }
}

pub fn run(path: &Path) -> anyhow::Result<ExitCode> {
    match validate(path) {
        Ok(config) => {
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
