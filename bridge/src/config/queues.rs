//! `[[queues]]`: name, routing policy (built-in or a router plugin, with its
//! settings), offer timeout, auto wrap-up and wrap-up reasons, sticky
//! routing to the last agent; the automation keys (hours, greeting...) are
//! read by `automation`.

use std::path::PathBuf;

use smsdesk_core::setup::{QueueSetup, DEFAULT_OFFER_TIMEOUT, DEFAULT_STICKY_WAIT};

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
    "sticky",
    "sticky_wait",
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
        sticky(r, t, &path, &mut setup);
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

/// `sticky` (a window, or "off") and `sticky_wait`: a wait without a
/// window, or one longer than the window, would do nothing and is refused.
fn sticky(r: &mut Reader, t: &toml::Table, path: &str, setup: &mut QueueSetup) {
    setup.sticky = r.duration(t, path, "sticky", true).flatten();
    let wait = r.duration(t, path, "sticky_wait", false).flatten();
    setup.sticky_wait = wait.unwrap_or(DEFAULT_STICKY_WAIT);
    match (setup.sticky, wait) {
        (None, Some(_)) if t.contains_key("sticky_wait") => r.err(
            &join(path, "sticky_wait"),
            "has no effect without sticky (how long after the last conversation a customer goes back to its agent, e.g. \"24h\")",
        ),
        (Some(window), Some(wait)) if wait > window => r.err(
            &join(path, "sticky_wait"),
            "is longer than sticky: the wait for the last agent must fit in the window",
        ),
        _ => {}
    }
}
