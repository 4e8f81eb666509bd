//! `smsdesk check-config`: validates the config file and the plugins it
//! names, reporting every problem with the file, the key and the reason.
//! `smsdesk run` validates with the same `validate` before it starts.

use std::path::Path;
use std::process::ExitCode;

use crate::config::{check, Config, ConfigError, ConfigErrors};

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
        errors = check::carriers_can_send(&config, &host);
    }
    if errors.is_empty() {
        Ok(config)
    } else {
        Err(ConfigErrors(errors))
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
