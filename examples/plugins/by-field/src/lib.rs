//! Router: by an intake field (interface 0.3.0). The intake bot's answer
//! carries fields, such as `language = de` or `topic = billing`; this
//! router gives the conversation to the agent idle longest among those who
//! have a skill named like the field's value, and to the agent idle
//! longest when nobody has it or the field is missing.
//!
//! Settings: `field`, the field to route on (default `language`).

wit_bindgen::generate!({ path: "../../../plugins/wit/since_v0.3.0", world: "router-plugin" });

use exports::smsdesk::plugin::router::{Choice, Guest, RouteRequest};
use smsdesk_plugin_sdk::{candidates, field, longest_available, setting, skill_mask};

const DEFAULT_FIELD: &str = "language";

struct Plugin;

impl Guest for Plugin {
    fn pick(request: RouteRequest, packed: Vec<u64>) -> Choice {
        let name = setting(&request.settings, "field").unwrap_or(DEFAULT_FIELD);
        // The skill named like the field's value, if any agent has it.
        let wanted = field(&request.fields, name).map_or(0, |value| skill_mask(&request.skill_names, &[value]));
        let matching = candidates(&packed)
            .enumerate()
            .filter(|(_, c)| wanted != 0 && c.has_all(wanted));
        let pick = longest_available(matching).or_else(|| longest_available(candidates(&packed).enumerate()));
        pick.map_or(Choice::Wait, |i| Choice::Agent(i as u32))
    }
}

export!(Plugin);
