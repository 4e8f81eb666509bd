//! The pipelined committer (a store with a writer of its own, as on
//! PostgreSQL): callers hear of a command only once its commit is durable,
//! in order; a batch reads what an earlier batch still on its way wrote;
//! a failed commit refuses that batch and every later one, and writes
//! nothing more.
#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

mod common;

use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{bob, Desk, CUST, LONG};
use smsdesk_core::command::SendOutcome;
use smsdesk_core::model::Delivery;
use smsdesk_core::routing::Routers;
use smsdesk_core::*;
use smsdesk_engine::clock::SystemClock;
use smsdesk_engine::committer::{Committer, Options, Reply};
use smsdesk_engine::store::{KvStore, MemoryStore, Result, StoreError, WriteSet, Writer};
use smsdesk_engine::*;

/// A memory store whose writer commits only when the test allows it
/// (`Ok`), or fails (`Err`).
struct Gated {
    store: MemoryStore,
    permits: Mutex<Option<Receiver<Result<(), String>>>>,
}

struct GatedWriter {
    store: MemoryStore,
    permits: Receiver<Result<(), String>>,
}

impl Writer for GatedWriter {
    fn commit(&mut self, writes: &WriteSet) -> Result<()> {
        match self.permits.recv() {
            Ok(Ok(())) => self.store.commit(writes),
            Ok(Err(why)) => Err(StoreError::Database(why)),
            Err(_) => Err(StoreError::Database("the test is over".into())),
        }
    }
}

impl KvStore for Gated {
    fn commit(&self, writes: &WriteSet) -> Result<()> {
        self.store.commit(writes)
    }
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.store.get(key)
    }
    fn scan_prefix(&self, prefix: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        self.store.scan_prefix(prefix)
    }
    fn scan_range(&self, from: &[u8], to: &[u8], limit: usize) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        self.store.scan_range(from, to, limit)
    }
    fn syncs(&self) -> u64 {
        self.store.syncs()
    }
    fn writer(&self) -> Result<Option<Box<dyn Writer>>> {
        let permits = self.permits.lock().unwrap().take().expect("one writer");
        Ok(Some(Box::new(GatedWriter {
            store: self.store.clone(),
            permits,
        })))
    }
}

fn sms(sid: &str, customer: &str) -> Command {
    Command::ReceiveSms(InboundSms {
        carrier: CarrierName::from("twilio"),
        carrier_message_id: CarrierMessageId::from(sid),
        from: CustomerNumber::from(customer),
        to: EntryNumber::parse(LONG).unwrap(),
        body: format!("hello from {sid}"),
        media: Vec::new(),
    })
}

/// A committer on a gated store, the memory store behind it, the gate,
/// and the sequence numbers `on_commit` was called with.
struct Rig {
    committer: Committer<Gated>,
    memory: MemoryStore,
    gate: mpsc::Sender<Result<(), String>>,
    commits: Arc<Mutex<Vec<u64>>>,
}

fn gated_committer() -> Rig {
    let memory = MemoryStore::new();
    let (gate, permits) = mpsc::channel();
    let store = Gated {
        store: memory.clone(),
        permits: Mutex::new(Some(permits)),
    };
    let engine = Engine::open(store, common::setup(), Routers::default()).unwrap();
    let commits = Arc::new(Mutex::new(Vec::new()));
    let seen = commits.clone();
    let options = Options {
        on_commit: Some(Box::new(move |next_seq| seen.lock().unwrap().push(next_seq))),
        ..Options::default()
    };
    Rig {
        committer: Committer::spawn(engine, Arc::new(SystemClock), options),
        memory,
        gate,
        commits,
    }
}

/// Submits `command`; its answer arrives on the returned channel, and its
/// name is logged in `order` when answered.
fn submit(
    committer: &Committer<Gated>,
    command: Command,
    name: &'static str,
    order: &Arc<Mutex<Vec<&'static str>>>,
) -> Receiver<Reply> {
    let (tx, rx) = mpsc::channel();
    let order = order.clone();
    committer.submit(command, move |reply| {
        order.lock().unwrap().push(name);
        tx.send(reply).unwrap();
    });
    rx
}

#[test]
fn a_command_is_answered_only_once_its_pipelined_commit_is_durable_and_in_order() {
    let Rig {
        committer,
        memory,
        gate,
        commits,
    } = gated_committer();
    let before = memory.syncs();
    let order = Arc::new(Mutex::new(Vec::new()));
    let first = submit(&committer, sms("SMfirst", CUST), "first", &order);
    assert_eq!(
        first.recv_timeout(Duration::from_millis(300)).err(),
        Some(RecvTimeoutError::Timeout),
        "answered before its commit"
    );
    // The engine thread is free meanwhile: a second SMS is run and waits too.
    let second = submit(&committer, sms("SMsecond", "+15557770002"), "second", &order);
    assert_eq!(
        committer.liveness().busy_for(),
        None,
        "the engine thread waits on the commit instead of taking work"
    );
    assert_eq!(
        second.recv_timeout(Duration::from_millis(100)).err(),
        Some(RecvTimeoutError::Timeout)
    );
    assert_eq!(memory.syncs(), before, "nothing is durable yet");
    assert!(commits.lock().unwrap().is_empty(), "on_commit before the commit");

    gate.send(Ok(())).unwrap();
    gate.send(Ok(())).unwrap();
    let first = first.recv_timeout(Duration::from_secs(5)).unwrap().unwrap().unwrap();
    let second = second.recv_timeout(Duration::from_secs(5)).unwrap().unwrap().unwrap();
    assert!(!first.duplicate && first.conversation().is_some());
    assert!(second.conversation().is_some() && second.conversation() != first.conversation());
    assert_eq!(*order.lock().unwrap(), ["first", "second"]);
    assert!(memory.syncs() > before);

    // A query waits until the store holds what memory does, and then both say two conversations.
    let open = committer.query(|e| e.state().conversation_count()).unwrap();
    assert_eq!(open, 2);
    drop(committer);
    let reopened = Engine::open(memory, common::setup(), Routers::default()).unwrap();
    assert_eq!(reopened.state().conversation_count(), 2);
    let last = *commits.lock().unwrap().last().unwrap();
    assert_eq!(
        last,
        reopened.state().counters.next_seq,
        "on_commit says how far the store is"
    );
}

