//! Router: round-robin. Agents take turns in a fixed order (by their stable
//! id): the next conversation goes to the first candidate after the agent
//! picked last, wrapping around. The turn is kept in the plugin instance, so
//! it restarts when smsdesk restarts or the plugin is reloaded.

wit_bindgen::generate!({ path: "../../../plugins/wit/since_v0.3.0", world: "router-plugin" });

use std::cell::Cell;

use exports::smsdesk::plugin::router::{Choice, Guest, RouteRequest};
use smsdesk_plugin_sdk::candidates;

thread_local! {
    static LAST: Cell<Option<u32>> = const { Cell::new(None) };
}

struct Plugin;

impl Guest for Plugin {
    fn pick(_request: RouteRequest, packed: Vec<u64>) -> Choice {
        let last = LAST.with(Cell::get);
        let all = || candidates(&packed).enumerate();
        let next = all()
            .filter(|(_, c)| last.is_none_or(|l| c.id > l))
            .min_by_key(|(_, c)| c.id)
            .or_else(|| all().min_by_key(|(_, c)| c.id));
        match next {
            Some((i, c)) => {
                LAST.with(|l| l.set(Some(c.id)));
                Choice::Agent(i as u32)
            }
            None => Choice::Wait,
        }
    }
}

export!(Plugin);
