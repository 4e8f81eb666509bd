//! The on-disk layout: one keyspace, records as JSON (readable with any sled
//! dump, and tolerant of added fields), numbers big-endian so keys sort.
//!
//! | key | value |
//! |---|---|
//! | `m/counters` | `Counters` |
//! | `m/totals` | `totals::Totals` — each queue's totals of its day |
//! | `m/identity` | this store's identity: random, written once at creation, so that front ends can tell their cursors belong to this log |
//! | `e/<seq>` | `EventRecord` — the full history, in order (the sled store keeps these in a file of their own, `numbered_file`) |
//! | `h/<conversation><seq>` | empty — index of a conversation's events (the sled store keeps these as a chain through the event file's index, `event_history`) |
//! | `c/<conversation>` | `Conversation` projection (also closed ones) |
//! | `co/<conversation>` | empty — the conversations loaded at start: open ones, and closed ones with a reply still pending |
//! | `a/<agent>` | `Agent` projection |
//! | `d/<carrier>\0<carrier message id>` | `Seen` — inbound de-duplication |
//! | `o/<message>` | `OutboundSms` — every agent reply, as handed to the outbox (the sled store keeps these in a file of their own, `numbered_file`) |
//! | `q/sms/<message>` | empty — replies not yet handed to the carrier |
//! | `s/<message>` | `DeliveryRecord` — each reply's delivery state |
//! | `p/<carrier>\0<carrier's message id>` | message id — finds a reply from a status callback |
//! | `r/<conversation><reference>` | message id — a reply handed in again is recognised |
//! | `x/<entry>\0<customer>` | `OptOut` — a pair that may not be texted |
//! | `l/<customer>\0<queue>` | `Sticky` — who handled the customer's last conversation in the queue (`queues[].sticky`), kept for the longest window |
//! | `k/<customer>\0<conversation>` | empty — a customer's conversations (supervisors' `!history`, export) |
//! | `z/<closed at><conversation>` | empty — closed conversations in closing order (`retention`) |
//!
//! `stage` turns what `apply` marked dirty into a `WriteSet`; `load` rebuilds
//! a `State`. They must stay exact inverses: the property tests check that a
//! loaded state equals the live one. What `load` does not bring into memory
//! (de-duplication keys, finished delivery records) the engine reads here
//! when a command needs it.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::keys::{
    agent_key, closed_key, conversation_key, customer_key, delivery_key, history_key, key, last_handled_key, open_key,
    opt_out_key, provider_key, reference_key, seen_key, split_pair, COUNTERS, IDENTITY, TOTALS,
};
pub use super::keys::{event_key, outbound_key, pending_sms_key};
use super::{KvStore, Lookup, Result, StoreError, WriteSet};
use smsdesk_core::event::{Event, EventRecord};
use smsdesk_core::ids::{CarrierName, ConversationId, CustomerNumber, EntryNumber, MessageId, QueueName, Timestamp};
use smsdesk_core::model::DeliveryRecord;
use smsdesk_core::setup::Setup;
use smsdesk_core::state::{Counters, LastHandled, State};

fn decode_message_id(key: &[u8], bytes: &[u8]) -> Result<MessageId> {
    let raw: [u8; 8] = bytes.try_into().map_err(|_| StoreError::Corrupt {
        key: String::from_utf8_lossy(key).into_owned(),
        message: format!("expected an 8-byte message id, found {} bytes", bytes.len()),
    })?;
    Ok(MessageId(u64::from_be_bytes(raw)))
}

fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    // Our own types serialize infallibly to JSON (no non-string map keys).
    serde_json::to_vec(value).unwrap_or_default()
}

fn decode<T: DeserializeOwned>(key: &[u8], bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt {
        key: String::from_utf8_lossy(key).into_owned(),
        message: e.to_string(),
    })
}

/// Delivery state of an outbound SMS. Only moves forward.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum DeliveryStatus {
    /// Accepted from the agent, not yet acknowledged by the carrier.
    Pending,
    Sent {
        provider_id: String,
    },
    Delivered {
        provider_id: String,
    },
    Failed {
        code: Option<String>,
        message: String,
    },
}

/// One agent reply on its way to the customer: the SMS outbox entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboundSms {
    pub message_id: MessageId,
    pub conversation: ConversationId,
    pub carrier: CarrierName,
    pub from: EntryNumber,
    pub to: CustomerNumber,
    pub body: String,
    /// Attachments (`Command::Reply::media`), sent with `body` as one MMS.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media: Vec<String>,
    pub accepted_at: Timestamp,
}

