//! Supervisor figures (docs/supervisor-guide.md), per queue: what is true now
//! (waiting, longest wait, agents by state) and the day's totals since
//! local midnight in the queue's time zone (accepted, abandoned, service
//! level, ASA, AHT).
//!
//! The day's totals are counted by `apply` as the events happen
//! (`totals::Totals`, in the state) and persisted with every commit that changes
//! them (`m/totals`), so they are exact after a restart and reading them
//! costs nothing: no log scan. A total whose day is over reads as zero and
//! starts again at the first event of the new day.
//!
//! Definitions:
//! - accepted: conversations whose first accept fell in the day (a
//!   transfer or a conference accept later is not a second one), counted
//!   in the queue they waited in;
//! - abandoned: conversations closed in the day that had waited in a queue
//!   and were never accepted (an intake bot's own close is neither);
//! - service level: accepted within the queue's `sla` ÷ (accepted + abandoned);
//! - ASA: mean time from first waiting in a queue to the first accept;
//! - AHT: mean time from the first accept to the wrap-up, over the
//!   conversations wrapped up in the day, counted in their last queue.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use crate::ids::{AgentId, QueueName, Timestamp};
use crate::model::AgentStatus;
use crate::setup::QueueSetup;
use crate::state::State;

/// The state labels agents are counted under, in display order.
pub const AGENT_STATES: [&str; 5] = ["available", "busy", "idle", "rona", "offline"];

/// An agent's state label for figures: available with work in hand is busy.
pub fn agent_state(state: &State, agent: &AgentId) -> &'static str {
    match state.agent(agent).map(|a| &a.status) {
        Some(AgentStatus::Available) if state.load(agent) > 0 => "busy",
        Some(AgentStatus::Available) => "available",
        Some(AgentStatus::Idle { .. }) => "idle",
        Some(AgentStatus::Rona) => "rona",
        Some(AgentStatus::Offline) | None => "offline",
    }
}

/// One queue's figures at one moment.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QueueFigures {
    pub queue: QueueName,
    /// The queue's local date the totals are for.
    pub day: String,
    pub timezone: String,
    pub waiting: usize,
    pub longest_wait: Option<Duration>,
    /// Agents serving the queue, by `AGENT_STATES` label.
    pub agents: BTreeMap<&'static str, u32>,
    pub accepted: u64,
    pub abandoned: u64,
    pub sla: Duration,
    /// 0.0 to 1.0; `None` before anything was accepted or abandoned.
    pub service_level: Option<f64>,
    pub asa: Option<Duration>,
    pub aht: Option<Duration>,
    /// The day's curve, by 15-minute interval (`intervals`).
    pub intervals: crate::intervals::Intervals,
}

/// Agents by state label, per queue they serve: one pass over the roster.
pub fn agents_by_queue(state: &State) -> BTreeMap<QueueName, BTreeMap<&'static str, u32>> {
    let mut out: BTreeMap<QueueName, BTreeMap<&'static str, u32>> = state
        .setup
        .queues
        .keys()
        .map(|q| (q.clone(), AGENT_STATES.iter().map(|s| (*s, 0)).collect()))
        .collect();
    for (id, setup) in &state.setup.agents {
        let label = agent_state(state, id);
        for q in &setup.queues {
            if let Some(counts) = out.get_mut(q) {
                *counts.entry(label).or_default() += 1;
            }
        }
    }
    out
}

/// The figures of `queue` at `now`. Cost: the queue's waiting line and the
/// roster, never the day's conversations.
pub fn queue_figures(state: &State, queue: &QueueSetup, now: Timestamp) -> QueueFigures {
    let agents = agents_by_queue(state).remove(&queue.name).unwrap_or_default();
    figures_with(state, queue, now, agents)
}

/// `queue_figures` with its agents by state already counted.
fn figures_with(
    state: &State,
    queue: &QueueSetup,
    now: Timestamp,
    agents: BTreeMap<&'static str, u32>,
) -> QueueFigures {
    let longest_wait = state
        .waiting_in(&queue.name)
        .filter_map(|c| match c.phase {
            // Never accepted: waiting since it first queued (a decline or a
            // timeout does not restart the customer's wait); back from an
            // agent (transfer, resumed): since it came back.
            crate::model::Phase::Queued { since, .. } if c.first_accepted_at.is_none() => {
                Some(c.queued_at.unwrap_or(since))
            }
            crate::model::Phase::Queued { since, .. } => Some(since),
            _ => None,
        })
        .min()
        .map(|since| now.since(since));
    let totals = state.totals.today(queue, now);
    QueueFigures {
        queue: queue.name.clone(),
        timezone: queue.timezone.iana_name().unwrap_or("UTC").to_owned(),
        waiting: state.waiting_count(&queue.name),
        longest_wait,
        agents,
        accepted: totals.accepted,
        abandoned: totals.abandoned,
        sla: queue.sla,
        service_level: totals.service_level(),
        asa: totals.asa(),
        aht: totals.aht(),
        intervals: totals.intervals,
        day: totals.day,
    }
}

/// The figures of `queues` (every queue if `None`) at `now`, by queue
/// name; one pass over the roster for all of them.
pub fn all(state: &State, queues: Option<&[QueueName]>, now: Timestamp) -> Vec<QueueFigures> {
    let mut agents = agents_by_queue(state);
    state
        .setup
        .queues
        .values()
        .filter(|q| queues.is_none_or(|wanted| wanted.contains(&q.name)))
        .map(|q| figures_with(state, q, now, agents.remove(&q.name).unwrap_or_default()))
        .collect()
}
