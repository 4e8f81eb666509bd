//! The engine's in-memory state: static setup, agent records, open
//! conversations, the de-duplication index and id counters, plus derived
//! indexes kept in step by `set_phase`. Only `apply` (and loading) mutate it.
//! Queries that routing and the front end need live here too.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::ids::{
    AgentId, CarrierMessageId, CarrierName, ConversationId, CustomerNumber, EntryNumber, MessageId, Timestamp,
};
use crate::model::{Agent, AgentStatus, Conversation, Outbound, Phase};
use crate::setup::Setup;

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

/// Keys of records changed by `apply` and not yet staged for a commit.
/// Bookkeeping only: two states are equal whatever their dirty sets.
#[derive(Clone, Debug, Default)]
pub struct Dirty {
    pub agents: BTreeSet<AgentId>,
    pub conversations: BTreeSet<ConversationId>,
    pub seen: BTreeSet<(CarrierName, CarrierMessageId)>,
}

impl PartialEq for Dirty {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
impl Eq for Dirty {}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct State {
    pub setup: Setup,
    pub(crate) agents: BTreeMap<AgentId, Agent>,
    /// Open conversations; closed ones are dropped after they are persisted.
    pub(crate) conversations: BTreeMap<ConversationId, Conversation>,
    pub(crate) seen: BTreeMap<(CarrierName, CarrierMessageId), Seen>,
    pub counters: Counters,

    /// Records changed since the last `take_dirty`: what the next commit must write.
    pub(crate) dirty: Dirty,

    // Derived indexes (rebuilt on load, maintained by `set_phase`).
    /// (entry, customer) -> the conversation a new SMS appends to.
    open_by_customer: BTreeMap<(EntryNumber, CustomerNumber), ConversationId>,
    /// agent -> conversations counting against their capacity.
    load: BTreeMap<AgentId, BTreeSet<ConversationId>>,
    /// reply -> its conversation (open conversations only).
    messages: BTreeMap<MessageId, ConversationId>,
    /// (carrier, carrier's message id) -> reply, for status callbacks.
    providers: BTreeMap<(CarrierName, String), MessageId>,
}

impl State {
    pub fn new(setup: Setup) -> Self {
        let mut state = Self {
            setup,
            ..Self::default()
        };
        state.ensure_roster();
        state
    }

    /// Builds a state from persisted records (see `store::layout`).
    pub(crate) fn from_parts(
        setup: Setup,
        agents: BTreeMap<AgentId, Agent>,
        conversations: BTreeMap<ConversationId, Conversation>,
        seen: BTreeMap<(CarrierName, CarrierMessageId), Seen>,
        counters: Counters,
    ) -> Self {
        let mut state = Self {
            setup,
            agents,
            conversations,
            seen,
            counters,
            ..Self::default()
        };
        state.ensure_roster();
        state.rebuild_indexes();
        state
    }

    /// Every roster agent has a record; new ones start offline.
    fn ensure_roster(&mut self) {
        for id in self.setup.agents.keys() {
            self.agents.entry(id.clone()).or_insert_with(Agent::offline);
        }
    }

    fn rebuild_indexes(&mut self) {
        self.open_by_customer.clear();
        self.load.clear();
        self.messages.clear();
        self.providers.clear();
        let ids: Vec<_> = self.conversations.keys().copied().collect();
        for id in ids {
            self.index(id, true);
        }
    }

    fn index(&mut self, id: ConversationId, add: bool) {
        let Some(conv) = self.conversations.get(&id) else {
            return;
        };
        let key = (conv.entry.clone(), conv.customer.clone());
        let holders: Vec<AgentId> = conv.phase.holders().into_iter().cloned().collect();
        let open = conv.phase.accepts_inbound();
        let carrier = conv.carrier.clone();
        let replies: Vec<(MessageId, Option<String>)> =
            conv.outbound.iter().map(|(m, o)| (*m, o.provider_id.clone())).collect();
        for (m, provider) in replies {
            if add {
                self.messages.insert(m, id);
                if let Some(p) = provider {
                    self.providers.insert((carrier.clone(), p), m);
                }
            } else {
                self.messages.remove(&m);
                if let Some(p) = provider {
                    self.providers.remove(&(carrier.clone(), p));
                }
            }
        }
        if add {
            if open {
                self.open_by_customer.insert(key, id);
            }
            for h in holders {
                self.load.entry(h).or_default().insert(id);
            }
        } else {
            if self.open_by_customer.get(&key) == Some(&id) {
                self.open_by_customer.remove(&key);
            }
            for h in holders {
                if let Some(set) = self.load.get_mut(&h) {
                    set.remove(&id);
                    if set.is_empty() {
                        self.load.remove(&h);
                    }
                }
            }
        }
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
        self.dirty.conversations.insert(id);
        self.index(id, false);
        if let Some(conv) = self.conversations.get_mut(&id) {
            conv.phase = phase;
        }
        self.index(id, true);
    }

    /// Mutates a conversation's phase in place (e.g. its conference map) with re-indexing.
    pub(crate) fn edit_phase(&mut self, id: ConversationId, f: impl FnOnce(&mut Phase)) {
        if let Some(mut phase) = self.conversations.get(&id).map(|c| c.phase.clone()) {
            f(&mut phase);
            self.set_phase(id, phase);
        }
    }