/// Stages everything `records` changed into `writes`. Call after `apply`ing
/// them. Returns the conversations that are finished (closed, nothing
/// pending): once the writes are durable they may leave memory.
pub fn stage(state: &mut State, records: &[EventRecord], writes: &mut WriteSet) -> Vec<ConversationId> {
    for r in records {
        writes.put(event_key(r.seq), encode(r));
        match &r.event {
            Event::ConversationOpened {
                conversation, customer, ..
            } => {
                writes.put(open_key(*conversation), Vec::new());
                writes.put(customer_key(customer, *conversation), Vec::new());
            }
            // Handed over or given up: no longer the outbox worker's business.
            Event::SmsSent { message_id, .. } | Event::SmsFailed { message_id, .. } => {
                writes.delete(pending_sms_key(*message_id))
            }
            _ => {}
        }
        if let Some(c) = r.event.conversation() {
            writes.put(history_key(c, r.seq), Vec::new());
        }
        stage_outbound(state, r, writes);
    }
    let dirty = state.take_dirty();
    for m in &dirty.changed_deliveries {
        let Some(record) = dirty.deliveries.get(*m).cloned().or_else(|| state.delivery(*m)) else {
            continue;
        };
        if let Some(p) = &record.outbound.provider_id {
            writes.put(provider_key(&record.carrier, p), m.0.to_be_bytes().to_vec());
        }
        if let Some(r) = &record.outbound.reference {
            writes.put(reference_key(record.conversation, r), m.0.to_be_bytes().to_vec());
        }
        writes.put(delivery_key(*m), encode(&record));
    }
    let mut finished = Vec::new();
    for id in dirty.conversations {
        if let Some(c) = state.conversation(id) {
            writes.put(conversation_key(id), encode(c));
            if let smsdesk_core::model::Phase::Closed { at, .. } = c.phase {
                writes.put(closed_key(at, id), Vec::new());
            }
            // Loaded at start while open, or closed with a reply still pending.
            if c.is_finished() {
                writes.delete(open_key(id));
                finished.push(id);
            }
        }
    }
    for id in dirty.agents {
        if let Some(a) = state.agent(&id) {
            writes.put(agent_key(&id), encode(a));
        }
    }
    for (entry, customer) in &dirty.opt_outs {
        match state.opt_out(entry, customer) {
            Some(o) => writes.put(opt_out_key(entry, customer), encode(o)),
            None => writes.delete(opt_out_key(entry, customer)),
        }
    }
    for (customer, queue) in &dirty.last_handled {
        match state.last_handled(customer, queue) {
            Some(last) => writes.put(last_handled_key(customer, queue), encode(last)),
            None => writes.delete(last_handled_key(customer, queue)),
        }
    }
    for ((carrier, id), s) in &dirty.seen {
        writes.put(seen_key(carrier, id), encode(s));
    }
    writes.put(COUNTERS.to_vec(), encode(&state.counters));
    if dirty.totals {
        writes.put(TOTALS.to_vec(), encode(state.totals()));
    }
    finished
}

/// Whether `event` puts an SMS in the outbox (`stage_outbound`): for
/// waking the outbox only when there is something new for it.
pub fn is_outbound(event: &Event) -> bool {
    outgoing(event).is_some()
}

/// The SMS `event` puts in the outbox, if any: agents' replies and
/// smsdesk's own texts go through the same outbox.
fn outgoing(event: &Event) -> Option<(&ConversationId, &MessageId, &String, &[String])> {
    match event {
        Event::ReplyAccepted {
            conversation,
            message_id,
            body,
            media,
            ..
        } => Some((conversation, message_id, body, media.as_slice())),
        Event::AutoReplied {
            conversation,
            message_id,
            body,
            ..
        } => Some((conversation, message_id, body, &[][..])),
        _ => None,
    }
}

/// Stages the outbound SMS `r` accepted, if any, and marks it pending.
fn stage_outbound(state: &State, r: &EventRecord, writes: &mut WriteSet) {
    let outgoing = outgoing(&r.event);
    if let Some((conversation, message_id, body, media)) = outgoing {
        if let Some(c) = state.conversation(*conversation) {
            let sms = OutboundSms {
                message_id: *message_id,
                conversation: *conversation,
                carrier: c.carrier.clone(),
                from: c.entry.clone(),
                to: c.customer.clone(),
                body: body.clone(),
                media: media.to_vec(),
                accepted_at: r.at,
            };
            writes.put(outbound_key(*message_id), encode(&sms));
            writes.put(pending_sms_key(*message_id), Vec::new());
        }
    }
}

