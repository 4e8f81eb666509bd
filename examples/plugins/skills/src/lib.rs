//! Router: skills-based. Only agents who have every skill the conversation
//! requires are eligible; among them, the longest-available wins. If nobody
//! qualifies, the conversation waits — until it has waited `relax_after_ms`
//! (setting, default 30000), after which any candidate may take it.

wit_bindgen::generate!({ path: "../../../plugins/wit/since_v0.1.0", world: "router-plugin" });

use exports::smsdesk::plugin::router::{Candidate, Guest, Choice, RouteRequest};

const DEFAULT_RELAX_AFTER_MS: u64 = 30_000;

struct Plugin;

fn setting(request: &RouteRequest, name: &str) -> Option<u64> {
    request
        .settings
        .iter()
        .find(|(k, _)| k == name)
        .and_then(|(_, v)| v.trim().parse().ok())
}

fn longest_available<'a>(candidates: impl Iterator<Item = (usize, &'a Candidate)>) -> Choice {
    candidates
        .max_by(|(_, a), (_, b)| a.idle_ms.cmp(&b.idle_ms).then(b.load.cmp(&a.load)).then(b.id.cmp(&a.id)))
        .map_or(Choice::Wait, |(i, _)| Choice::Agent(i as u32))
}

impl Guest for Plugin {
    fn pick(request: RouteRequest, candidates: Vec<Candidate>) -> Choice {
        let required = request.required_skills;
        let skilled = candidates
            .iter()
            .enumerate()
            .filter(|(_, c)| c.skills & required == required);
        match longest_available(skilled) {
            Choice::Wait => {
                let relax_after = setting(&request, "relax_after_ms").unwrap_or(DEFAULT_RELAX_AFTER_MS);
                if request.waited_ms >= relax_after {
                    longest_available(candidates.iter().enumerate())
                } else {
                    Choice::Wait
                }
            }
            pick => pick,
        }
    }
}

export!(Plugin);