#[test]
fn a_failed_pipelined_commit_refuses_its_batch_and_every_later_one_and_writes_nothing_more() {
    let Rig {
        committer,
        memory,
        gate,
        commits,
    } = gated_committer();
    let before = memory.syncs();
    let order = Arc::new(Mutex::new(Vec::new()));
    let first = submit(&committer, sms("SMfirst", CUST), "first", &order);
    std::thread::sleep(Duration::from_millis(100));
    let second = submit(&committer, sms("SMsecond", "+15557770002"), "second", &order);
    gate.send(Err("the database went away".into())).unwrap();
    for answer in [first, second] {
        let error = answer.recv_timeout(Duration::from_secs(5)).unwrap().unwrap_err();
        assert!(error.to_string().contains("the database went away"), "{error}");
    }
    // Later commands are refused too, and nothing is committed, ever.
    for _ in 0..10 {
        gate.send(Ok(())).unwrap();
    }
    let third = submit(&committer, sms("SMthird", "+15557770003"), "third", &order);
    let error = third.recv_timeout(Duration::from_secs(5)).unwrap().unwrap_err();
    assert!(error.to_string().contains("the database went away"), "{error}");
    assert!(committer.query(|e| e.stopped().is_some()).unwrap());
    assert_eq!(memory.syncs(), before);
    assert!(commits.lock().unwrap().is_empty());
    drop(committer);
    let reopened = Engine::open(memory, common::setup(), Routers::default()).unwrap();
    assert_eq!(reopened.state().conversation_count(), 0);
}

#[test]
fn a_batch_reads_what_an_earlier_batch_still_on_its_way_wrote() {
    let mut d = Desk::open(MemoryStore::new(), Timestamp(1_700_000_000_000));
    let bob = bob();
    d.available(&bob);
    let c = d.sms(CUST, LONG, "hello");
    d.accept(&bob, c);
    let events = d.ok(Command::Reply {
        agent: bob.clone(),
        conversation: c,
        body: "hi".into(),
        reference: None,
        media: Vec::new(),
        canned: None,
    });
    let Some(Event::ReplyAccepted { message_id, .. }) = events.first() else {
        panic!("{events:?}")
    };
    let m = *message_id;

    // Handed to the carrier, ended and wrapped up in a batch not yet
    // committed: the conversation leaves memory, its records are pending.
    let staged = d
        .engine
        .stage_batch(
            vec![
                Command::RecordSendOutcome {
                    message: m,
                    outcome: SendOutcome::Sent {
                        provider_id: "SMprovider1".into(),
                    },
                },
                Command::End {
                    agent: bob.clone(),
                    conversation: c,
                },
                Command::Wrapup {
                    agent: bob.clone(),
                    conversation: c,
                    choice: Some("1".into()),
                },
            ],
            d.now,
        )
        .unwrap();
    assert!(
        staged.outcome.results.iter().all(Result::is_ok),
        "{:?}",
        staged.outcome.results
    );
    assert!(
        d.state().conversation(c).is_none(),
        "a finished conversation stays in memory"
    );
    assert!(d.engine.has_pending());

    // The carrier's status callback names the provider id, which only the
    // pending batch knows; and the customer's first SMS again is a duplicate.
    let next = d
        .engine
        .stage_batch(
            vec![
                Command::RecordDelivery {
                    carrier: CarrierName::from("twilio"),
                    provider_id: "SMprovider1".into(),
                    status: Delivery::Delivered,
                    error_code: None,
                    opted_out: false,
                },
                sms(&format!("SM{:032}", 1), CUST),
            ],
            d.now,
        )
        .unwrap();
    let [delivered, again] = next.outcome.results.as_slice() else {
        panic!("{:?}", next.outcome.results)
    };
    let delivered = delivered.as_ref().unwrap();
    assert!(
        delivered
            .records
            .iter()
            .any(|r| matches!(r.event, Event::DeliveryUpdated { message_id, .. } if message_id == m)),
        "{delivered:?}"
    );
    assert!(again.as_ref().unwrap().duplicate);

    // Once both are committed and confirmed, the store alone says the same.
    for staged in [staged, next] {
        if let Some(writes) = &staged.writes {
            d.engine.store().commit(writes).unwrap();
        }
        d.engine.confirm(staged.batch);
    }
    assert!(!d.engine.has_pending());
    let delivery = d.engine.delivery(m).unwrap().unwrap();
    assert_eq!(delivery.outbound.provider_id.as_deref(), Some("SMprovider1"));
}
