//! The engine's in-memory state: static setup, agent records, open
//! conversations and id counters, plus derived indexes kept in step by the
//! mutators here. Only `apply` (and loading) mutate it. Queries that routing,
//! timers and the front end need live here too, and none of them scans all
//! conversations or all agents.
//!
//! - `indexes`: waiting lines, eligible agents, timers, load, lookups.
//! - `dirty`: what changed since the last commit, including the only
//!   in-memory copies of de-duplication keys and finished delivery records.
//! - `queries`: the reads routing, timers and the front ends make.
//! - `deliveries`: replies' delivery records, pending (in their
//!   conversation) or held for the batch (read back from the store).
//!
//! What stays in memory is bounded by what is open: a conversation keeps its
//! pending replies only, and de-duplication keys stay until their commit.

mod deliveries;
mod dirty;
mod indexes;
mod last_handled;
mod queries;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

pub use dirty::{Dirty, Lookaside};
use indexes::Indexes;
pub use last_handled::LastHandled;

use crate::ids::{
    AgentId, CarrierMessageId, CarrierName, ConversationId, CustomerNumber, EntryNumber, MessageId, QueueName,
    Timestamp,
};
use crate::model::{Agent, AgentStatus, Conversation, Delivery, DeliveryRecord, OptOut, Phase};
use crate::setup::Setup;
use crate::totals::{DayTotals, Totals};

/// Monotonic counters, persisted with every commit.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    pub next_seq: u64,
    pub next_conversation: u64,
    pub next_message: u64,
}

/// What the de-duplication index remembers about one carrier message id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    pub conversation: ConversationId,
    pub at: Timestamp,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct State {
    pub setup: Setup,
    pub(crate) agents: BTreeMap<AgentId, Agent>,
    /// Open conversations; closed ones are dropped after they are persisted.
    pub(crate) conversations: BTreeMap<ConversationId, Conversation>,
    pub counters: Counters,
    /// Customers who may not be texted from an entry point (all of them:
    /// a few dozen bytes each, for the customers who ever opted out).
    pub(crate) opt_outs: BTreeMap<(EntryNumber, CustomerNumber), OptOut>,
    /// The day's totals per queue (supervisor figures), counted by `apply`.
    pub(crate) totals: Totals,
    /// (customer, queue) -> who handled their last conversation there, when
    /// it closed and why (`queues[].sticky`), for the longest sticky window.
    pub(crate) last_handled: LastHandled,

    /// Records changed since the last `take_dirty`: what the next commit must write.
    pub(crate) dirty: Dirty,
    /// Each roster agent's position in the roster (routers get it).
    ordinals: BTreeMap<AgentId, u32>,
    indexes: Indexes,
}

impl State {
    pub fn new(setup: Setup) -> Self {
        let mut state = Self {
            setup,
            ..Self::default()
        };
        state.ensure_roster();
        state.rebuild_indexes();
        state
    }

    /// Builds a state from persisted records (`smsdesk_engine::store::layout`). Finished
    /// delivery records found inside conversation records (written before
    /// they moved to their own keys) are moved out, to be written at the next commit.
    pub fn from_parts(
        setup: Setup,
        agents: BTreeMap<AgentId, Agent>,
        mut conversations: BTreeMap<ConversationId, Conversation>,
        opt_outs: BTreeMap<(EntryNumber, CustomerNumber), OptOut>,
        counters: Counters,
        totals: Totals,
        last_handled: LastHandled,
    ) -> Self {
        let mut dirty = Dirty::default();
        for c in conversations.values_mut() {
            // Written before conversations kept their queue and accept times
            // (figures): the best the record can tell.
            if c.queued_at.is_none() && c.first_accepted_at.is_none() {
                match &c.phase {
                    Phase::Intake { .. } => {}
                    Phase::Queued { .. } | Phase::Offered { .. } => c.queued_at = Some(c.opened_at),
                    Phase::Active { since, .. } => {
                        c.queued_at = Some(c.opened_at);
                        c.first_accepted_at = Some(*since);
                    }
                    Phase::Paused { .. } | Phase::Wrapup { .. } | Phase::Closed { .. } => {
                        c.queued_at = Some(c.opened_at);
                        c.first_accepted_at = Some(c.opened_at);
                    }
                }
            }
            // Timers for texts or pauses the config no longer has.
            let queue = setup.queue(&c.queue);
            if queue.is_none_or(|q| q.busy_reply.is_none()) {
                c.busy_at = None;
            }
            if queue.is_none_or(|q| q.inactivity.is_none()) {
                c.inactive_at = None;
            }
            let finished: Vec<MessageId> = c
                .outbound
                .iter()
                .filter(|(_, o)| o.status != Delivery::Pending)
                .map(|(m, _)| *m)
                .collect();
            for m in finished {
                if let Some(outbound) = c.outbound.remove(&m) {
                    let record = DeliveryRecord {
                        conversation: c.id,
                        carrier: c.carrier.clone(),
                        outbound,
                    };
                    dirty.deliveries.insert(m, record);
                    dirty.changed_deliveries.insert(m);
                    dirty.conversations.insert(c.id);
                }
            }
        }
        let mut state = Self {
            setup,
            agents,
            conversations,
            counters,
            opt_outs,
            totals,
            last_handled,
            dirty,
            ..Self::default()
        };
        state.ensure_roster();
        state.rebuild_indexes();
        state
    }

