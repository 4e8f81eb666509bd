//! Replies' delivery records as the state holds them: a pending reply's in
//! its conversation (indexed by message id), and a handed-over one's only
//! for the batch that changes it or asks about it (`Dirty::deliveries`),
//! after the engine read it back from the store. Changing a record moves it
//! between the two.

use crate::ids::{CarrierName, ConversationId, MessageId};
use crate::model::{Delivery, DeliveryRecord, Outbound};

use super::State;

impl State {
    /// Holds a delivery record read back from the store for the batch in progress.
    pub fn hold_delivery(&mut self, message: MessageId, record: DeliveryRecord) {
        if self.conversation_of(message).is_none() {
            self.dirty.deliveries.insert(message, record);
        }
    }

    /// Changes one reply's delivery record. A pending one lives in its
    /// conversation; once handed over it moves out, to the store at the next
    /// commit. The engine has read back (`hold_delivery`) any older record first.
    pub(crate) fn edit_outbound(&mut self, id: ConversationId, message: MessageId, f: impl FnOnce(&mut Outbound)) {
        let in_memory = self.conversations.get_mut(&id);
        let (mut outbound, carrier) = match in_memory {
            Some(c) => {
                let held = c.outbound.remove(&message);
                let carrier = c.carrier.clone();
                match held {
                    Some(o) => (o, carrier),
                    None => match self.dirty.deliveries.remove(message) {
                        Some(r) => (r.outbound, r.carrier),
                        None => (Outbound::pending(), carrier),
                    },
                }
            }
            None => match self.dirty.deliveries.remove(message) {
                Some(r) => (r.outbound, r.carrier),
                None => return,
            },
        };
        f(&mut outbound);
        self.dirty.changed_deliveries.insert(message);
        self.dirty.conversations.insert(id);
        let pending = outbound.status == Delivery::Pending;
        match self.conversations.get_mut(&id) {
            Some(c) if pending => {
                c.outbound.insert(message, outbound);
                self.indexes.messages.insert(message, id);
            }
            _ => {
                self.indexes.messages.remove(&message);
                let record = DeliveryRecord {
                    conversation: id,
                    carrier,
                    outbound,
                };
                self.dirty.deliveries.insert(message, record);
            }
        }
    }

    /// A reply's delivery record, if in memory (pending, or held for this batch).
    pub fn delivery(&self, message: MessageId) -> Option<DeliveryRecord> {
        if let Some(id) = self.indexes.messages.get(&message) {
            let c = self.conversations.get(id)?;
            return Some(DeliveryRecord {
                conversation: *id,
                carrier: c.carrier.clone(),
                outbound: c.outbound.get(&message)?.clone(),
            });
        }
        self.dirty.deliveries.get(message).cloned()
    }

    /// The conversation a reply belongs to, if its record is in memory.
    pub fn conversation_of(&self, message: MessageId) -> Option<ConversationId> {
        self.indexes
            .messages
            .get(&message)
            .copied()
            .or_else(|| self.dirty.deliveries.get(message).map(|r| r.conversation))
    }

    /// The reply a carrier's message id refers to, if its record is in memory.
    pub fn message_by_provider(&self, carrier: &CarrierName, provider_id: &str) -> Option<MessageId> {
        self.dirty.deliveries.by_provider(carrier, provider_id)
    }

    /// The reply of `conversation` handed in with `reference`, if in memory.
    pub fn reply_with_reference(&self, conversation: ConversationId, reference: &str) -> Option<MessageId> {
        self.conversations
            .get(&conversation)
            .and_then(|c| {
                c.outbound
                    .iter()
                    .find(|(_, o)| o.reference.as_deref() == Some(reference))
                    .map(|(m, _)| *m)
            })
            .or_else(|| self.dirty.deliveries.by_reference(conversation, reference))
    }
}
