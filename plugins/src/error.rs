//! `PluginError`: every way loading or calling a plugin can fail. A plugin
//! failure is a value, never a panic of the host.

use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    #[error("cannot read plugin {path}: {message}")]
    Read { path: PathBuf, message: String },
    #[error("{path} is not a valid WebAssembly component: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error("{path} is built against smsdesk plugin interface {found}; this smsdesk supports {supported}. Rebuild the plugin against plugins/wit/since_v{newest}/")]
    Incompatible {
        path: PathBuf,
        found: String,
        supported: String,
        newest: String,
    },
    #[error("{path} is a {found} plugin, but a {expected} plugin is needed here")]
    WrongWorld {
        path: PathBuf,
        expected: &'static str,
        found: &'static str,
    },
    #[error("{path} is not an smsdesk plugin: it exports no carrier, router or intake interface (exports: {exports})")]
    NotAPlugin { path: PathBuf, exports: String },
    #[error("plugin {plugin} cannot be instantiated: {message}")]
    Instantiate { plugin: String, message: String },
    #[error("plugin {plugin} ran out of its CPU budget ({budget:?}) in {call}")]
    Timeout {
        plugin: String,
        call: &'static str,
        budget: Duration,
    },
    #[error("plugin {plugin} exceeded its memory cap ({cap_mib} MiB) in {call}")]
    OutOfMemory {
        plugin: String,
        call: &'static str,
        cap_mib: usize,
    },
    #[error("plugin {plugin} trapped in {call}: {message}")]
    Trap {
        plugin: String,
        call: &'static str,
        message: String,
    },
    #[error("plugin {plugin} was not called ({call}): all {places} plugin places were busy for {waited:?}")]
    Busy {
        plugin: String,
        call: &'static str,
        places: usize,
        waited: Duration,
    },
    #[error("plugin {plugin} failed in {call}: {message}")]
    Failed {
        plugin: String,
        call: &'static str,
        message: String,
    },
    #[error("plugin {plugin} returned something invalid from {call}: {message}")]
    BadOutput {
        plugin: String,
        call: &'static str,
        message: String,
    },
}

impl PluginError {
    /// The error mapper for `plugin` failing to instantiate.
    pub(crate) fn instantiate(plugin: &str) -> impl Fn(wasmtime::Error) -> PluginError + '_ {
        move |e| PluginError::Instantiate {
            plugin: plugin.to_owned(),
            message: format!("{e:#}"),
        }
    }

    /// A short label for metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            PluginError::Read { .. } => "read",
            PluginError::Invalid { .. } => "invalid",
            PluginError::Incompatible { .. } => "incompatible",
            PluginError::WrongWorld { .. } => "wrong_world",
            PluginError::NotAPlugin { .. } => "not_a_plugin",
            PluginError::Instantiate { .. } => "instantiate",
            PluginError::Timeout { .. } => "timeout",
            PluginError::OutOfMemory { .. } => "out_of_memory",
            PluginError::Trap { .. } => "trap",
            PluginError::Busy { .. } => "busy",
            PluginError::Failed { .. } => "failed",
            PluginError::BadOutput { .. } => "bad_output",
        }
    }
}
