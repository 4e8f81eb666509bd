//! `storage.retention` (docs/configuration.md): erasing closed conversations
//! closed before a cutoff, with everything kept about them — the record,
//! every event of its history (also in the global log), the customer
//! index, de-duplication keys of its SMS, and its replies' outbox, delivery,
//! provider-id and reference keys. Opt-outs are not a conversation's: they
//! stay. The day's figures are totals of their own (`m/totals`), so they
//! do not change.
//!
//! Stores written before the `z/` index existed are indexed first, in the
//! same bounded steps (`stage_backfill`, then the `INDEXED` marker).
//!
//! Works in bounded steps (`limit` conversations per call, oldest closed
//! first, found through the `z/` index), each one write set, so the engine
//! thread that calls it between batches never stalls intake for long.

use super::keys::{
    closed_key, conversation_key, customer_key, delivery_key, event_key, history_key, open_key, outbound_key,
    provider_key, reference_key, seen_key,
};
use super::layout::history;
use super::{KvStore, Result, WriteSet};
use smsdesk_core::event::Event;
use smsdesk_core::ids::{ConversationId, Timestamp};

/// Set once every closed conversation has its `z/` entry (stores written
/// before the index existed are indexed by `stage_backfill`).
pub const INDEXED: &[u8] = b"m/closed-indexed";

/// Stages `z/` entries for the closed conversations among the next
/// `limit` records after `after` (by id); where to go on from, or `None`
/// when done (the marker `INDEXED` is then staged too).
pub fn stage_backfill(
    store: &dyn KvStore,
    after: Option<ConversationId>,
    limit: usize,
    writes: &mut WriteSet,
) -> Result<Option<ConversationId>> {
    let (page, more) = super::layout::conversations_after(store, after, limit)?;
    for c in &page {
        if let smsdesk_core::model::Phase::Closed { at, .. } = c.phase {
            writes.put(closed_key(at, c.id), Vec::new());
        }
    }
    if !more {
        writes.put(INDEXED.to_vec(), Vec::new());
        return Ok(None);
    }
    Ok(page.last().map(|c| c.id))
}

/// What one step erased.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Erased {
    pub conversations: usize,
    pub keys: usize,
    /// Closed conversations still in memory (a reply pending), left for a later run.
    pub deferred: usize,
    /// Whether the step stopped at `limit`: there may be more.
    pub more: bool,
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
    let rows = store.scan_range(&from, &to, limit)?;
    erased.more = rows.len() == limit;
    for (k, _) in rows {
        let Some(id) = k.get(10..18).and_then(|b| <[u8; 8]>::try_from(b).ok()) else {
            continue;
        };
        let id = ConversationId(u64::from_be_bytes(id));
        if keep(id) || store.get(&open_key(id))?.is_some() {
            // Still in memory (a reply pending): not erased yet. Its `z/`
            // entry moves to the cutoff, past this run's range, so it no
            // longer stands in front of the others; a later run (with a
            // later cutoff) looks at it again. Its record keeps the real time.
            writes.delete(k.clone());
            writes.put(closed_key(cutoff, id), Vec::new());
            erased.deferred += 1;
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
