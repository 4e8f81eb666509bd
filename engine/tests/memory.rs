//! What the engine keeps in memory, and what it reads back from the store:
//! a conversation keeps only its pending replies, de-duplication keys leave
//! memory with their commit, and nothing a user relies on is lost by that —
//! late delivery reports, replies handed in again, carrier retries, and
//! stores written before delivery records had their own keys.
#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

mod common;

use common::*;
use smsdesk_core::command::SendOutcome;
use smsdesk_core::model::{Delivery, Outbound};
use smsdesk_core::*;
use smsdesk_engine::store::{layout, KvStore, MemoryStore, WriteSet};

fn reply(
    d: &mut Desk<impl smsdesk_engine::store::KvStore>,
    c: ConversationId,
    body: &str,
    reference: Option<&str>,
) -> Vec<Event> {
    d.ok(Command::Reply {
        agent: bob(),
        conversation: c,
        body: body.to_owned(),
        reference: reference.map(str::to_owned),
        media: Vec::new(),
        canned: None,
    })
}

fn reply_id(d: &mut Desk<impl smsdesk_engine::store::KvStore>, c: ConversationId, body: &str) -> MessageId {
    match reply(d, c, body, None).first() {
        Some(Event::ReplyAccepted { message_id, .. }) => *message_id,
        other => panic!("no reply accepted: {other:?}"),
    }
}

fn sent(d: &mut Desk<impl smsdesk_engine::store::KvStore>, m: MessageId) {
    d.ok(Command::RecordSendOutcome {
        message: m,
        outcome: SendOutcome::Sent {
            provider_id: format!("SMp{}", m.0),
        },
    });
}

fn delivered(m: MessageId) -> Command {
    Command::RecordDelivery {
        carrier: CarrierName::from("twilio"),
        provider_id: format!("SMp{}", m.0),
        status: Delivery::Delivered,
        error_code: None,
        opted_out: false,
    }
}

fn status(d: &Desk<impl smsdesk_engine::store::KvStore>, m: MessageId) -> Delivery {
    d.engine.delivery(m).unwrap().unwrap().outbound.status
}

#[test]
fn a_long_conversation_keeps_only_its_pending_replies_in_memory() {
    let mut d = Desk::new();
    let c = d.active_with(&bob());
    let mut ids = Vec::new();
    for i in 0..50 {
        let m = reply_id(&mut d, c, &format!("reply {i}"));
        sent(&mut d, m);
        ids.push(m);
    }
    let pending = reply_id(&mut d, c, "one more");
    let conv = d.state().conversation(c).unwrap();
    assert_eq!(conv.outbound_count, 51);
    assert_eq!(conv.outbound.keys().copied().collect::<Vec<_>>(), vec![pending]);
    // Every record is still one question away.
    assert!(ids.iter().all(|m| status(&d, *m) == Delivery::Sent));
    assert_eq!(status(&d, pending), Delivery::Pending);
}

#[test]
fn delivery_reports_on_older_replies_are_read_back_and_recorded() {
    let mut d = Desk::new();
    let c = d.active_with(&bob());
    let first = reply_id(&mut d, c, "first");
    sent(&mut d, first);
    let second = reply_id(&mut d, c, "second");
    sent(&mut d, second);
    assert!(d.state().delivery(first).is_none(), "left memory with its commit");
    let events = d.ok(delivered(first));
    assert!(matches!(
        events.as_slice(),
        [Event::DeliveryUpdated { message_id, status: Delivery::Delivered, .. }] if *message_id == first
    ));
    assert_eq!(status(&d, first), Delivery::Delivered);
    // A duplicate or older report changes nothing.
    assert!(d.ok(delivered(first)).is_empty());
    assert_eq!(status(&d, second), Delivery::Sent);
}

