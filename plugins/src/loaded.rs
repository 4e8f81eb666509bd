//! `Loaded`: what every kind of plugin (carrier, router, intake) keeps of
//! a loaded component — host, name, file, interface version, instantiation
//! recipe, settings, secrets and call metrics — with the loading, the
//! instantiating and the guarded call they all share. A kind wraps a
//! `Loaded` and adds only its own calls and its own keeping of instances.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use wasmtime::component::Linker;
use wasmtime::Store;

use crate::error::PluginError;
use crate::host::PluginHost;
use crate::inspect::{PluginInfo, World};
use crate::metrics::CallStats;
use crate::recipe::Recipe;
use crate::sandbox::HostState;
use crate::secrets::Secrets;

/// A plugin's settings from the config: names and values, handed to every call.
pub type Settings = Vec<(String, String)>;

/// A live instance: its store and its exports.
pub(crate) struct Instance<B> {
    pub store: Store<HostState>,
    pub bindings: B,
}

pub(crate) struct Loaded<R> {
    host: PluginHost,
    name: String,
    /// How errors name it: the name, and the file when the name is not
    /// the file's (`router:billing (skills.wasm)`).
    label: String,
    path: PathBuf,
    info: PluginInfo,
    recipe: R,
    settings: Settings,
    secrets: Arc<Secrets>,
    stats: Arc<CallStats>,
}

/// What a kind's `load` is given.
pub(crate) struct Spec<'a> {
    pub host: &'a PluginHost,
    pub name: &'a str,
    pub path: &'a Path,
    pub world: World,
    pub settings: Settings,
    pub secrets: Secrets,
}

impl<'a> Spec<'a> {
    /// A plugin with no secrets (a router, an intake bot).
    pub fn plain(host: &'a PluginHost, name: &'a str, path: &'a Path, world: World, settings: Settings) -> Self {
        Self {
            host,
            name,
            path,
            world,
            settings,
            secrets: Secrets::default(),
        }
    }
}

impl<R: Recipe> Loaded<R> {
    /// Loads and prepares the component, and instantiates it once, so a
    /// plugin that cannot start is refused at load; that first instance is
    /// returned with it. `link` adds what the plugin's version imports
    /// beyond WASI.
    pub fn load(
        spec: Spec<'_>,
        link: impl FnOnce(&mut Linker<HostState>, &PluginInfo) -> wasmtime::Result<()>,
    ) -> Result<(Self, Instance<R::Bindings>), PluginError> {
        let Spec {
            host,
            name,
            path,
            world,
            settings,
            secrets,
        } = spec;
        let label = label(name, path);
        let (pre, info) = host.prepare(&label, path, world, link)?;
        let recipe = R::for_version(pre, &info).map_err(PluginError::instantiate(&label))?;
        let loaded = Self {
            host: host.clone(),
            name: name.to_owned(),
            label,
            path: path.to_owned(),
            info,
            recipe,
            settings,
            secrets: Arc::new(secrets),
            stats: host.metrics().stats(name),
        };
        let first = loaded.instantiate()?;
        Ok((loaded, first))
    }

    /// A fresh instance, in a fresh store with this plugin's secrets.
    pub fn instantiate(&self) -> Result<Instance<R::Bindings>, PluginError> {
        let mut store = self.host.store(self.secrets.clone());
        let bindings = self
            .recipe
            .start(&mut store)
            .map_err(PluginError::instantiate(&self.label))?;
        Ok(Instance { store, bindings })
    }
}

/// `name`, with the file's name when they differ.
fn label(name: &str, path: &Path) -> String {
    let file = path.file_name().map(|f| f.to_string_lossy().into_owned());
    let stem = path.file_stem().map(|f| f.to_string_lossy().into_owned());
    match file {
        Some(file) if stem.as_deref() != Some(name) => format!("{name} ({file})"),
        _ => name.to_owned(),
    }
}

impl<R> Loaded<R> {
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The name errors use: the name and, when it differs, the file.
    pub fn label(&self) -> &str {
        &self.label
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn info(&self) -> &PluginInfo {
        &self.info
    }

    /// A `Vec`: the generated bindings take the WIT's list as one.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn secrets(&self) -> &Secrets {
        &self.secrets
    }

    /// One guest call under the host's limits (see `PluginHost::call`),
    /// counted in this plugin's metrics.
    pub fn call<T>(
        &self,
        store: &mut Store<HostState>,
        call: &'static str,
        f: impl FnOnce(&mut Store<HostState>) -> wasmtime::Result<T>,
    ) -> Result<T, PluginError> {
        self.host.call(store, &self.label, call, &self.stats, f)
    }

    /// What every kind's `Debug` shows: name, file, interface version and
    /// the names (never the values) of its secrets.
    pub fn fmt_as(&self, f: &mut std::fmt::Formatter<'_>, kind: &str) -> std::fmt::Result {
        f.debug_struct(kind)
            .field("name", &self.name)
            .field("path", &self.path)
            .field("version", &self.info.version)
            .field("secrets", &self.secrets)
            .finish()
    }
}

/// `Debug` and the accessors every kind of plugin has (`name`, `path`,
/// `info`), for a kind that keeps its `Loaded` in a field `loaded`.
macro_rules! loaded_plugin {
    ($kind:ident) => {
        impl std::fmt::Debug for $kind {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.loaded.fmt_as(f, stringify!($kind))
            }
        }

        impl $kind {
            pub fn name(&self) -> &str {
                self.loaded.name()
            }

            pub fn path(&self) -> &std::path::Path {
                self.loaded.path()
            }

            pub fn info(&self) -> &$crate::inspect::PluginInfo {
                self.loaded.info()
            }
        }
    };
}
pub(crate) use loaded_plugin;
