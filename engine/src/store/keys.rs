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

/// The number of a key `<prefix><number: 8 bytes BE>` (an event's
/// `e/<seq>`, an outbox entry's `o/<message>`), if `key` is one.
pub(super) fn numbered(prefix: &[u8], key: &[u8]) -> Option<u64> {
    let n: [u8; 8] = key.strip_prefix(prefix)?.try_into().ok()?;
    Some(u64::from_be_bytes(n))
}

/// The key `<prefix><number: 8 bytes BE>`.
pub(super) fn numbered_key(prefix: &[u8], n: u64) -> Vec<u8> {
    let mut k = prefix.to_vec();
    k.extend_from_slice(&n.to_be_bytes());
    k
}

/// The conversation and sequence number of a history key
/// (`h/<conversation><seq>`), if `key` is one.
pub(super) fn history_parts(key: &[u8]) -> Option<(u64, u64)> {
    let rest = key.strip_prefix(b"h/")?;
    let conversation: [u8; 8] = rest.get(..8)?.try_into().ok()?;
    let seq: [u8; 8] = rest.get(8..)?.try_into().ok()?;
    Some((u64::from_be_bytes(conversation), u64::from_be_bytes(seq)))
}

/// Where a scan from `from` meets the keys `<prefix><number: 8 bytes BE>…`:
/// the first number whose keys may be at or after `from` (keys of that
/// number may still fall before it: callers compare each key), or `None`
/// when `from` is past all of them.
pub(super) fn first_number_from(prefix: &[u8], from: &[u8]) -> Option<u64> {
    let mut first = prefix.to_vec();
    first.extend_from_slice(&[0; 8]);
    if from <= first.as_slice() {
        return Some(0);
    }
    // Past the first key without the prefix: past them all.
    let tail = from.strip_prefix(prefix)?;
    let mut raw = [0u8; 8];
    let n = tail.len().min(8);
    raw[..n].copy_from_slice(&tail[..n]);
    Some(u64::from_be_bytes(raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_meet_the_numbered_keys_where_the_keys_say() {
        assert_eq!(numbered(b"e/", &event_key(7)), Some(7));
        assert_eq!(numbered(b"o/", &outbound_key(MessageId(7))), Some(7));
        assert_eq!(numbered_key(b"o/", 7), outbound_key(MessageId(7)));
        assert_eq!(numbered(b"e/", b"e/short"), None);
        assert_eq!(numbered(b"e/", b"h/12345678"), None);
        let h = history_key(ConversationId(3), 9);
        assert_eq!(history_parts(&h), Some((3, 9)));
        assert_eq!(history_parts(&event_key(3)), None);
        assert_eq!(history_parts(b"h/123456789"), None);
        assert_eq!(first_number_from(b"e/", b""), Some(0));
        assert_eq!(first_number_from(b"e/", b"c/"), Some(0));
        assert_eq!(first_number_from(b"e/", b"e/"), Some(0));
        assert_eq!(first_number_from(b"e/", &event_key(9)), Some(9));
        let mut past_nine = event_key(9);
        past_nine.push(0);
        assert_eq!(
            first_number_from(b"e/", &past_nine),
            Some(9),
            "keys of 9 may follow: the caller compares"
        );
        assert_eq!(
            first_number_from(b"e/", b"e/\x00\x00\x00\x00\x00\x00\x01"),
            Some(256),
            "a short key pads with zeros"
        );
        assert_eq!(first_number_from(b"e/", b"e0"), None);
        assert_eq!(first_number_from(b"e/", b"h/"), None);
        assert_eq!(first_number_from(b"h/", b"h/"), Some(0));
        assert_eq!(first_number_from(b"h/", &h), Some(3));
    }
}
