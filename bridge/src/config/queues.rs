//! `[[queues]]`: name, routing policy (built-in or a router plugin, with its
//! settings), offer timeout, auto wrap-up and wrap-up reasons; the
//! automation keys (hours, greeting...) are read by `automation`.

use std::path::PathBuf;

use smsdesk_core::setup::{QueueSetup, DEFAULT_OFFER_TIMEOUT};

use super::reader::{join, Reader};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RouterChoice {
    LongestAvailable,
    Plugin(PathBuf),
}

#[derive(Clone, Debug, PartialEq)]
pub struct QueueConfig {
    /// Where it is defined, e.g. `queues[1]` (for messages).
    pub key: String,
    pub setup: QueueSetup,
    pub router: RouterChoice,
    pub router_settings: Vec<(String, String)>,
}

const KEYS: &[&str] = &[
    "name",
    "router",
    "router_settings",
    "offer_timeout",
    "auto_wrapup",
    "wrapup_reasons",
];

pub fn read(r: &mut Reader, root: &toml::Table) -> Vec<QueueConfig> {
    let mut queues: Vec<QueueConfig> = Vec::new();
    for (path, v) in r.array_of_tables(root, "queues") {
        let keys: Vec<&str> = KEYS.iter().chain(super::automation::QUEUE_KEYS).copied().collect();
        let Some(t) = r.table(v, &path, &keys) else {
            continue;
        };
        let Some(name) = r.string(t, &path, "name", true) else {
            continue;
        };
        let mut setup = QueueSetup::new(&name);
        setup.offer_timeout = r
            .duration(t, &path, "offer_timeout", false)
            .flatten()
            .unwrap_or(DEFAULT_OFFER_TIMEOUT);
        setup.auto_wrapup = r.duration(t, &path, "auto_wrapup", true).flatten();
        setup.wrapup_reasons = r.strings(t, &path, "wrapup_reasons");
        super::automation::queue(r, t, &path, &mut setup);
        let router = match r.string(t, &path, "router", false).as_deref() {
            None | Some("longest-available") => RouterChoice::LongestAvailable,
            Some(p) if p.ends_with(".wasm") => RouterChoice::Plugin(r.path_of(&join(&path, "router"), p, true)),
            Some(other) => {
                r.err(
                    &join(&path, "router"),
                    format!("{other:?} is neither a built-in router (longest-available) nor a path to a .wasm router plugin"),
                );
                RouterChoice::LongestAvailable
            }
        };
        let router_settings = r.settings(t, &path, "router_settings");
        if queues.iter().any(|q| q.setup.name.as_str() == name) {
            r.err(&join(&path, "name"), format!("queue {name:?} is defined twice"));
            continue;
        }
        queues.push(QueueConfig {
            key: path,
            setup,
            router,
            router_settings,
        });
    }
    queues
}
