//! Building the plugin host and loading the config's plugins.

use smsdesk_plugins::{Limits, PluginError, PluginHost};

use crate::config::Config;

/// The plugin host with the config's limits; the precompiled cache lives in
/// `[plugins] cache_dir`, or inside the storage directory.
pub fn host(config: &Config) -> Result<PluginHost, PluginError> {
    let cache = config.plugin_cache_dir();
    PluginHost::new(
        Limits {
            cpu_budget: config.plugins.cpu_budget,
            memory: config.plugins.memory_mib << 20,
        },
        Some(cache),
    )
}