    /// Every roster agent has a record (new ones start offline) and an ordinal.
    fn ensure_roster(&mut self) {
        self.ordinals.clear();
        for (i, id) in self.setup.agents.keys().enumerate() {
            self.agents.entry(id.clone()).or_insert_with(Agent::offline);
            self.ordinals.insert(id.clone(), u32::try_from(i).unwrap_or(u32::MAX));
        }
    }

    fn rebuild_indexes(&mut self) {
        self.indexes = Indexes::default();
        for c in self.conversations.values() {
            self.indexes.conversation(c, true);
        }
        let agents: Vec<AgentId> = self.setup.agents.keys().cloned().collect();
        for a in agents {
            self.reindex_agent(&a);
        }
    }

    fn index(&mut self, id: ConversationId, add: bool) {
        let Some(c) = self.conversations.get(&id) else {
            return;
        };
        for h in self.indexes.conversation(c, add) {
            self.reindex_agent(&h);
        }
    }

    /// Re-checks whether `agent` may take work from each of their queues.
    fn reindex_agent(&mut self, agent: &AgentId) {
        let Some(setup) = self.setup.agents.get(agent) else {
            return;
        };
        let eligible = self.has_room(agent);
        self.indexes.set_eligible(agent, setup.queues.iter(), eligible);
    }

    pub(crate) fn insert_conversation(&mut self, conv: Conversation) {
        let id = conv.id;
        self.dirty.conversations.insert(id);
        self.conversations.insert(id, conv);
        self.index(id, true);
    }

    /// Changes a conversation's phase and keeps the derived indexes in step.
    /// Every phase change goes through here.
    pub(crate) fn set_phase(&mut self, id: ConversationId, phase: Phase) {
        self.edit_indexed(id, |c| c.phase = phase);
    }

    /// Mutates a conversation's phase in place (e.g. its conference map) with re-indexing.
    pub(crate) fn edit_phase(&mut self, id: ConversationId, f: impl FnOnce(&mut Phase)) {
        self.edit_indexed(id, |c| f(&mut c.phase));
    }

    /// Moves a conversation to another queue (its waiting line changes with it).
    pub(crate) fn set_queue(&mut self, id: ConversationId, queue: QueueName) {
        self.edit_indexed(id, |c| c.queue = queue);
    }

    /// Mutates a conversation with re-indexing (phase, queue, timers).
    pub(crate) fn edit_indexed(&mut self, id: ConversationId, f: impl FnOnce(&mut Conversation)) {
        self.dirty.conversations.insert(id);
        self.index(id, false);
        if let Some(conv) = self.conversations.get_mut(&id) {
            f(conv);
        }
        self.index(id, true);
    }

    /// Mutable access for fields that no index reads (counts, skills, last agent...).
    pub(crate) fn conversation_mut(&mut self, id: ConversationId) -> Option<&mut Conversation> {
        self.dirty.conversations.insert(id);
        self.conversations.get_mut(&id)
    }

    /// Mutable access for fields that do not change eligibility (not `status`).
    pub(crate) fn agent_mut(&mut self, id: &AgentId) -> &mut Agent {
        self.dirty.agents.insert(id.clone());
        self.agents.entry(id.clone()).or_insert_with(Agent::offline)
    }

