//! `storage.retention` (PRODUCT.md §10): erasing closed conversations
//! closed before a cutoff, with everything kept about them — the record,
//! every event of its history (also in the global log), the customer
//! index, de-duplication keys of its SMS, and its replies' outbox, delivery,
//! provider-id and reference keys. Opt-outs are not a conversation's: they
//! stay. The day's figures are totals of their own (`m/totals`), so they
//! do not change.
//!
//! Works in bounded steps (`limit` conversations per call, oldest closed
//! first, found through the `z/` index), each one write set, so the engine
//! thread that calls it between batches never stalls intake for long.

use super::layout::{
    closed_key, conversation_key, customer_key, delivery_key, event_key, history, history_key, open_key, outbound_key,
    provider_key, reference_key, seen_key,
};
use super::{KvStore, Result, WriteSet};
use crate::event::Event;
use crate::ids::{ConversationId, Timestamp};

/// What one step erased.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Erased {
    pub conversations: usize,
    pub keys: usize,
}

/// Stages the erasure of up to `limit` conversations closed before
/// `cutoff`, skipping `keep` (conversations still in memory: a reply of
/// theirs is pending).
pub fn stage_erase(
    store: &dyn KvStore,
    cutoff: Timestamp,
    limit: usize,
    keep: impl Fn(ConversationId) -> bool,
    writes: &mut WriteSet,
) -> Result<Erased> {
    let mut erased = Erased::default();
    let from = b"z/".to_vec();
    let to = closed_key(cutoff, ConversationId(0));
    for (k, _) in store.scan_range(&from, &to, limit)? {
        let Some(id) = k.get(10..18).and_then(|b| <[u8; 8]>::try_from(b).ok()) else {
            continue;
        };
        let id = ConversationId(u64::from_be_bytes(id));
        if keep(id) || store.get(&open_key(id))?.is_some() {
            continue;
        }
        let before = writes.len();
        let carrier = super::layout::conversation(store, id)?.map(|c| c.carrier);
        for r in history(store, id)? {
            writes.delete(event_key(r.seq));
            writes.delete(history_key(id, r.seq));
            match &r.event {
                Event::ConversationOpened { customer, .. } => writes.delete(customer_key(customer, id)),
                Event::MessageReceived { sms, .. } => writes.delete(seen_key(&sms.carrier, &sms.carrier_message_id)),
                Event::ReplyAccepted {
                    message_id, reference, ..
                } => {
                    writes.delete(outbound_key(*message_id));
                    writes.delete(delivery_key(*message_id));
                    if let Some(reference) = reference {
                        writes.delete(reference_key(id, reference));
                    }
                }
                Event::AutoReplied { message_id, .. } => {
                    writes.delete(outbound_key(*message_id));
                    writes.delete(delivery_key(*message_id));
                }
                Event::SmsSent { provider_id, .. } => {
                    if let Some(carrier) = &carrier {
                        writes.delete(provider_key(carrier, provider_id));
                    }
                }
                _ => {}
            }
        }
        writes.delete(conversation_key(id));
        writes.delete(k.clone());
        erased.conversations += 1;
        erased.keys += writes.len() - before;
    }
    Ok(erased)
}
