//! Gated commands (`Committer::submit_gated`): they run only when the
//! store says nothing stored elsewhere waits to be committed ahead of them
//! (a PostgreSQL leader's shared inbox); otherwise they come back, unrun,
//! and the rest of their batch runs as usual.
#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::channel;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use smsdesk_core::*;
use smsdesk_engine::clock::SystemClock;
use smsdesk_engine::committer::{Committer, Options};
use smsdesk_engine::store::{KvStore, MemoryStore, Result, WriteSet};

/// A memory store with a gate the test opens and shuts, counting the
/// gated reads.
#[derive(Debug, Default)]
struct Gate {
    inner: MemoryStore,
    shut: Arc<AtomicBool>,
    asked: Arc<AtomicUsize>,
}

impl KvStore for Gate {
    fn commit(&self, writes: &WriteSet) -> Result<()> {
        self.inner.commit(writes)
    }
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.inner.get(key)
    }
    fn get_many_gated(&self, keys: &[Vec<u8>]) -> Result<(Vec<Option<Vec<u8>>>, bool)> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        Ok((self.inner.get_many(keys)?, !self.shut.load(Ordering::SeqCst)))
    }
    fn scan_prefix(&self, prefix: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        self.inner.scan_prefix(prefix)
    }
    fn scan_range(&self, from: &[u8], to: &[u8], limit: usize) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        self.inner.scan_range(from, to, limit)
    }
    fn syncs(&self) -> u64 {
        self.inner.syncs()
    }
}

fn sms(sid: &str, from: &str) -> Command {
    Command::ReceiveSms(InboundSms {
        carrier: CarrierName::from("twilio"),
        carrier_message_id: CarrierMessageId::from(sid),
        from: CustomerNumber::from(from),
        to: EntryNumber::parse(LONG).unwrap(),
        body: "hello".to_owned(),
        media: Vec::new(),
    })
}

#[test]
fn gated_commands_run_with_the_gate_open_and_come_back_unrun_when_it_is_shut() {
    let gate = Gate::default();
    let (shut, asked) = (gate.shut.clone(), gate.asked.clone());
    let desk = Desk::open(gate, Timestamp(1_700_000_000_000));
    let committer = Committer::spawn(desk.engine, Arc::new(SystemClock), Options::default());
    let (tx, rx) = channel();
    let gated = |commands: Vec<Command>| {
        let tx = tx.clone();
        committer.submit_gated(commands, move |answer| tx.send(answer).unwrap());
        rx.recv_timeout(Duration::from_secs(5)).unwrap()
    };

    // Open: both commands of the group run, in order, in one batch.
    let replies = gated(vec![sms("SM1", "+15550000001"), sms("SM1b", "+15550000001")]).unwrap();
    assert_eq!(replies.len(), 2);
    for reply in replies {
        assert!(!reply.unwrap().unwrap().duplicate);
    }
    assert_eq!(asked.load(Ordering::SeqCst), 1, "one gated read for the batch");

    // Shut: the group comes back whole and unrun; nothing was stored.
    shut.store(true, Ordering::SeqCst);
    let back = gated(vec![sms("SM2", "+15550000002")]).unwrap_err();
    assert_eq!(back, vec![sms("SM2", "+15550000002")]);
    // A command that is not gated runs whatever the gate says.
    let plain = committer.execute(sms("SM3", "+15550000003")).unwrap().unwrap();
    assert!(!plain.duplicate);

    // Open again: the command that came back runs now, once; the ones that
    // ran before are duplicates.
    shut.store(false, Ordering::SeqCst);
    let replies = gated(vec![sms("SM2", "+15550000002"), sms("SM1", "+15550000001")]).unwrap();
    assert!(!replies[0].as_ref().unwrap().as_ref().unwrap().duplicate);
    assert!(replies[1].as_ref().unwrap().as_ref().unwrap().duplicate);
    let conversations = committer.query(|e| e.state().conversations().count()).unwrap();
    assert_eq!(conversations, 3, "three customers, each once");
}

#[test]
fn a_shut_gate_holds_back_only_the_gated_commands_of_a_batch() {
    let gate = Gate::default();
    gate.shut.store(true, Ordering::SeqCst);
    let mut desk = Desk::open(gate, Timestamp(1_700_000_000_000));
    let now = Timestamp(1_700_000_000_000);
    let commands = vec![
        sms("SMa", "+15550000011"),
        sms("SMb", "+15550000012"),
        sms("SMc", "+15550000013"),
    ];
    let (outcome, held) = desk.engine.execute_gated(commands, &[false, true, false], now).unwrap();
    assert_eq!(held, vec![sms("SMb", "+15550000012")]);
    assert_eq!(outcome.results.len(), 2, "the two commands not gated ran");
    assert!(outcome.results.iter().all(|r| r.as_ref().is_ok_and(|e| !e.duplicate)));
    // The held one was not stored: it runs as new once the gate opens.
    desk.engine.store().shut.store(false, Ordering::SeqCst);
    let (outcome, held) = desk
        .engine
        .execute_gated(vec![sms("SMb", "+15550000012")], &[true], now)
        .unwrap();
    assert!(held.is_empty());
    assert!(!outcome.results[0].as_ref().unwrap().duplicate);
}
