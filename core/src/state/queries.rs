//! What routing, timers and the front ends read of the state: conversations
//! and agents by id, load and capacity, who holds what, the waiting lines,
//! due timers and intake turns, a returning customer's last agent. None of
//! them scans all conversations or all agents (the indexes answer).

use super::*;

impl State {
    pub fn conversation(&self, id: ConversationId) -> Option<&Conversation> {
        self.conversations.get(&id)
    }

    pub fn conversations(&self) -> impl Iterator<Item = &Conversation> {
        self.conversations.values()
    }

    pub fn conversation_count(&self) -> usize {
        self.conversations.len()
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

    /// The agent's position in the roster, stable for the life of the process.
    pub fn ordinal(&self, id: &AgentId) -> Option<u32> {
        self.ordinals.get(id).copied()
    }

    pub fn capacity(&self, id: &AgentId) -> u32 {
        self.setup.agents.get(id).map_or(0, |a| a.capacity)
    }

    /// Conversations counting against `agent`'s capacity.
    pub fn load(&self, agent: &AgentId) -> u32 {
        self.indexes
            .load
            .get(agent)
            .map_or(0, |s| u32::try_from(s.len()).unwrap_or(u32::MAX))
    }

    /// Every conversation in memory of one (entry, customer) pair.
    pub fn conversations_of(
        &self,
        entry: &EntryNumber,
        customer: &CustomerNumber,
    ) -> impl Iterator<Item = &Conversation> {
        self.indexes
            .by_pair
            .get(&(entry.clone(), customer.clone()))
            .into_iter()
            .flatten()
            .filter_map(|id| self.conversations.get(id))
    }

    /// `agent`'s paused conversations (not counted as load).
    pub fn paused_of(&self, agent: &AgentId) -> impl Iterator<Item = &Conversation> {
        self.indexes
            .paused
            .get(agent)
            .into_iter()
            .flatten()
            .filter_map(|id| self.conversations.get(id))
    }

    pub fn holdings(&self, agent: &AgentId) -> impl Iterator<Item = &Conversation> {
        self.indexes
            .load
            .get(agent)
            .into_iter()
            .flatten()
            .filter_map(|id| self.conversations.get(id))
    }

    pub fn open_conversation_for(&self, entry: &EntryNumber, customer: &CustomerNumber) -> Option<ConversationId> {
        self.indexes
            .open_by_customer
            .get(&(entry.clone(), customer.clone()))
            .copied()
    }

    /// A carrier message id recorded since the last commit (older ones are in the store).
    pub fn seen(&self, carrier: &CarrierName, id: &CarrierMessageId) -> Option<&Seen> {
        self.dirty.seen.get(&(carrier.clone(), id.clone()))
    }

    pub fn is_available(&self, agent: &AgentId) -> bool {
        matches!(self.agents.get(agent).map(|a| &a.status), Some(AgentStatus::Available))
    }

    /// Available, below capacity, on the roster: may receive offers and invitations.
    pub fn has_room(&self, agent: &AgentId) -> bool {
        self.is_roster(agent) && self.is_available(agent) && self.load(agent) < self.capacity(agent)
    }

    /// The waiting conversations of one queue, in serving order.
    pub fn waiting_in<'a>(&'a self, queue: &QueueName) -> impl Iterator<Item = &'a Conversation> + 'a {
        self.indexes
            .waiting
            .get(queue)
            .into_iter()
            .flatten()
            .filter_map(|(_, _, id)| self.conversations.get(id))
    }

    pub fn waiting_count(&self, queue: &QueueName) -> usize {
        self.indexes.waiting.get(queue).map_or(0, BTreeSet::len)
    }

    /// Queues with at least one conversation waiting.
    pub fn queues_waiting(&self) -> impl Iterator<Item = &QueueName> {
        self.indexes.waiting.keys()
    }

    /// Members of `queue` who may take work now, in roster order.
    pub fn eligible(&self, queue: &QueueName) -> impl Iterator<Item = &AgentId> {
        self.indexes.eligible.get(queue).into_iter().flatten()
    }

    /// Every waiting conversation in serving order (head first, then oldest
    /// first), across queues. Sorts the waiting ones: for answers and tests.
    pub fn waiting(&self) -> Vec<&Conversation> {
        let mut out: Vec<_> = self
            .indexes
            .waiting
            .values()
            .flatten()
            .filter_map(|(_, _, id)| self.conversations.get(id))
            .collect();
        out.sort_by_key(|c| c.queue_order());
        out
    }

    /// Conversations whose intake bot has a turn to take (a customer SMS it
    /// has not answered yet): (conversation, the turn due).
    pub fn intake_due(&self) -> Vec<(ConversationId, u32)> {
        self.indexes
            .intake
            .iter()
            .filter_map(|id| {
                let c = self.conversations.get(id)?;
                match &c.phase {
                    Phase::Intake { turn, .. } if c.inbound_count > *turn => Some((*id, turn + 1)),
                    _ => None,
                }
            })
            .collect()
    }

    /// Who handled `customer`'s last conversation in `queue`, when and why.
    pub fn last_handled(&self, customer: &CustomerNumber, queue: &QueueName) -> Option<&crate::model::Sticky> {
        self.last_handled.get(&(customer.clone(), queue.clone()))
    }

    /// Records who handled `customer`'s conversation in `queue` (closed
    /// now), and drops the records no sticky window can use any more.
    pub(crate) fn remember_last_handled(&mut self, key: (CustomerNumber, QueueName), last: crate::model::Sticky) {
        let now = last.closed_at;
        let keep = self.setup.queues.values().filter_map(|q| q.sticky).max();
        let sticky = self.setup.queue(&key.1).is_some_and(|q| q.sticky.is_some());
        for gone in self.last_handled.prune(now, keep) {
            self.dirty.last_handled.insert(gone);
        }
        if sticky {
            self.dirty.last_handled.insert(key.clone());
            self.last_handled.insert(key, last);
        }
    }

    /// The earliest deadline among all timers, for the driver to sleep until.
    pub fn next_deadline(&self) -> Option<Timestamp> {
        self.indexes.timers.first().map(|(d, _)| *d)
    }

    /// Conversations with a timer due at `now`, by id.
    pub fn due(&self, now: Timestamp) -> BTreeSet<ConversationId> {
        self.indexes
            .timers
            .iter()
            .take_while(|(d, _)| *d <= now)
            .map(|(_, id)| *id)
            .collect()
    }

    /// Checks the derived indexes against a rebuild; used by tests.
    pub fn indexes_consistent(&self) -> bool {
        let mut fresh = self.clone();
        fresh.rebuild_indexes();
        fresh.indexes == self.indexes
    }
}