/// Rebuilds the state: counters, agents and open conversations.
pub fn load(store: &dyn KvStore, setup: Setup) -> Result<State> {
    let counters: Counters = match store.get(COUNTERS)? {
        Some(bytes) => decode(COUNTERS, &bytes)?,
        None => Counters::default(),
    };
    let mut agents = BTreeMap::new();
    for (k, v) in store.scan_prefix(b"a/")? {
        let id = smsdesk_core::ids::AgentId::new(String::from_utf8_lossy(&k[2..]).into_owned());
        agents.insert(id, decode(&k, &v)?);
    }
    let mut conversations = BTreeMap::new();
    for (k, _) in store.scan_prefix(b"co/")? {
        let ck = key("c/", &k[3..]);
        let bytes = store.get(&ck)?.ok_or_else(|| StoreError::Corrupt {
            key: String::from_utf8_lossy(&ck).into_owned(),
            message: "open conversation index points to a missing record".to_owned(),
        })?;
        let c: smsdesk_core::model::Conversation = decode(&ck, &bytes)?;
        conversations.insert(c.id, c);
    }
    let mut opt_outs = BTreeMap::new();
    for (k, v) in store.scan_prefix(b"x/")? {
        let (entry, customer) = split_pair(&k);
        let entry = EntryNumber::parse(&entry).map_err(|e| StoreError::Corrupt {
            key: String::from_utf8_lossy(&k).into_owned(),
            message: e.to_string(),
        })?;
        opt_outs.insert((entry, CustomerNumber::new(customer)), decode(&k, &v)?);
    }
    let mut last_handled = BTreeMap::new();
    for (k, v) in store.scan_prefix(b"l/")? {
        let (customer, queue) = split_pair(&k);
        last_handled.insert((CustomerNumber::new(customer), QueueName::new(queue)), decode(&k, &v)?);
    }
    let totals = match store.get(TOTALS)? {
        Some(bytes) => decode(TOTALS, &bytes)?,
        None => smsdesk_core::totals::Totals::default(),
    };
    Ok(State::from_parts(
        setup,
        agents,
        conversations,
        opt_outs,
        counters,
        totals,
        LastHandled::from_records(last_handled),
    ))
}

/// Whether a carrier message id was ever stored (beyond the in-memory window).
pub fn was_seen(
    store: &(impl Lookup + ?Sized),
    carrier: &CarrierName,
    id: &smsdesk_core::ids::CarrierMessageId,
) -> Result<bool> {
    Ok(store.lookup(&seen_key(carrier, id))?.is_some())
}

/// A customer's conversations, oldest first (those opened by this version
/// on; older ones are not indexed).
pub fn conversations_of(store: &dyn KvStore, customer: &CustomerNumber) -> Result<Vec<ConversationId>> {
    let mut prefix = key("k/", customer.as_str().as_bytes());
    prefix.push(0);
    Ok(store
        .scan_prefix(&prefix)?
        .into_iter()
        .filter_map(|(k, _)| {
            let id: [u8; 8] = k.get(prefix.len()..)?.try_into().ok()?;
            Some(ConversationId(u64::from_be_bytes(id)))
        })
        .collect())
}

/// A reply's delivery record.
pub fn delivery(store: &(impl Lookup + ?Sized), message: MessageId) -> Result<Option<DeliveryRecord>> {
    let k = delivery_key(message);
    store.lookup(&k)?.map(|v| decode(&k, &v)).transpose()
}

/// The reply a carrier's message id refers to.
pub fn message_by_provider(
    store: &(impl Lookup + ?Sized),
    carrier: &CarrierName,
    provider_id: &str,
) -> Result<Option<MessageId>> {
    let k = provider_key(carrier, provider_id);
    store.lookup(&k)?.map(|v| decode_message_id(&k, &v)).transpose()
}

/// The reply of `conversation` that a front end handed in with `reference`.
pub fn reply_by_reference(
    store: &(impl Lookup + ?Sized),
    conversation: ConversationId,
    reference: &str,
) -> Result<Option<MessageId>> {
    let k = reference_key(conversation, reference);
    store.lookup(&k)?.map(|v| decode_message_id(&k, &v)).transpose()
}

