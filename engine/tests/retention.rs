//! `storage.retention`: closed conversations older than the cutoff are
//! erased with everything kept about them; newer ones, open ones and the
//! day's figures stay; the engine goes on as before.
#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

mod common;

use common::*;
use smsdesk_core::command::SendOutcome;
use smsdesk_core::*;
use smsdesk_engine::store::{layout, KvStore};

/// Every key of the store that mentions conversation `c` or its replies.
fn keys_of(d: &Desk<impl smsdesk_engine::store::KvStore>, c: ConversationId) -> Vec<String> {
    let mut out = Vec::new();
    for (k, _) in d.engine.store().scan_prefix(b"").unwrap() {
        let text = String::from_utf8_lossy(&k).into_owned();
        let id = c.0.to_be_bytes();
        let about = match &k[..2] {
            b"c/" | b"h/" | b"r/" => k.get(2..10) == Some(&id[..]),
            b"z/" => k.get(10..18) == Some(&id[..]),
            b"k/" => k.ends_with(&id),
            _ => false,
        };
        if about {
            out.push(text);
        }
    }
    out
}

/// A conversation with an SMS, a sent and delivered reply, closed at wrap-up.
fn closed_conversation(
    d: &mut Desk<impl smsdesk_engine::store::KvStore>,
    customer: &str,
) -> (ConversationId, MessageId) {
    let c = d.sms(customer, LONG, "hello");
    d.accept(&bob(), c);
    let events = d.ok(Command::Reply {
        agent: bob(),
        conversation: c,
        body: "hi".into(),
        reference: Some(format!("!room $ev{customer}")),
        media: Vec::new(),
        canned: None,
    });
    let Some(Event::ReplyAccepted { message_id, .. }) = events.first() else {
        panic!("{events:?}")
    };
    let m = *message_id;
    d.ok(Command::RecordSendOutcome {
        message: m,
        outcome: SendOutcome::Sent {
            provider_id: format!("SMp{}", m.0),
        },
    });
    d.ok(Command::End {
        agent: bob(),
        conversation: c,
    });
    d.ok(Command::Wrapup {
        agent: bob(),
        conversation: c,
        choice: Some("1".into()),
    });
    (c, m)
}

#[test]
fn old_closed_conversations_go_with_everything_kept_about_them() {
    let mut d = Desk::new();
    d.available(&bob());
    let (old, old_reply) = closed_conversation(&mut d, CUST);
    let old_seq = d.engine.history(old).unwrap()[0].seq;
    d.advance(3 * 86_400);
    d.available(&bob());
    let (recent, _) = closed_conversation(&mut d, CUST2);
    let open = d.sms("+15557770009", LONG, "still here");
    let totals = d.state().totals().clone();
    assert!(!keys_of(&d, old).is_empty());
    let first_sid = CarrierMessageId::from("SM00000000000000000000000000000001");
    let twilio = CarrierName::from("twilio");
    assert!(layout::was_seen(d.engine.store(), &twilio, &first_sid).unwrap());

    // Cutoff: two days ago. Only `old` closed before it.
    let cutoff = Timestamp(d.now.0 - 2 * 86_400_000);
    let erased = d.engine.erase_closed_before(cutoff, 100).unwrap();
    assert_eq!(erased.conversations, 1);
    assert_eq!(keys_of(&d, old), Vec::<String>::new());
    assert!(layout::conversation(d.engine.store(), old).unwrap().is_none());
    assert!(layout::history(d.engine.store(), old).unwrap().is_empty());
    assert!(d.engine.store().get(&layout::event_key(old_seq)).unwrap().is_none());
    assert!(d.engine.delivery(old_reply).unwrap().is_none());
    assert!(layout::message_by_provider(
        d.engine.store(),
        &CarrierName::from("twilio"),
        &format!("SMp{}", old_reply.0)
    )
    .unwrap()
    .is_none());
    assert!(layout::conversations_of(d.engine.store(), &CustomerNumber::from(CUST))
        .unwrap()
        .is_empty());
    assert!(!layout::was_seen(d.engine.store(), &twilio, &first_sid).unwrap());

    // The rest stays, and so do the day's figures.
    assert!(!keys_of(&d, recent).is_empty());
    assert!(layout::history(d.engine.store(), recent).unwrap().len() > 3);
    assert!(d.state().conversation(open).is_some());
    assert_eq!(d.state().totals(), &totals);
    // Nothing more to erase; the engine goes on.
    assert_eq!(d.engine.erase_closed_before(cutoff, 100).unwrap().conversations, 0);
    d.accept(&bob(), open);
}

#[test]
fn a_store_from_before_the_closing_index_is_indexed_then_erased() {
    let mut d = Desk::new();
    d.available(&bob());
    let (old, _) = closed_conversation(&mut d, CUST);
    // As an older smsdesk left it: no `z/` entry for the closed conversation.
    let mut writes = smsdesk_engine::store::WriteSet::default();
    for (k, _) in d.engine.store().scan_prefix(b"z/").unwrap() {
        writes.delete(k);
    }
    d.engine.store().commit(&writes).unwrap();
    d.advance(3 * 86_400);
    let cutoff = Timestamp(d.now.0 - 2 * 86_400_000);
    assert_eq!(d.engine.erase_closed_before(cutoff, 100).unwrap().conversations, 0);

    // Indexed in steps of one record, then erased as usual.
    let (mut after, mut steps) = (None, 0);
    while let Some(next) = d.engine.backfill_closed_index(after, 1).unwrap() {
        after = Some(next);
        steps += 1;
        assert!(steps < 10, "the backfill does not end");
    }
    assert!(d
        .engine
        .store()
        .get(smsdesk_engine::store::retention::INDEXED)
        .unwrap()
        .is_some());
    assert_eq!(d.engine.erase_closed_before(cutoff, 100).unwrap().conversations, 1);
    assert_eq!(keys_of(&d, old), Vec::<String>::new());
    // Once indexed, nothing more to do.
    assert_eq!(d.engine.backfill_closed_index(None, 1).unwrap(), None);
}
