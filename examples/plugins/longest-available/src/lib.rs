//! Router: longest-available. The agent who has waited longest for work
//! gets the conversation; ties go to the lower load, then the lower id.
//! The host has the same policy built in as its default and fallback.

wit_bindgen::generate!({ path: "../../../plugins/wit/since_v0.1.0", world: "router-plugin" });

use exports::smsdesk::plugin::router::{Candidate, Guest, Choice, RouteRequest};

struct Plugin;

impl Guest for Plugin {
    fn pick(_request: RouteRequest, candidates: Vec<Candidate>) -> Choice {
        candidates
            .iter()
            .enumerate()
            .max_by(|(_, a), (_, b)| a.idle_ms.cmp(&b.idle_ms).then(b.load.cmp(&a.load)).then(b.id.cmp(&a.id)))
            .map_or(Choice::Wait, |(i, _)| Choice::Agent(i as u32))
    }
}

export!(Plugin);
