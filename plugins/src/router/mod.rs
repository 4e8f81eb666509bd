//! Router plugins. `RouterPlugin` implements the engine's `Router` trait:
//! the engine hands it a waiting conversation and its candidates; the plugin
//! picks one or waits. The instance is kept between calls (so a policy like
//! round-robin can remember whose turn it is) and replaced after a failure.
//! Candidates are sent compactly: agents as stable numeric ids, skills as a
//! bitmask over at most 64 skill names.

mod pack;
mod reloading;

use std::collections::BTreeMap;
use std::path::Path;

use smsdesk_core::routing::{Candidate, Pick, RouteRequest, Router, RouterError};

use crate::bindings::v0_1::router::exports::smsdesk::plugin::router as r01;
use crate::bindings::v0_2::router::exports::smsdesk::plugin::router as r02;
use crate::bindings::v0_3::router::exports::smsdesk::plugin::router as r;
use crate::bindings::{v0_1, v0_2, v0_3};
use crate::error::PluginError;
use crate::host::PluginHost;
use crate::inspect::World;
use crate::loaded::{Instance, Loaded, Settings, Spec};
use crate::recipe::Versions;
use crate::sandbox::HostState;

use pack::millis;
pub use pack::{pack, MAX_SKILLS};
pub use r::{Choice, RouteRequest as WitRouteRequest};
pub use reloading::{ReloadingRouter, RouterReloader};

/// The instantiation recipe for the plugin's interface version.
type Pre = Versions<
    v0_1::router::RouterPluginPre<HostState>,
    v0_2::router::RouterPluginPre<HostState>,
    v0_3::router::RouterPluginPre<HostState>,
>;

/// A live instance's exports, in the plugin's interface version.
type Bindings = Versions<v0_1::router::RouterPlugin, v0_2::router::RouterPlugin, v0_3::router::RouterPlugin>;

/// A request for a router older than 0.3.0: the same fields but `fields`,
/// which it cannot see, in its version's type.
macro_rules! request_before_v0_3 {
    ($m:ident, $r:expr) => {
        $m::RouteRequest {
            conversation: $r.conversation,
            queue: $r.queue.clone(),
            customer: $r.customer.clone(),
            entry: $r.entry.clone(),
            waited_ms: $r.waited_ms,
            required_skills: $r.required_skills,
            skill_names: $r.skill_names.clone(),
            settings: $r.settings.clone(),
        }
    };
}

/// An older version's choice, in the newest version's type.
macro_rules! choice_before_v0_3 {
    ($m:ident) => {
        |choice| match choice {
            $m::Choice::Agent(i) => Choice::Agent(i),
            $m::Choice::Wait => Choice::Wait,
        }
    };
}

pub struct RouterPlugin {
    loaded: Loaded<Pre>,
    /// Kept between calls; replaced after a failure.
    instance: Option<Instance<Bindings>>,
    skill_bits: BTreeMap<String, u32>,
    /// Reused for each call's packed candidates.
    packed: Vec<u64>,
}

crate::loaded::loaded_plugin!(RouterPlugin);

impl RouterPlugin {
    pub fn load(host: &PluginHost, name: &str, path: &Path, settings: Settings) -> Result<Self, PluginError> {
        let (loaded, first) = Loaded::load(Spec::plain(host, name, path, World::Router, settings), |_, _| Ok(()))?;
        Ok(Self {
            loaded,
            instance: Some(first),
            skill_bits: BTreeMap::new(),
            packed: Vec::new(),
        })
    }

    /// One call with the WIT types as they are (used by tools and benchmarks).
    /// `candidates`: three words per candidate, as documented in the WIT (`pack`).
    #[allow(clippy::ptr_arg)] // the generated binding takes the WIT alias `packed-candidates` (a Vec)
    pub fn pick_raw(&mut self, request: &WitRouteRequest, candidates: &Vec<u64>) -> Result<Choice, PluginError> {
        let mut instance = match self.instance.take() {
            Some(i) => i,
            None => self.loaded.instantiate()?,
        };
        let bindings = &instance.bindings;
        let result = self.loaded.call(&mut instance.store, "pick", |store| match bindings {
            Bindings::V0_3(b) => b.smsdesk_plugin_router().call_pick(store, request, candidates),
            Bindings::V0_2(b) => b
                .smsdesk_plugin_router()
                .call_pick(store, &request_before_v0_3!(r02, request), candidates)
                .map(choice_before_v0_3!(r02)),
            Bindings::V0_1(b) => b
                .smsdesk_plugin_router()
                .call_pick(store, &request_before_v0_3!(r01, request), candidates)
                .map(choice_before_v0_3!(r01)),
        });
        if result.is_ok() {
            self.instance = Some(instance);
        }
        let choice = result?;
        if let Choice::Agent(i) = choice {
            if i as usize >= candidates.len() / 3 {
                let error = PluginError::BadOutput {
                    plugin: self.loaded.label().to_owned(),
                    call: "pick",
                    message: format!("picked candidate {i} of {}", candidates.len() / 3),
                };
                tracing::warn!(plugin = %self.loaded.name(), %error, "router returned an invalid pick");
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
        self.loaded.name()
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
            settings: self.loaded.settings().to_vec(),
            fields: request.fields.to_vec(),
        };
        let result = self.pick_raw(&wit_request, &packed);
        self.packed = packed;
        match result {
            Ok(Choice::Agent(i)) => Ok(Pick::Agent(i as usize)),
            Ok(Choice::Wait) => Ok(Pick::Wait),
            Err(e) => Err(RouterError {
                router: self.loaded.name().to_owned(),
                message: e.to_string(),
            }),
        }
    }
}
