//! `[plugins]` (optional): the sandbox limits every plugin call runs under,
//! and where compiled plugins are cached.

use std::path::PathBuf;
use std::time::Duration;

use super::reader::Reader;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginLimitsConfig {
    pub cpu_budget: Duration,
    pub memory_mib: usize,
    /// Default: `<storage.path>/plugin-cache`.
    pub cache_dir: Option<PathBuf>,
}

impl Default for PluginLimitsConfig {
    fn default() -> Self {
        Self {
            cpu_budget: Duration::from_millis(100),
            memory_mib: 64,
            cache_dir: None,
        }
    }
}

pub fn read(r: &mut Reader, root: &toml::Table) -> PluginLimitsConfig {
    let mut plugins = PluginLimitsConfig::default();
    let Some(v) = root.get("plugins") else {
        return plugins;
    };
    let Some(t) = r.table(v, "plugins", &["cpu_budget", "memory_mib", "cache_dir"]) else {
        return plugins;
    };
    if let Some(Some(d)) = r.duration(t, "plugins", "cpu_budget", false) {
        plugins.cpu_budget = d;
    }
    if let Some(m) = r.integer(t, "plugins", "memory_mib", 1) {
        plugins.memory_mib = usize::try_from(m).unwrap_or(64);
    }
    plugins.cache_dir = r
        .string(t, "plugins", "cache_dir", false)
        .map(|s| r.path_of("plugins.cache_dir", &s, false));
    plugins
}
