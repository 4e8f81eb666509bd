//! What `apply` changed since the last commit, for `smsdesk_engine::store::layout::stage`
//! to write: the keys of changed agent and conversation records, the
//! de-duplication keys recorded, and the delivery records of replies that
//! are no longer pending. The last two are the only copies in memory: they
//! leave memory with the commit, and later questions about them are
//! answered by the store (see `smsdesk_engine::Engine`). That keeps memory bounded however
//! long the day or the conversation.

use std::collections::{BTreeMap, BTreeSet};

use crate::ids::{
    AgentId, CarrierMessageId, CarrierName, ConversationId, CustomerNumber, EntryNumber, MessageId, QueueName,
};
use crate::model::DeliveryRecord;

use super::Seen;

/// Bookkeeping only: two states are equal whatever their dirty sets.
#[derive(Clone, Debug, Default)]
pub struct Dirty {
    pub agents: BTreeSet<AgentId>,
    pub conversations: BTreeSet<ConversationId>,
    /// De-duplication keys recorded since the last commit.
    pub seen: BTreeMap<(CarrierName, CarrierMessageId), Seen>,
    /// Delivery records of non-pending replies, changed since the last
    /// commit or read back from the store for the batch being decided.
    pub deliveries: Lookaside,
    /// Replies whose delivery record changed (pending or not): to be written.
    pub changed_deliveries: BTreeSet<MessageId>,
    /// (entry, customer) pairs whose opt-out changed.
    pub opt_outs: BTreeSet<(EntryNumber, CustomerNumber)>,
    /// (customer, queue) pairs whose last agent changed or was forgotten.
    pub last_handled: BTreeSet<(CustomerNumber, QueueName)>,
    /// Whether the day's totals changed.
    pub totals: bool,
}

impl PartialEq for Dirty {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
impl Eq for Dirty {}

/// Delivery records held for the batch in progress, findable by message id
/// and by the carrier's id.
#[derive(Clone, Debug, Default)]
pub struct Lookaside {
    records: BTreeMap<MessageId, DeliveryRecord>,
    by_provider: BTreeMap<(CarrierName, String), MessageId>,
}

impl Lookaside {
    pub fn insert(&mut self, message: MessageId, record: DeliveryRecord) {
        self.remove(message);
        if let Some(p) = &record.outbound.provider_id {
            self.by_provider.insert((record.carrier.clone(), p.clone()), message);
        }
        self.records.insert(message, record);
    }

    pub fn remove(&mut self, message: MessageId) -> Option<DeliveryRecord> {
        let record = self.records.remove(&message)?;
        if let Some(p) = &record.outbound.provider_id {
            self.by_provider.remove(&(record.carrier.clone(), p.clone()));
        }
        Some(record)
    }

    pub fn get(&self, message: MessageId) -> Option<&DeliveryRecord> {
        self.records.get(&message)
    }

    pub fn by_provider(&self, carrier: &CarrierName, provider_id: &str) -> Option<MessageId> {
        self.by_provider
            .get(&(carrier.clone(), provider_id.to_owned()))
            .copied()
    }

    /// The reply of `conversation` handed in with `reference`, among the held records.
    pub fn by_reference(&self, conversation: ConversationId, reference: &str) -> Option<MessageId> {
        self.records
            .iter()
            .find(|(_, r)| r.conversation == conversation && r.outbound.reference.as_deref() == Some(reference))
            .map(|(m, _)| *m)
    }
}
