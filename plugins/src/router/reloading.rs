//! `ReloadingRouter`: a router plugin that follows its file, and the
//! `RouterReloader` handle that reloads it from another thread.

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use smsdesk_core::routing::{Candidate, Pick, RouteRequest, Router, RouterError};

use super::RouterPlugin;
use crate::error::PluginError;
use crate::host::PluginHost;
use crate::loaded::Settings;
use crate::reload::Watched;

/// A router plugin that follows its file. The engine only calls `pick`,
/// which never loads or compiles anything (a compile inside a commit batch
/// would stall intake); reloading goes through a `RouterReloader`, which the
/// server calls from its own threads every few seconds and on SIGHUP.
/// What a queue's `router = "x.wasm"` uses.
pub struct ReloadingRouter {
    name: String,
    watched: RouterReloader,
}

/// Reloads a `ReloadingRouter` from another thread; cheap to clone.
#[derive(Clone, Debug)]
pub struct RouterReloader(Arc<Watched<Mutex<RouterPlugin>>>);

impl RouterReloader {
    /// Reloads if the file changed (`Ok(true)`: swapped).
    pub fn reload_if_changed(&self) -> Result<bool, PluginError> {
        self.0.reload_if_changed()
    }

    /// Reloads now (SIGHUP, admin command).
    pub fn reload(&self) -> Result<(), PluginError> {
        self.0.reload()
    }
}

impl std::fmt::Debug for ReloadingRouter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReloadingRouter").field("name", &self.name).finish()
    }
}

impl ReloadingRouter {
    pub fn load(host: &PluginHost, name: &str, path: &Path, settings: Settings) -> Result<Self, PluginError> {
        let (host, owned_name) = (host.clone(), name.to_owned());
        let watched = Watched::load(path, move |p| {
            RouterPlugin::load(&host, &owned_name, p, settings.clone()).map(Mutex::new)
        })?;
        Ok(Self {
            name: name.to_owned(),
            watched: RouterReloader(Arc::new(watched)),
        })
    }

    /// A handle that reloads this router from another thread.
    pub fn reloader(&self) -> RouterReloader {
        self.watched.clone()
    }
}

impl Router for ReloadingRouter {
    fn name(&self) -> &str {
        &self.name
    }

    fn pick(&mut self, request: &RouteRequest<'_>, candidates: &[Candidate<'_>]) -> Result<Pick, RouterError> {
        let plugin = self.watched.0.get();
        let mut plugin = plugin.lock().unwrap_or_else(PoisonError::into_inner);
        plugin.pick(request, candidates)
    }
}
