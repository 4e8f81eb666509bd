//! The store's keys: one prefix per kind of record (the table in
//! `layout`), numbers big-endian so keys sort as the numbers do.

use smsdesk_core::ids::{CarrierName, ConversationId, CustomerNumber, EntryNumber, MessageId, QueueName, Timestamp};

pub(super) const COUNTERS: &[u8] = b"m/counters";
pub(super) const TOTALS: &[u8] = b"m/totals";
pub(super) const IDENTITY: &[u8] = b"m/identity";

pub(super) fn key(prefix: &str, rest: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(prefix.len() + rest.len());
    k.extend_from_slice(prefix.as_bytes());
    k.extend_from_slice(rest);
    k
}

pub fn event_key(seq: u64) -> Vec<u8> {
    key("e/", &seq.to_be_bytes())
}

pub(super) fn history_key(conversation: ConversationId, seq: u64) -> Vec<u8> {
    let mut k = key("h/", &conversation.0.to_be_bytes());
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

pub(super) fn conversation_key(id: ConversationId) -> Vec<u8> {
    key("c/", &id.0.to_be_bytes())
}

pub(super) fn open_key(id: ConversationId) -> Vec<u8> {
    key("co/", &id.0.to_be_bytes())
}

pub(super) fn agent_key(id: &smsdesk_core::ids::AgentId) -> Vec<u8> {
    key("a/", id.as_str().as_bytes())
}

pub(super) fn seen_key(carrier: &CarrierName, id: &smsdesk_core::ids::CarrierMessageId) -> Vec<u8> {
    let mut k = key("d/", carrier.as_str().as_bytes());
    k.push(0);
    k.extend_from_slice(id.as_str().as_bytes());
    k
}

pub fn outbound_key(id: MessageId) -> Vec<u8> {
    key("o/", &id.0.to_be_bytes())
}

pub fn pending_sms_key(id: MessageId) -> Vec<u8> {
    key("q/sms/", &id.0.to_be_bytes())
}

pub(super) fn delivery_key(id: MessageId) -> Vec<u8> {
    key("s/", &id.0.to_be_bytes())
}

pub(super) fn provider_key(carrier: &CarrierName, provider_id: &str) -> Vec<u8> {
    let mut k = key("p/", carrier.as_str().as_bytes());
    k.push(0);
    k.extend_from_slice(provider_id.as_bytes());
    k
}

pub(super) fn reference_key(conversation: ConversationId, reference: &str) -> Vec<u8> {
    let mut k = key("r/", &conversation.0.to_be_bytes());
    k.extend_from_slice(reference.as_bytes());
    k
}

pub(super) fn opt_out_key(entry: &EntryNumber, customer: &CustomerNumber) -> Vec<u8> {
    let mut k = key("x/", entry.as_str().as_bytes());
    k.push(0);
    k.extend_from_slice(customer.as_str().as_bytes());
    k
}

pub(super) fn last_handled_key(customer: &CustomerNumber, queue: &QueueName) -> Vec<u8> {
    let mut k = key("l/", customer.as_str().as_bytes());
    k.push(0);
    k.extend_from_slice(queue.as_str().as_bytes());
    k
}

/// The two halves of a key `<prefix><a>\0<b>`, as text.
pub(super) fn split_pair(k: &[u8]) -> (String, String) {
    let rest = &k[2..];
    let split = rest.iter().position(|b| *b == 0).unwrap_or(rest.len());
    (
        String::from_utf8_lossy(&rest[..split]).into_owned(),
        String::from_utf8_lossy(rest.get(split + 1..).unwrap_or(&[])).into_owned(),
    )
}

/// `z/<closed at><conversation>`: closed conversations, oldest first.
pub(super) fn closed_key(at: Timestamp, id: ConversationId) -> Vec<u8> {
    let mut k = b"z/".to_vec();
    k.extend_from_slice(&at.0.to_be_bytes());
    k.extend_from_slice(&id.0.to_be_bytes());
    k
}

pub(super) fn customer_key(customer: &CustomerNumber, id: ConversationId) -> Vec<u8> {
    let mut k = key("k/", customer.as_str().as_bytes());
    k.push(0);
    k.extend_from_slice(&id.0.to_be_bytes());
    k
}
