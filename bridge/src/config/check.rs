//! Checks across sections, after each section has been read on its own:
//! entry points name known carriers and queues, agents known queues,
//! routing can see every skill; `plugin_worlds`: every plugin file loads
//! as the world its key needs (the carriers' dry runs are `dry_run`'s). A
//! config that passes is one `smsdesk run` can start with.

use std::collections::BTreeSet;
use std::path::Path;

use smsdesk_plugins::{PluginHost, World};

use super::agents::AgentConfig;
use super::carriers::CarrierConfig;
use super::entry_points::EntryPointConfig;
use super::queues::{QueueConfig, RouterChoice};
use super::reader::{join, Reader};
use super::{Config, ConfigError};

/// Supervisors watch queues that exist. (A supervisor may also be an
/// agent: their supervisor room and desk room are two rooms.)
pub fn supervisors(r: &mut Reader, supervisors: &[super::SupervisorConfig], queues: &[QueueConfig]) {
    let queue_names: BTreeSet<&str> = queues.iter().map(|q| q.setup.name.as_str()).collect();
    let known = queue_names.iter().copied().collect::<Vec<_>>().join(", ");
    for s in supervisors {
        for (i, q) in s.queues.iter().enumerate() {
            if !queue_names.contains(q.as_str()) {
                r.err(
                    &format!("{}.queues[{i}]", s.key),
                    format!("unknown queue {:?}; queues: {known}", q.as_str()),
                );
            }
        }
    }
}

/// Canned replies name queues that exist.
pub fn canned(r: &mut Reader, canned: &[super::CannedConfig], queues: &[QueueConfig]) {
    let queue_names: BTreeSet<&str> = queues.iter().map(|q| q.setup.name.as_str()).collect();
    let known = queue_names.iter().copied().collect::<Vec<_>>().join(", ");
    for (n, c) in canned.iter().enumerate() {
        for (i, q) in c.queues.iter().enumerate() {
            if !queue_names.contains(q.as_str()) {
                r.err(
                    &format!("canned[{n}].queues[{i}]"),
                    format!("unknown queue {:?}; queues: {known}", q.as_str()),
                );
            }
        }
    }
}

/// References between sections, reported with the key that holds them.
pub fn cross_references(
    r: &mut Reader,
    carriers: &[CarrierConfig],
    queues: &[QueueConfig],
    entry_points: &[EntryPointConfig],
    roster: &[AgentConfig],
) {
    let carrier_names: BTreeSet<&str> = carriers.iter().map(|c| c.name.as_str()).collect();
    let queue_names: BTreeSet<&str> = queues.iter().map(|q| q.setup.name.as_str()).collect();
    let known_queues = queue_names.iter().copied().collect::<Vec<_>>().join(", ");
    for e in entry_points {
        let carrier = e.entry.carrier.as_str();
        if !carrier_names.contains(carrier) {
            r.err(
                &join(&e.key, "carrier"),
                format!(
                    "unknown carrier {carrier:?}; carriers: {}",
                    carrier_names.iter().copied().collect::<Vec<_>>().join(", ")
                ),
            );
        }
        let queue = e.entry.queue.as_str();
        if !queue_names.contains(queue) {
            r.err(
                &join(&e.key, "queue"),
                format!("unknown queue {queue:?}; queues: {known_queues}"),
            );
        }
    }
    for a in roster {
        for (i, q) in a.queues.iter().enumerate() {
            if !queue_names.contains(q.as_str()) {
                r.err(
                    &format!("{}.queues[{i}]", a.key),
                    format!("unknown queue {:?}; queues: {known_queues}", q.as_str()),
                );
            }
        }
    }
    // Routers see skills as a 64-bit set: more names would be ignored silently.
    let skills: BTreeSet<&String> = entry_points
        .iter()
        .flat_map(|e| &e.entry.skills)
        .chain(roster.iter().flat_map(|a| &a.setup.skills))
        .collect();
    if skills.len() > smsdesk_plugins::router::MAX_SKILLS {
        r.err(
            "skills",
            format!(
                "{} different skill names are used (entry_points and agents.roster); routing supports at most {}",
                skills.len(),
                smsdesk_plugins::router::MAX_SKILLS
            ),
        );
    }
}

/// Loads every plugin the config names and checks its world: a carrier
/// where a carrier is needed, a router where a router is, an intake bot
/// where an entry point names one.
pub fn plugin_worlds(config: &Config, host: &PluginHost) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    let mut check = |key: String, file: &Path, world: World| {
        if let Some(message) = plugin_problem(host, file, world) {
            errors.push(ConfigError {
                file: config.file.clone(),
                key,
                message,
            });
        }
    };
    for c in &config.carriers {
        check(join(&c.key, "plugin"), &c.plugin, World::Carrier);
    }
    for q in &config.queues {
        if let RouterChoice::Plugin(p) = &q.router {
            check(join(&q.key, "router"), p, World::Router);
        }
    }
    for e in &config.entry_points {
        if let Some(intake) = &e.intake {
            check(join(&e.key, "intake"), &intake.plugin, World::Intake);
        }
    }
    errors
}

fn plugin_problem(host: &PluginHost, file: &Path, world: World) -> Option<String> {
    match host.load(file) {
        Ok((_, info, _)) if info.world == world => None,
        Ok((_, info, _)) => Some(format!(
            "{} is a {} plugin, but a {} plugin is needed here",
            file.display(),
            info.world.name(),
            world.name()
        )),
        Err(e) => Some(e.to_string()),
    }
}