#[test]
fn a_delivery_report_after_the_conversation_closed_is_still_recorded() {
    let mut d = Desk::new();
    let c = d.active_with(&bob());
    let m = reply_id(&mut d, c, "bye");
    sent(&mut d, m);
    d.ok(Command::End {
        agent: bob(),
        conversation: c,
    });
    d.ok(Command::Wrapup {
        agent: bob(),
        conversation: c,
        choice: Some("1".into()),
    });
    assert!(d.state().conversation(c).is_none(), "forgotten once closed");
    d.ok(delivered(m));
    assert_eq!(status(&d, m), Delivery::Delivered);
    let history = d.engine.history(c).unwrap();
    assert!(matches!(
        history.last().map(|r| &r.event),
        Some(Event::DeliveryUpdated {
            status: Delivery::Delivered,
            ..
        })
    ));
}

#[test]
fn a_reply_handed_in_again_is_one_reply_even_after_it_left_memory_and_a_restart() {
    let store = MemoryStore::new();
    let t0 = Timestamp(1_700_000_000_000);
    let mut d = Desk::open(store.clone(), t0);
    let c = d.active_with(&bob());
    let reference = "!room:example.com $event1";
    let m = match reply(&mut d, c, "on it", Some(reference)).first() {
        Some(Event::ReplyAccepted { message_id, .. }) => *message_id,
        other => panic!("{other:?}"),
    };
    assert!(reply(&mut d, c, "on it", Some(reference)).is_empty(), "pending");
    sent(&mut d, m);
    assert!(reply(&mut d, c, "on it", Some(reference)).is_empty(), "sent");
    drop(d);
    let mut d = Desk::open(store, t0);
    assert!(reply(&mut d, c, "on it", Some(reference)).is_empty(), "after a restart");
    assert_eq!(d.state().conversation(c).unwrap().outbound_count, 1);
    // Another reference is another reply.
    assert_eq!(reply(&mut d, c, "more", Some("!room:example.com $event2")).len(), 1);
}

#[test]
fn a_carrier_retry_is_a_duplicate_long_after_the_key_left_memory() {
    let store = MemoryStore::new();
    let t0 = Timestamp(1_700_000_000_000);
    let mut d = Desk::open(store.clone(), t0);
    let first = d.sms_with_id(CUST, LONG, "hello", "SMretry");
    assert!(!first.duplicate);
    assert!(d
        .state()
        .seen(&CarrierName::from("twilio"), &"SMretry".into())
        .is_none());
    d.advance(3 * 24 * 3600);
    assert!(d.sms_with_id(CUST, LONG, "hello", "SMretry").duplicate);
    drop(d);
    let mut d = Desk::open(store, t0);
    assert!(d.sms_with_id(CUST, LONG, "hello", "SMretry").duplicate);
}

#[test]
fn a_store_from_before_moves_finished_delivery_records_out_of_conversations() {
    let store = MemoryStore::new();
    let t0 = Timestamp(1_700_000_000_000);
    let mut d = Desk::open(store.clone(), t0);
    let c = d.active_with(&bob());
    let m = reply_id(&mut d, c, "hello");
    sent(&mut d, m);
    drop(d);
    // Rewrite it the way earlier versions stored it: every reply inside the
    // conversation record, no delivery record, no provider key.
    let mut old = layout::conversation(&store, c).unwrap().unwrap();
    let mut record = Outbound::pending();
    record.status = Delivery::Sent;
    record.provider_id = Some(format!("SMp{}", m.0));
    old.outbound.insert(m, record);
    let mut w = WriteSet::default();
    let mut ckey = b"c/".to_vec();
    ckey.extend_from_slice(&c.0.to_be_bytes());
    w.put(ckey, serde_json::to_vec(&old).unwrap());
    let mut skey = b"s/".to_vec();
    skey.extend_from_slice(&m.0.to_be_bytes());
    w.delete(skey);
    w.delete(format!("p/twilio\0SMp{}", m.0).into_bytes());
    store.commit(&w).unwrap();
    assert!(layout::delivery(&store, m).unwrap().is_none());

    let mut d = Desk::open(store.clone(), t0);
    assert!(d.state().conversation(c).unwrap().outbound.is_empty());
    // The carrier's report finds it, and from then on it lives under its own key.
    d.ok(delivered(m));
    drop(d);
    assert_eq!(
        layout::delivery(&store, m).unwrap().unwrap().outbound.status,
        Delivery::Delivered
    );
    assert!(layout::conversation(&store, c).unwrap().unwrap().outbound.is_empty());
}