    /// Changes an agent's presence, keeping the eligible index in step.
    pub(crate) fn set_status(&mut self, id: &AgentId, status: AgentStatus, at: Timestamp) {
        let a = self.agent_mut(id);
        a.status = status;
        a.since = at;
        self.reindex_agent(id);
    }

    pub(crate) fn record_seen(&mut self, key: (CarrierName, CarrierMessageId), seen: Seen) {
        self.dirty.seen.insert(key, seen);
    }

    /// Records or lifts the opt-out of one (entry, customer) pair.
    pub(crate) fn set_opt_out(&mut self, entry: &EntryNumber, customer: &CustomerNumber, opt_out: Option<OptOut>) {
        let key = (entry.clone(), customer.clone());
        self.dirty.opt_outs.insert(key.clone());
        match opt_out {
            Some(o) => self.opt_outs.insert(key, o),
            None => self.opt_outs.remove(&key),
        };
    }

    /// The opt-out on record for a pair, if any.
    /// Counts into `queue`'s totals for the day of `at` (nothing for a
    /// queue no longer configured).
    pub(crate) fn count(
        &mut self,
        queue: &QueueName,
        at: Timestamp,
        f: impl FnOnce(&mut DayTotals, std::time::Duration),
    ) {
        let Some(setup) = self.setup.queues.get(queue) else {
            return;
        };
        let sla = setup.sla;
        f(self.totals.day_of(setup, at), sla);
        self.dirty.totals = true;
    }

    /// Counts into the interval `queue`'s conversation that arrived at
    /// `arrived` counts in (`intervals`), for the day of `at`, with the
    /// queue's `sla`; and notes how many wait in it now.
    pub(crate) fn count_interval(
        &mut self,
        queue: &QueueName,
        at: Timestamp,
        arrived: Timestamp,
        f: impl FnOnce(&mut crate::intervals::Interval, std::time::Duration),
    ) {
        let waiting = self.waiting_count(queue);
        let Some(setup) = self.setup.queues.get(queue) else {
            return;
        };
        let (_, now) = crate::intervals::slot(setup, at);
        let t = self.totals.day_of(setup, at);
        let index = crate::intervals::arrival(setup, &t.day, arrived);
        f(t.intervals.entry(index).or_default(), setup.sla);
        crate::intervals::saw_waiting(&mut t.intervals, now, waiting);
        self.dirty.totals = true;
    }

    /// Notes how many wait in `queue` at `at` (a customer just came into it).
    pub(crate) fn saw_waiting(&mut self, queue: &QueueName, at: Timestamp) {
        let waiting = self.waiting_count(queue);
        let Some(setup) = self.setup.queues.get(queue) else {
            return;
        };
        let (_, now) = crate::intervals::slot(setup, at);
        crate::intervals::saw_waiting(&mut self.totals.day_of(setup, at).intervals, now, waiting);
        self.dirty.totals = true;
    }

    /// The day's totals per queue (see `figures`).
    pub fn totals(&self) -> &Totals {
        &self.totals
    }

    pub fn opt_out(&self, entry: &EntryNumber, customer: &CustomerNumber) -> Option<&OptOut> {
        self.opt_outs.get(&(entry.clone(), customer.clone()))
    }

    /// Every opt-out, by entry then customer.
    pub fn opt_outs(&self) -> impl Iterator<Item = (&(EntryNumber, CustomerNumber), &OptOut)> {
        self.opt_outs.iter()
    }

    /// What changed since the last call, for the engine's store to write
    /// (`smsdesk_engine::store::layout::stage`); the state starts clean again.
    pub fn take_dirty(&mut self) -> Dirty {
        std::mem::take(&mut self.dirty)
    }

    /// Drops closed conversations from memory (they stay in the store),
    /// except those with a reply still waiting for the carrier. Scans every
    /// conversation: for tests; the engine uses `forget_finished`.
    pub fn forget_closed(&mut self) {
        let closed: Vec<ConversationId> = self
            .conversations
            .values()
            .filter(|c| c.is_finished())
            .map(|c| c.id)
            .collect();
        self.forget_finished(&closed);
    }

    /// Drops those of `ids` that are finished from memory (they stay in the store).
    pub fn forget_finished(&mut self, ids: &[ConversationId]) {
        for id in ids {
            if self.conversations.get(id).is_some_and(Conversation::is_finished) {
                self.index(*id, false);
                self.conversations.remove(id);
            }
        }
    }
}
