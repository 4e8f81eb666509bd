//! The wallboard's figures as sent to the page (and `/supervisor/figures.json`):
//! seconds as numbers, service level as a fraction, agents by state for
//! the roster and per queue. Built on the engine thread from
//! `smsdesk_core::figures`, for the queues a viewer may see: a supervisor
//! of some queues gets those queues and, in `agents`, the agents on the
//! roster of at least one of them (each counted once), nothing of an
//! agent who serves only other queues.

use std::collections::BTreeMap;

use serde::Serialize;
use smsdesk_core::figures::{self, QueueFigures, AGENT_STATES};
use smsdesk_core::state::State;
use smsdesk_core::{QueueName, Timestamp};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Board {
    /// Unix milliseconds the figures are for.
    pub at: u64,
    pub queues: Vec<QueueView>,
    /// The roster agents of these queues (of every queue when unscoped) by state.
    pub agents: BTreeMap<&'static str, u32>,
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
        }
    }
}

/// The board at `now`, of `queues` (every queue if `None`).
pub fn board(state: &State, now: Timestamp, queues: Option<&[QueueName]>) -> Board {
    let mut agents: BTreeMap<&'static str, u32> = AGENT_STATES.iter().map(|s| (*s, 0)).collect();
    for (id, setup) in &state.setup.agents {
        if queues.is_none_or(|wanted| setup.queues.iter().any(|q| wanted.contains(q))) {
            *agents.entry(figures::agent_state(state, id)).or_default() += 1;
        }
    }
    Board {
        at: now.0,
        queues: figures::all(state, queues, now)
            .into_iter()
            .map(QueueView::from)
            .collect(),
        agents,
    }
}