    /// Mutable access for fields that do not affect the indexes (counts, skills...).
    pub(crate) fn conversation_mut(&mut self, id: ConversationId) -> Option<&mut Conversation> {
        self.dirty.conversations.insert(id);
        self.conversations.get_mut(&id)
    }

    pub(crate) fn agent_mut(&mut self, id: &AgentId) -> &mut Agent {
        self.dirty.agents.insert(id.clone());
        self.agents.entry(id.clone()).or_insert_with(Agent::offline)
    }

    pub(crate) fn record_seen(&mut self, key: (CarrierName, CarrierMessageId), seen: Seen) {
        self.dirty.seen.insert(key.clone());
        self.seen.insert(key, seen);
    }

    pub(crate) fn take_dirty(&mut self) -> Dirty {
        std::mem::take(&mut self.dirty)
    }

    /// Forgets de-duplication keys older than `cutoff` (the store still has them).
    pub fn forget_seen_before(&mut self, cutoff: Timestamp) {
        self.seen.retain(|_, s| s.at >= cutoff);
    }

    /// Drops closed conversations from memory (they stay in the store),
    /// except those with a reply still waiting for the carrier.
    pub fn forget_closed(&mut self) {
        let closed: Vec<ConversationId> = self
            .conversations
            .values()
            .filter(|c| c.is_finished())
            .map(|c| c.id)
            .collect();
        for id in closed {
            self.index(id, false);
            self.conversations.remove(&id);
        }
    }

    /// Changes one reply's delivery record, keeping the indexes in step.
    pub(crate) fn edit_outbound(&mut self, id: ConversationId, message: MessageId, f: impl FnOnce(&mut Outbound)) {
        self.index(id, false);
        if let Some(conv) = self.conversations.get_mut(&id) {
            let entry = conv.outbound.entry(message).or_insert(Outbound {
                status: crate::model::Delivery::Pending,
                provider_id: None,
                error_code: None,
                error: None,
                reference: None,
            });
            f(entry);
        }
        self.dirty.conversations.insert(id);
        self.index(id, true);
    }

    /// The conversation a reply belongs to (open conversations only).
    pub fn conversation_of(&self, message: MessageId) -> Option<ConversationId> {
        self.messages.get(&message).copied()
    }

    /// The reply a carrier's message id refers to (open conversations only).
    pub fn message_by_provider(&self, carrier: &CarrierName, provider_id: &str) -> Option<MessageId> {
        self.providers.get(&(carrier.clone(), provider_id.to_owned())).copied()
    }

    // ---- queries -------------------------------------------------------

    pub fn conversation(&self, id: ConversationId) -> Option<&Conversation> {
        self.conversations.get(&id)
    }

    pub fn conversations(&self) -> impl Iterator<Item = &Conversation> {
        self.conversations.values()
    }

    pub fn agent(&self, id: &AgentId) -> Option<&Agent> {
        self.agents.get(id)
    }

    pub fn agents(&self) -> impl Iterator<Item = (&AgentId, &Agent)> {
        self.agents.iter()
    }

    pub fn is_roster(&self, id: &AgentId) -> bool {
        self.setup.agents.contains_key(id)
    }

    pub fn capacity(&self, id: &AgentId) -> u32 {
        self.setup.agents.get(id).map_or(0, |a| a.capacity)
    }

    /// Conversations counting against `agent`'s capacity.
    pub fn load(&self, agent: &AgentId) -> u32 {
        self.load
            .get(agent)
            .map_or(0, |s| u32::try_from(s.len()).unwrap_or(u32::MAX))
    }

    pub fn holdings(&self, agent: &AgentId) -> impl Iterator<Item = &Conversation> {
        self.load
            .get(agent)
            .into_iter()
            .flatten()
            .filter_map(|id| self.conversations.get(id))
    }

    pub fn open_conversation_for(&self, entry: &EntryNumber, customer: &CustomerNumber) -> Option<ConversationId> {
        self.open_by_customer.get(&(entry.clone(), customer.clone())).copied()
    }

    pub fn seen(&self, carrier: &CarrierName, id: &CarrierMessageId) -> Option<&Seen> {
        self.seen.get(&(carrier.clone(), id.clone()))
    }

    pub fn is_available(&self, agent: &AgentId) -> bool {
        matches!(self.agents.get(agent).map(|a| &a.status), Some(AgentStatus::Available))
    }

    /// Available, below capacity, on the roster: may receive offers and invitations.
    pub fn has_room(&self, agent: &AgentId) -> bool {
        self.is_roster(agent) && self.is_available(agent) && self.load(agent) < self.capacity(agent)
    }

    /// Waiting conversations in serving order (head first, then oldest first).
    pub fn waiting(&self) -> Vec<&Conversation> {
        let mut out: Vec<_> = self
            .conversations
            .values()
            .filter(|c| c.queue_order().is_some())
            .collect();
        out.sort_by_key(|c| c.queue_order());
        out
    }

    /// The earliest deadline among all timers, for the driver to sleep until.
    pub fn next_deadline(&self) -> Option<Timestamp> {
        self.conversations.values().flat_map(crate::timers::deadlines).min()
    }

    /// Checks the derived indexes against a rebuild; used by tests.
    pub fn indexes_consistent(&self) -> bool {
        let mut fresh = self.clone();
        fresh.rebuild_indexes();
        fresh.open_by_customer == self.open_by_customer
            && fresh.load == self.load
            && fresh.messages == self.messages
            && fresh.providers == self.providers
    }
}