/// Every event of one conversation, oldest first; closed conversations included.
pub fn history(store: &dyn KvStore, conversation: ConversationId) -> Result<Vec<EventRecord>> {
    let prefix = key("h/", &conversation.0.to_be_bytes());
    let events: Vec<Vec<u8>> = store
        .scan_prefix(&prefix)?
        .iter()
        .map(|(k, _)| {
            let mut seq = [0u8; 8];
            seq.copy_from_slice(&k[k.len() - 8..]);
            event_key(u64::from_be_bytes(seq))
        })
        .collect();
    let values = store.get_many(&events)?;
    events
        .iter()
        .zip(values)
        .map(|(ek, bytes)| {
            let bytes = bytes.ok_or_else(|| StoreError::Corrupt {
                key: String::from_utf8_lossy(ek).into_owned(),
                message: "history index points to a missing event".to_owned(),
            })?;
            decode(ek, &bytes)
        })
        .collect()
}

/// Up to `limit` conversation records (open or closed) with ids after
/// `after`, in id order, read in one range scan; and whether there may be
/// more (the page was full). For paging through every conversation.
pub fn conversations_after(
    store: &dyn KvStore,
    after: Option<ConversationId>,
    limit: usize,
) -> Result<(Vec<smsdesk_core::model::Conversation>, bool)> {
    let from = conversation_key(ConversationId(after.map_or(0, |a| a.0.saturating_add(1))));
    let rows = store.scan_range(&from, &conversation_key(ConversationId(u64::MAX)), limit)?;
    let more = rows.len() == limit;
    let records = rows.iter().map(|(k, v)| decode(k, v)).collect::<Result<Vec<_>>>()?;
    Ok((records, more))
}

/// A conversation record, open or closed.
pub fn conversation(store: &dyn KvStore, id: ConversationId) -> Result<Option<smsdesk_core::model::Conversation>> {
    let k = conversation_key(id);
    store.get(&k)?.map(|v| decode(&k, &v)).transpose()
}

/// Up to `limit` events with a sequence number of at least `from`: the feed
/// that front ends follow with a persisted cursor.
pub fn events_from(store: &dyn KvStore, from: u64, limit: usize) -> Result<Vec<EventRecord>> {
    store
        .scan_range(&event_key(from), b"e0", limit)
        .and_then(|rows| rows.iter().map(|(k, v)| decode(k, v)).collect())
}

/// This store's identity, created (and committed) on first use. A new or
/// restored store has another identity than the one a front end's cursor
/// was saved against.
pub fn identity(store: &dyn KvStore) -> Result<String> {
    if let Some(bytes) = store.get(IDENTITY)? {
        return Ok(String::from_utf8_lossy(&bytes).into_owned());
    }
    let id = new_identity();
    let mut w = WriteSet::default();
    w.put(IDENTITY.to_vec(), id.as_bytes().to_vec());
    store.commit(&w)?;
    Ok(id)
}

/// 128 random bits as hex, from the standard library's randomly keyed hasher
/// (no random-number crate in the core).
fn new_identity() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut out = String::new();
    for _ in 0..2 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(crate::clock::now().0.into());
        h.write_u32(std::process::id());
        out.push_str(&format!("{:016x}", h.finish()));
    }
    out
}

/// Replies not yet handed to the carrier, oldest first.
pub fn pending_sms(store: &dyn KvStore, limit: usize) -> Result<Vec<OutboundSms>> {
    pending_sms_after(store, None, limit)
}

/// Replies not yet handed to the carrier whose message id is above `after`,
/// oldest first: message ids only grow, so a reader that remembers the last
/// id it saw reads only what is new.
pub fn pending_sms_after(store: &dyn KvStore, after: Option<MessageId>, limit: usize) -> Result<Vec<OutboundSms>> {
    let start = match after {
        Some(id) => match id.0.checked_add(1) {
            Some(next) => pending_sms_key(MessageId(next)),
            None => return Ok(Vec::new()),
        },
        None => b"q/sms/".to_vec(),
    };
    let records: Vec<Vec<u8>> = store
        .scan_range(&start, b"q/sms0", limit)?
        .iter()
        .map(|(k, _)| key("o/", &k[6..]))
        .collect();
    let values = store.get_many(&records)?;
    records
        .iter()
        .zip(values)
        .filter_map(|(ok, v)| v.map(|v| decode(ok, &v)))
        .collect()
}
