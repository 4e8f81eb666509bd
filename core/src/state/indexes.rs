//! The derived indexes that keep every routing and timer question cheap at
//! contact-center scale: nothing the engine does per batch scans all open
//! conversations or all agents. They are kept in step by `State` (every
//! phase change, load change and status change goes through it), rebuilt
//! from the records at load, and compared with a rebuild by the property
//! tests after every step.

use std::collections::{BTreeMap, BTreeSet};

use crate::ids::{AgentId, ConversationId, CustomerNumber, EntryNumber, MessageId, QueueName, Timestamp};
use crate::model::{Conversation, QueueOrder};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Indexes {
    /// (entry, customer) -> the conversation a new SMS appends to.
    pub open_by_customer: BTreeMap<(EntryNumber, CustomerNumber), ConversationId>,
    /// agent -> conversations counting against their capacity.
    pub load: BTreeMap<AgentId, BTreeSet<ConversationId>>,
    /// pending reply -> its conversation.
    pub messages: BTreeMap<MessageId, ConversationId>,
    /// queue -> its waiting conversations, in serving order.
    pub waiting: BTreeMap<QueueName, BTreeSet<QueueOrder>>,
    /// queue -> members who may take work now: on the roster, available, below capacity.
    pub eligible: BTreeMap<QueueName, BTreeSet<AgentId>>,
    /// Every timer deadline, soonest first.
    pub timers: BTreeSet<(Timestamp, ConversationId)>,
    /// (entry, customer) -> every conversation of theirs in memory (the open
    /// one, and closed ones with a reply still pending).
    pub by_pair: BTreeMap<(EntryNumber, CustomerNumber), BTreeSet<ConversationId>>,
    /// owner -> their paused conversations (which do not count as load).
    pub paused: BTreeMap<AgentId, BTreeSet<ConversationId>>,
    /// Conversations with their intake bot.
    pub intake: BTreeSet<ConversationId>,
}

/// Adds `value` under `key`, or removes it (and the key once empty).
fn toggle<K: Ord + Clone, V: Ord>(map: &mut BTreeMap<K, BTreeSet<V>>, key: &K, value: V, add: bool) {
    if add {
        map.entry(key.clone()).or_default().insert(value);
    } else if let Some(set) = map.get_mut(key) {
        set.remove(&value);
        if set.is_empty() {
            map.remove(key);
        }
    }
}

impl Indexes {
    /// Adds (`add`) or removes one conversation's entries. Returns the agents
    /// whose load changed, so the caller can re-check their eligibility.
    pub fn conversation(&mut self, c: &Conversation, add: bool) -> Vec<AgentId> {
        let id = c.id;
        for m in c.outbound.keys() {
            if add {
                self.messages.insert(*m, id);
            } else {
                self.messages.remove(m);
            }
        }
        let key = (c.entry.clone(), c.customer.clone());
        let holders: Vec<AgentId> = c.phase.holders().into_iter().cloned().collect();
        for h in &holders {
            toggle(&mut self.load, h, id, add);
        }
        if let Some(order) = c.queue_order() {
            toggle(&mut self.waiting, &c.queue, order, add);
        }
        if let crate::model::Phase::Paused { owner, .. } = &c.phase {
            toggle(&mut self.paused, owner, id, add);
        }
        if matches!(c.phase, crate::model::Phase::Intake { .. }) {
            if add {
                self.intake.insert(id);
            } else {
                self.intake.remove(&id);
            }
        }
        for d in c.deadlines() {
            if add {
                self.timers.insert((d, id));
            } else {
                self.timers.remove(&(d, id));
            }
        }
        toggle(&mut self.by_pair, &key, id, add);
        if add {
            if c.phase.accepts_inbound() {
                self.open_by_customer.insert(key, id);
            }
        } else if self.open_by_customer.get(&key) == Some(&id) {
            self.open_by_customer.remove(&key);
        }
        holders
    }

    /// Records whether `agent`, a member of `queues`, may take work now.
    pub fn set_eligible<'a>(&mut self, agent: &AgentId, queues: impl Iterator<Item = &'a QueueName>, eligible: bool) {
        for q in queues {
            toggle(&mut self.eligible, q, agent.clone(), eligible);
        }
    }
}
