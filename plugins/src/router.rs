//! Router plugins. `RouterPlugin` implements the engine's `Router` trait:
//! the engine hands it a waiting conversation and its candidates; the plugin
//! picks one or waits. The instance is kept between calls (so a policy like
//! round-robin can remember whose turn it is) and replaced after a failure.
//! Candidates are sent compactly: agents as stable numeric ids, skills as a
//! bitmask over at most 64 skill names.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use smsdesk_core::routing::{Candidate, Pick, RouteRequest, Router, RouterError};
use wasmtime::Store;

use crate::bindings::v0_1::router::exports::smsdesk::plugin::router as r01;
use crate::bindings::v0_2::router::exports::smsdesk::plugin::router as r;
use crate::bindings::{v0_1, v0_2};
use crate::error::PluginError;
use crate::host::PluginHost;
use crate::inspect::{PluginInfo, World};
use crate::metrics::CallStats;
use crate::sandbox::HostState;
use crate::secrets::Secrets;

pub use r::{Choice, RouteRequest as WitRouteRequest};

/// Distinct skill names a router can see (the width of the skills bitmask);
/// `smsdesk check-config` refuses configs with more.
pub const MAX_SKILLS: usize = 64;

/// Milliseconds of `d`, saturating. Not `as_millis`: its u128 division is
/// a noticeable part of packing a thousand candidates.
fn millis(d: std::time::Duration) -> u64 {
    d.as_secs()
        .saturating_mul(1000)
        .saturating_add(u64::from(d.subsec_millis()))
}

/// One candidate as the three words of the WIT's `packed-candidates`.
pub fn pack(id: u32, idle_ms: u64, load: u32, capacity: u32, skills: u64, last_agent: bool) -> [u64; 3] {
    let sat16 = |v: u32| u64::from(v.min(0xffff));
    let word2 = u64::from(id) | sat16(load) << 32 | (sat16(capacity) & 0x7fff) << 48 | u64::from(last_agent) << 63;
    [idle_ms, skills, word2]
}

/// The instantiation recipe for the plugin's interface version.
enum Pre {
    V0_1(v0_1::router::RouterPluginPre<HostState>),
    V0_2(v0_2::router::RouterPluginPre<HostState>),
}

/// A live instance's exports, in the plugin's interface version.
enum Bindings {
    V0_1(v0_1::router::RouterPlugin),
    V0_2(v0_2::router::RouterPlugin),
}

struct Instance {
    store: Store<HostState>,
    bindings: Bindings,
}

/// A request for a 0.1.0 router: the same fields under the old version.
fn request_v0_1(r: &WitRouteRequest) -> r01::RouteRequest {
    r01::RouteRequest {
        conversation: r.conversation,
        queue: r.queue.clone(),
        customer: r.customer.clone(),
        entry: r.entry.clone(),
        waited_ms: r.waited_ms,
        required_skills: r.required_skills,
        skill_names: r.skill_names.clone(),
        settings: r.settings.clone(),
    }
}

pub struct RouterPlugin {
    host: PluginHost,
    name: String,
    path: PathBuf,
    info: PluginInfo,
    pre: Pre,
    settings: Vec<(String, String)>,
    instance: Option<Instance>,
    skill_bits: BTreeMap<String, u32>,
    stats: Arc<CallStats>,
    /// Reused for each call's packed candidates.
    packed: Vec<u64>,
}

impl std::fmt::Debug for RouterPlugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouterPlugin")
            .field("name", &self.name)
            .field("path", &self.path)
            .finish()
    }
}

impl RouterPlugin {
    pub fn load(
        host: &PluginHost,
        name: &str,
        path: &Path,
        settings: Vec<(String, String)>,
    ) -> Result<Self, PluginError> {
        let (pre, info) = host.prepare(name, path, World::Router, |_, _| Ok(()))?;
        let error = PluginError::instantiate(name);
        let pre = if info.version == "0.1.0" {
            Pre::V0_1(v0_1::router::RouterPluginPre::new(pre).map_err(&error)?)
        } else {
            Pre::V0_2(v0_2::router::RouterPluginPre::new(pre).map_err(&error)?)
        };
        let mut plugin = Self {
            host: host.clone(),
            name: name.to_owned(),
            path: path.to_owned(),
            info,
            pre,
            settings,
            instance: None,
            skill_bits: BTreeMap::new(),
            stats: host.metrics().stats(name),
            packed: Vec::new(),
        };
        plugin.instance = Some(plugin.instantiate()?);
        Ok(plugin)
    }

