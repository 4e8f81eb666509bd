//! {name}: an smsdesk router. Given a waiting conversation and the agents
//! who could take it, pick one (an index into the candidates) or wait.
//!
//! Candidates are already filtered by smsdesk: available, on the queue's
//! roster and below capacity; required skills (`request.required_skills`,
//! a mask over `request.skill_names`) are the router's to weigh. This one keeps
//! a customer with the agent they had before ("sticky"), prefers agents
//! with the skill named by the `prefer_skill` setting, and otherwise takes
//! the agent idle longest.

mod sdk;

wit_bindgen::generate!({ path: "wit", world: "router-plugin" });

use exports::smsdesk::plugin::router::{Choice, Guest, RouteRequest};

struct Plugin;

impl Guest for Plugin {
    fn pick(request: RouteRequest, packed: Vec<u64>) -> Choice {
        let candidates: Vec<sdk::Candidate> = sdk::candidates(&packed).collect();
        if let Some(i) = candidates.iter().position(|c| c.last_agent) {
            return Choice::Agent(i as u32);
        }
        let preferred = sdk::setting(&request.settings, "prefer_skill")
            .map_or(0, |skill| sdk::skill_mask(&request.skill_names, &[skill]));
        let with_skill = candidates.iter().copied().enumerate().filter(|(_, c)| preferred != 0 && c.has_all(preferred));
        let pick = sdk::longest_available(with_skill)
            .or_else(|| sdk::longest_available(candidates.iter().copied().enumerate()));
        match pick {
            Some(i) => Choice::Agent(i as u32),
            None => Choice::Wait,
        }
    }
}

export!(Plugin);
