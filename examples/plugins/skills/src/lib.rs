//! Router: skills-based. Only agents who have every skill the conversation
//! requires are eligible; among them, the longest-available wins. If nobody
//! qualifies, the conversation waits — until it has waited `relax_after_ms`
//! (setting, default 30000), after which any candidate may take it.

wit_bindgen::generate!({ path: "../../../plugins/wit/since_v0.3.0", world: "router-plugin" });

use exports::smsdesk::plugin::router::{Choice, Guest, RouteRequest};
use smsdesk_plugin_sdk::{candidates, longest_available, setting};

const DEFAULT_RELAX_AFTER_MS: u64 = 30_000;

struct Plugin;

impl Guest for Plugin {
    fn pick(request: RouteRequest, packed: Vec<u64>) -> Choice {
        let required = request.required_skills;
        let skilled = candidates(&packed).enumerate().filter(|(_, c)| c.skills & required == required);
        let pick = longest_available(skilled).or_else(|| {
            let relax_after = setting(&request.settings, "relax_after_ms")
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(DEFAULT_RELAX_AFTER_MS);
            if request.waited_ms >= relax_after {
                longest_available(candidates(&packed).enumerate())
            } else {
                None
            }
        });
        pick.map_or(Choice::Wait, |i| Choice::Agent(i as u32))
    }
}

export!(Plugin);