    pub fn info(&self) -> &PluginInfo {
        &self.info
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn instantiate(&self) -> Result<Instance, PluginError> {
        let mut store = self.host.store(Arc::new(Secrets::default()));
        let bindings = match &self.pre {
            Pre::V0_1(pre) => pre.instantiate(&mut store).map(Bindings::V0_1),
            Pre::V0_2(pre) => pre.instantiate(&mut store).map(Bindings::V0_2),
        }
        .map_err(PluginError::instantiate(&self.name))?;
        Ok(Instance { store, bindings })
    }

    /// One call with the WIT types as they are (used by tools and benchmarks).
    /// `candidates`: three words per candidate, as documented in the WIT (`pack`).
    #[allow(clippy::ptr_arg)] // the generated binding takes the WIT alias `packed-candidates` (a Vec)
    pub fn pick_raw(&mut self, request: &WitRouteRequest, candidates: &Vec<u64>) -> Result<Choice, PluginError> {
        let mut instance = match self.instance.take() {
            Some(i) => i,
            None => self.instantiate()?,
        };
        let bindings = &instance.bindings;
        let result = self.host.call(
            &mut instance.store,
            &self.name,
            "pick",
            &self.stats,
            |store| match bindings {
                Bindings::V0_2(b) => b.smsdesk_plugin_router().call_pick(store, request, candidates),
                Bindings::V0_1(b) => b
                    .smsdesk_plugin_router()
                    .call_pick(store, &request_v0_1(request), candidates)
                    .map(|choice| match choice {
                        r01::Choice::Agent(i) => Choice::Agent(i),
                        r01::Choice::Wait => Choice::Wait,
                    }),
            },
        );
        if result.is_ok() {
            self.instance = Some(instance);
        }
        let choice = result?;
        if let Choice::Agent(i) = choice {
            if i as usize >= candidates.len() / 3 {
                let error = PluginError::BadOutput {
                    plugin: self.name.clone(),
                    call: "pick",
                    message: format!("picked candidate {i} of {}", candidates.len() / 3),
                };
                tracing::warn!(plugin = %self.name, %error, "router returned an invalid pick");
                return Err(error);
            }
        }
        Ok(choice)
    }

    /// Bit for a skill name; skills beyond the 64th are not representable and ignored.
    fn skill_mask<'a>(&mut self, skills: impl IntoIterator<Item = &'a String>) -> u64 {
        let mut mask = 0u64;
        for s in skills {
            let next = u32::try_from(self.skill_bits.len()).unwrap_or(u32::MAX);
            let bit = *self.skill_bits.entry(s.clone()).or_insert(next);
            if bit < 64 {
                mask |= 1 << bit;
            }
        }
        mask
    }
}

impl Router for RouterPlugin {
    fn name(&self) -> &str {
        &self.name
    }

    fn pick(&mut self, request: &RouteRequest<'_>, candidates: &[Candidate<'_>]) -> Result<Pick, RouterError> {
        let required = self.skill_mask(request.required_skills);
        // The packing buffer is kept between calls (no 24 KB allocation per decision).
        let mut packed = std::mem::take(&mut self.packed);
        packed.clear();
        packed.reserve(candidates.len() * 3);
        for c in candidates {
            let skills = if c.skills.is_empty() {
                0
            } else {
                self.skill_mask(c.skills)
            };
            packed.extend(pack(
                c.ordinal,
                millis(c.idle),
                c.load,
                c.capacity,
                skills,
                request.last_agent == Some(c.agent),
            ));
        }
        let mut names: Vec<(&String, &u32)> = self.skill_bits.iter().filter(|(_, b)| **b < 64).collect();
        names.sort_by_key(|(_, b)| **b);
        let wit_request = WitRouteRequest {
            conversation: request.conversation.0,
            queue: request.queue.to_string(),
            customer: request.customer.to_string(),
            entry: request.entry.to_string(),
            waited_ms: millis(request.waited),
            required_skills: required,
            skill_names: names.into_iter().map(|(n, _)| n.clone()).collect(),
            settings: self.settings.clone(),
        };
        let result = self.pick_raw(&wit_request, &packed);
        self.packed = packed;
        match result {
            Ok(Choice::Agent(i)) => Ok(Pick::Agent(i as usize)),
            Ok(Choice::Wait) => Ok(Pick::Wait),
            Err(e) => Err(RouterError {
                router: self.name.clone(),
                message: e.to_string(),
            }),
        }
    }
}

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
pub struct RouterReloader(std::sync::Arc<crate::reload::Watched<std::sync::Mutex<RouterPlugin>>>);

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
    pub fn load(
        host: &PluginHost,
        name: &str,
        path: &Path,
        settings: Vec<(String, String)>,
    ) -> Result<Self, PluginError> {
        let (host, owned_name) = (host.clone(), name.to_owned());
        let watched = crate::reload::Watched::load(path, move |p| {
            RouterPlugin::load(&host, &owned_name, p, settings.clone()).map(std::sync::Mutex::new)
        })?;
        Ok(Self {
            name: name.to_owned(),
            watched: RouterReloader(std::sync::Arc::new(watched)),
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
        let mut plugin = plugin.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        plugin.pick(request, candidates)
    }
}
