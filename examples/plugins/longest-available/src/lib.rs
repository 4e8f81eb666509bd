//! Router: longest-available. The agent who has waited longest for work
//! gets the conversation; ties go to the lower load, then the lower id.
//! The host has the same policy built in as its default and fallback.

wit_bindgen::generate!({ path: "../../../plugins/wit/since_v0.3.0", world: "router-plugin" });

use exports::smsdesk::plugin::router::{Choice, Guest, RouteRequest};
use smsdesk_plugin_sdk::longest_available_packed;

struct Plugin;

impl Guest for Plugin {
    fn pick(_request: RouteRequest, packed: Vec<u64>) -> Choice {
        longest_available_packed(&packed).map_or(Choice::Wait, |i| Choice::Agent(i as u32))
    }
}

export!(Plugin);
