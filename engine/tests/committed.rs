//! What the committer tells its followers after each commit
//! (`committer::Committed`): the next sequence number, and whether the
//! commit put an SMS in the outbox, so the outbox reads the store only
//! when there is a new reply for it (on PostgreSQL a read is a snapshot's
//! three statements; an inbound SMS needs none).
#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

mod common;

use std::sync::mpsc::channel;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use smsdesk_core::*;
use smsdesk_engine::clock::SystemClock;
use smsdesk_engine::committer::{Committed, Committer, Options};

#[test]
fn a_commit_says_whether_it_queued_an_sms_for_the_outbox() {
    let mut d = Desk::new();
    let c = d.active_with(&bob());
    let (tx, rx) = channel();
    let tx = Mutex::new(tx);
    let options = Options {
        on_commit: Some(Box::new(move |committed: Committed| {
            tx.lock().unwrap().send(committed).unwrap();
        })),
        ..Options::default()
    };
    let committer = Arc::new(Committer::spawn(d.engine, Arc::new(SystemClock), options));
    let said = || rx.recv_timeout(Duration::from_secs(5)).unwrap();

    let sms = |sid: &str, to: &str, body: &str| {
        Command::ReceiveSms(InboundSms {
            carrier: CarrierName::from("twilio"),
            carrier_message_id: CarrierMessageId::from(sid),
            from: CustomerNumber::from(CUST),
            to: EntryNumber::parse(to).unwrap(),
            body: body.to_owned(),
            media: Vec::new(),
        })
    };
    committer
        .execute(sms("SMnew1", LONG, "are you there?"))
        .unwrap()
        .unwrap();
    let inbound = said();
    assert!(!inbound.outbound, "an inbound SMS queues nothing to send");

    let reply = Command::Reply {
        agent: bob(),
        conversation: c,
        body: "Yes, looking at it now.".into(),
        reference: None,
        media: Vec::new(),
        canned: None,
    };
    committer.execute(reply).unwrap().unwrap();
    let replied = said();
    assert!(replied.outbound, "an agent's reply is for the outbox");
    assert!(replied.next_seq > inbound.next_seq);
}
