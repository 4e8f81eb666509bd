//! The wallboard's figures as sent to the page (and `/supervisor/figures.json`):
//! seconds as numbers, service level as a fraction, agents by state for
//! the whole roster and per queue. Built on the engine thread from
//! `smsdesk_core::figures`.

use std::collections::BTreeMap;

use serde::Serialize;
use smsdesk_core::figures::{self, QueueFigures, AGENT_STATES};
use smsdesk_core::state::State;
use smsdesk_core::Timestamp;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Board {
    /// Unix milliseconds the figures are for.
    pub at: u64,
    pub queues: Vec<QueueView>,
    /// Every roster agent by state.
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

/// The board at `now`.
pub fn board(state: &State, now: Timestamp) -> Board {
    let mut agents: BTreeMap<&'static str, u32> = AGENT_STATES.iter().map(|s| (*s, 0)).collect();
    for id in state.setup.agents.keys() {
        *agents.entry(figures::agent_state(state, id)).or_default() += 1;
    }
    Board {
        at: now.0,
        queues: figures::all(state, None, now)
            .into_iter()
            .map(QueueView::from)
            .collect(),
        agents,
    }
}
