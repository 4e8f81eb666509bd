//! Router: round-robin. Agents take turns in a fixed order (by their stable
//! id): the next conversation goes to the first candidate after the agent
//! picked last, wrapping around. The turn is kept in the plugin instance, so
//! it restarts when smsdesk restarts or the plugin is reloaded.

wit_bindgen::generate!({ path: "../../../plugins/wit/since_v0.1.0", world: "router-plugin" });

use std::cell::Cell;

use exports::smsdesk::plugin::router::{Candidate, Guest, Choice, RouteRequest};

thread_local! {
    static LAST: Cell<Option<u32>> = const { Cell::new(None) };
}

struct Plugin;

impl Guest for Plugin {
    fn pick(_request: RouteRequest, candidates: Vec<Candidate>) -> Choice {
        let last = LAST.with(Cell::get);
        let after = |c: &&Candidate| last.is_none_or(|l| c.id > l);
        let next = candidates
            .iter()
            .filter(after)
            .min_by_key(|c| c.id)
            .or_else(|| candidates.iter().min_by_key(|c| c.id));
        match next {
            Some(c) => {
                LAST.with(|l| l.set(Some(c.id)));
                let index = candidates.iter().position(|x| x.id == c.id).unwrap_or(0);
                Choice::Agent(index as u32)
            }
            None => Choice::Wait,
        }
    }
}

export!(Plugin);
