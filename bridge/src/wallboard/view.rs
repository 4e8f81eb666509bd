//! The wallboard's figures as sent to the page (and `/supervisor/figures.json`):
//! seconds as numbers, service level as a fraction, agents by state for
//! the roster and per queue. Built on the engine thread from
//! `smsdesk_core::figures`, for the queues a viewer may see: a supervisor
//! of some queues gets those queues and, in `agents`, the agents on the
//! roster of at least one of them (each counted once), nothing of an
//! agent who serves only other queues. `team` is the agents board: each
//! of those agents with state, time in state, load and the conversations
//! they hold in the viewer's queues (no other). Each queue carries its
//! day's curve by 15-minute interval (`smsdesk_core::intervals`).

use std::collections::BTreeMap;

use serde::Serialize;
use smsdesk_core::figures::{self, QueueFigures, AGENT_STATES};
use smsdesk_core::intervals;
use smsdesk_core::model::AgentStatus;
use smsdesk_core::state::State;
use smsdesk_core::{QueueName, Timestamp};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Board {
    /// Unix milliseconds the figures are for.
    pub at: u64,
    pub queues: Vec<QueueView>,
    /// The roster agents of these queues (of every queue when unscoped) by state.
    pub agents: BTreeMap<&'static str, u32>,
    /// The agents board: those agents one by one.
    pub team: Vec<AgentRow>,
}

/// One agent on the agents board.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AgentRow {
    pub id: String,
    pub name: String,
    /// An `AGENT_STATES` label.
    pub state: &'static str,
    /// The idle code, when idle with one.
    pub code: Option<String>,
    /// Unix milliseconds the state began (0: never changed).
    pub since: u64,
    pub load: u32,
    pub capacity: u32,
    /// The conversations they hold in the viewer's queues.
    pub conversations: Vec<u64>,
}

/// One 15-minute interval of a queue's day that saw anything.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IntervalView {
    /// 0 = 00:00–00:15, 95 = 23:45–24:00, in the queue's time zone.
    pub index: u16,
    /// "09:15".
    pub start: String,
    pub offered: u32,
    pub answered_in_sla: u32,
    pub abandoned: u32,
    pub waiting: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QueueView {
    pub queue: String,
    pub day: String,
    pub timezone: String,
    pub waiting: usize,
    pub longest_wait_s: Option<u64>,
    pub agents: BTreeMap<&'static str, u32>,
    pub accepted: u64,
    pub abandoned: u64,
    pub sla_s: u64,
    pub service_level: Option<f64>,
    pub asa_s: Option<u64>,
    pub aht_s: Option<u64>,
    pub intervals: Vec<IntervalView>,
}

impl From<QueueFigures> for QueueView {
    fn from(f: QueueFigures) -> Self {
        Self {
            queue: f.queue.to_string(),
            day: f.day,
            timezone: f.timezone,
            waiting: f.waiting,
            longest_wait_s: f.longest_wait.map(|d| d.as_secs()),
            agents: f.agents,
            accepted: f.accepted,
            abandoned: f.abandoned,
            sla_s: f.sla.as_secs(),
            service_level: f.service_level,
            asa_s: f.asa.map(|d| d.as_secs()),
            aht_s: f.aht.map(|d| d.as_secs()),
            intervals: f
                .intervals
                .iter()
                .map(|(index, i)| IntervalView {
                    index: *index,
                    start: intervals::start(*index),
                    offered: i.offered,
                    answered_in_sla: i.answered_in_sla,
                    abandoned: i.abandoned,
                    waiting: i.waiting,
                })
                .collect(),
        }
    }
}

/// The board at `now`, of `queues` (every queue if `None`).
pub fn board(state: &State, now: Timestamp, queues: Option<&[QueueName]>) -> Board {
    let mut agents: BTreeMap<&'static str, u32> = AGENT_STATES.iter().map(|s| (*s, 0)).collect();
    let mut team = Vec::new();
    for (id, setup) in &state.setup.agents {
        if queues.is_none_or(|wanted| setup.queues.iter().any(|q| wanted.contains(q))) {
            let label = figures::agent_state(state, id);
            *agents.entry(label).or_default() += 1;
            let a = state.agent(id);
            team.push(AgentRow {
                id: id.to_string(),
                name: setup.name.clone(),
                state: label,
                code: a.and_then(|a| match &a.status {
                    AgentStatus::Idle { code } => code.clone(),
                    _ => None,
                }),
                since: a.map_or(0, |a| a.since.0),
                load: state.load(id),
                capacity: setup.capacity,
                conversations: state
                    .holdings(id)
                    .filter(|c| queues.is_none_or(|wanted| wanted.contains(&c.queue)))
                    .map(|c| c.id.0)
                    .collect(),
            });
        }
    }
    team.sort_by(|a, b| a.name.cmp(&b.name));
    Board {
        at: now.0,
        queues: figures::all(state, queues, now)
            .into_iter()
            .map(QueueView::from)
            .collect(),
        agents,
        team,
    }
}
