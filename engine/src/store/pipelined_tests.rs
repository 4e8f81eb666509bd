//! `Pipelined` over a memory store whose commits wait at a gate the test
//! opens, or fail when told: what a caller sees while a commit is in
//! flight, in what order answers come, and what a failure leaves.
#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use std::sync::mpsc::{channel, Receiver};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use super::Pipelined;
use crate::store::{KvStore, MemoryStore, Result, StoreError, WriteSet};

/// A memory store whose `commit` waits until the gate opens.
#[derive(Clone, Default)]
struct Gated {
    data: MemoryStore,
    gate: Arc<(Mutex<Gate>, Condvar)>,
}

#[derive(Default)]
struct Gate {
    open: bool,
    fail: bool,
    /// Commits waiting at the gate.
    waiting: usize,
}

impl Gated {
    fn set(&self, open: bool, fail: bool) {
        let mut g = self.gate.0.lock().unwrap();
        (g.open, g.fail) = (open, fail);
        self.gate.1.notify_all();
    }

    /// Waits until a commit is held at the gate.
    fn held(&self) {
        let mut g = self.gate.0.lock().unwrap();
        while g.waiting == 0 {
            g = self.gate.1.wait_timeout(g, Duration::from_secs(5)).unwrap().0;
        }
    }
}

impl KvStore for Gated {
    fn commit(&self, writes: &WriteSet) -> Result<()> {
        let mut g = self.gate.0.lock().unwrap();
        g.waiting += 1;
        self.gate.1.notify_all();
        while !g.open {
            g = self.gate.1.wait(g).unwrap();
        }
        g.waiting -= 1;
        if g.fail {
            return Err(StoreError::Database("the server went away".to_owned()));
        }
        drop(g);
        self.data.commit(writes)
    }
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.data.get(key)
    }
    fn scan_prefix(&self, prefix: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        self.data.scan_prefix(prefix)
    }
    fn scan_range(&self, from: &[u8], to: &[u8], limit: usize) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        self.data.scan_range(from, to, limit)
    }
    fn syncs(&self) -> u64 {
        self.data.syncs()
    }
}

fn put(pairs: &[(&str, Option<&str>)]) -> WriteSet {
    let mut w = WriteSet::default();
    for (k, v) in pairs {
        match v {
            Some(v) => w.put(k.as_bytes().to_vec(), v.as_bytes().to_vec()),
            None => w.delete(k.as_bytes().to_vec()),
        }
    }
    w
}

/// A pipelined store over a closed gate, and its gate.
fn closed() -> (Pipelined<Gated>, Gated) {
    let gated = Gated::default();
    let store = Pipelined::new(gated.clone(), gated.clone()).unwrap();
    (store, gated)
}

/// Hands `w` in; the receiver gets `(tag, result)` when it is answered.
fn hand(store: &Pipelined<Gated>, w: WriteSet, tag: u32, answers: &std::sync::mpsc::Sender<(u32, bool)>) {
    let tx = answers.clone();
    store.commit_behind(
        w,
        Box::new(move |r| {
            tx.send((tag, r.is_ok())).unwrap();
        }),
    );
}

fn nothing_yet(rx: &Receiver<(u32, bool)>) {
    assert!(
        rx.recv_timeout(Duration::from_millis(100)).is_err(),
        "answered before durable"
    );
}

#[test]
fn lookups_see_writes_before_they_are_durable_and_answers_wait_for_them_in_order() {
    let (store, gated) = closed();
    gated
        .data
        .commit(&put(&[("old", Some("on disk")), ("gone", Some("on disk"))]))
        .unwrap();
    let (tx, rx) = channel();
    hand(&store, put(&[("a", Some("1")), ("gone", None)]), 1, &tx);
    gated.held();
    // Behind the commit in flight: a newer value, and an empty set (a
    // batch that wrote nothing, such as a duplicate SMS).
    hand(&store, put(&[("a", Some("2")), ("b", Some("3"))]), 2, &tx);
    hand(&store, WriteSet::default(), 3, &tx);
    nothing_yet(&rx);

    assert_eq!(store.get(b"a").unwrap(), Some(b"2".to_vec()), "the newest write wins");
    assert_eq!(
        store.get(b"gone").unwrap(),
        None,
        "a delete not yet durable hides the stored value"
    );
    let keys = [b"old".to_vec(), b"b".to_vec(), b"gone".to_vec(), b"none".to_vec()];
    assert_eq!(
        store.get_many(&keys).unwrap(),
        vec![Some(b"on disk".to_vec()), Some(b"3".to_vec()), None, None]
    );
    assert_eq!(gated.data.get(b"a").unwrap(), None, "nothing is durable yet");

    gated.set(true, false);
    let answers: Vec<_> = (0..3)
        .map(|_| rx.recv_timeout(Duration::from_secs(5)).unwrap())
        .collect();
    assert_eq!(
        answers,
        vec![(1, true), (2, true), (3, true)],
        "answered in the order handed in"
    );
    store.committed().unwrap();
    assert_eq!(gated.data.get(b"a").unwrap(), Some(b"2".to_vec()));
    assert_eq!(gated.data.get(b"gone").unwrap(), None);
    // The first commit alone; the two behind it merged into one (the empty set writes nothing).
    assert_eq!(
        store.syncs(),
        3,
        "one seed commit, then the first, then the two behind it together"
    );
}

#[test]
fn after_a_failed_commit_nothing_behind_it_is_written_and_every_later_commit_fails() {
    let (store, gated) = closed();
    let (tx, rx) = channel();
    hand(&store, put(&[("a", Some("1"))]), 1, &tx);
    gated.held();
    hand(&store, put(&[("b", Some("2"))]), 2, &tx);
    gated.set(true, true);
    let answers: Vec<_> = (0..2)
        .map(|_| rx.recv_timeout(Duration::from_secs(5)).unwrap())
        .collect();
    assert_eq!(answers, vec![(1, false), (2, false)]);
    assert_eq!(
        gated.data.get(b"b").unwrap(),
        None,
        "what came behind the failure is not written"
    );

    // The database is back, but the store stays failed: memory was ahead.
    gated.set(true, false);
    let later = store.commit(&put(&[("c", Some("3"))]));
    assert!(
        matches!(later, Err(StoreError::Database(ref why)) if why.contains("the server went away")),
        "{later:?}"
    );
    assert_eq!(gated.data.get(b"c").unwrap(), None);
    assert!(store.committed().is_err());
}

#[test]
fn scans_and_committed_wait_until_everything_handed_in_is_durable() {
    let (store, gated) = closed();
    let store = Arc::new(store);
    let (tx, _rx) = channel();
    hand(&store, put(&[("p/1", Some("x"))]), 1, &tx);
    gated.held();
    let (done_tx, done_rx) = channel();
    let scanner = store.clone();
    std::thread::spawn(move || {
        done_tx.send(scanner.scan_prefix(b"p/").unwrap()).unwrap();
    });
    assert!(
        done_rx.recv_timeout(Duration::from_millis(100)).is_err(),
        "a scan does not run before the commit"
    );
    gated.set(true, false);
    let scanned = done_rx.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(scanned, vec![(b"p/1".to_vec(), b"x".to_vec())]);
}

#[test]
fn a_dropped_store_commits_and_answers_what_was_handed_in() {
    let (store, gated) = closed();
    let (tx, rx) = channel();
    hand(&store, put(&[("a", Some("1"))]), 1, &tx);
    hand(&store, put(&[("b", Some("2"))]), 2, &tx);
    gated.set(true, false);
    drop(store);
    assert_eq!(rx.try_iter().collect::<Vec<_>>(), vec![(1, true), (2, true)]);
    assert_eq!(gated.data.get(b"b").unwrap(), Some(b"2".to_vec()));
}

mod through_the_committer {
    //! The engine's thread on a pipelining store: a caller is answered
    //! only once its batch is durable, never before a batch it came
    //! behind (a duplicate SMS, decided from memory, still waits for the
    //! original's commit), queries see only what is durable, and a failed
    //! commit stops the engine and fails what came behind it.

    use std::sync::mpsc::channel;
    use std::sync::Arc;
    use std::time::Duration;

    use smsdesk_core::command::{Command, InboundSms};
    use smsdesk_core::ids::{CarrierMessageId, CarrierName, CustomerNumber, EntryNumber, QueueName};
    use smsdesk_core::routing::Routers;
    use smsdesk_core::setup::{EntryKind, EntryPoint, QueueSetup, Setup};

    use super::{closed, Gated};
    use crate::clock::SystemClock;
    use crate::committer::{Committer, Options};
    use crate::engine::Engine;
    use crate::store::{KvStore, Pipelined};

    const NUMBER: &str = "+15550001111";

    fn setup() -> Setup {
        Setup::default()
            .with_queue(QueueSetup::new("billing"))
            .with_entry_point(EntryPoint {
                number: EntryNumber::parse(NUMBER).unwrap(),
                kind: EntryKind::LongCode,
                carrier: CarrierName::from("twilio"),
                queue: QueueName::from("billing"),
                skills: Default::default(),
                keywords: EntryKind::LongCode.default_keywords(),
                intake_timeout: None,
            })
    }

    fn sms(sid: &str) -> Command {
        Command::ReceiveSms(InboundSms {
            carrier: CarrierName::from("twilio"),
            carrier_message_id: CarrierMessageId::from(sid),
            from: CustomerNumber::new("+15557770001".to_owned()),
            to: EntryNumber::parse(NUMBER).unwrap(),
            body: format!("text of {sid}"),
            media: vec![],
        })
    }

    /// What a caller was answered: `Some(duplicate)` if accepted, `None` if it failed.
    type Answer = (&'static str, Option<bool>);
    type Answers = std::sync::mpsc::Receiver<Answer>;
    type Answering = std::sync::mpsc::Sender<Answer>;

    fn started() -> (Committer<Pipelined<Gated>>, Gated, Answering, Answers) {
        let (store, gated) = closed();
        gated.set(true, false);
        let engine = Engine::open(store, setup(), Routers::default()).unwrap();
        gated.set(false, false);
        let (tx, rx) = channel();
        (
            Committer::spawn(engine, Arc::new(SystemClock), Options::default()),
            gated,
            tx,
            rx,
        )
    }

    fn submit(c: &Committer<Pipelined<Gated>>, tag: &'static str, tx: &Answering) {
        let tx = tx.clone();
        c.submit(sms(tag), move |reply| {
            let seen = match reply {
                Ok(Ok(done)) => Some(done.duplicate),
                _ => None,
            };
            tx.send((tag, seen)).unwrap();
        });
    }

    #[test]
    fn answers_wait_for_the_commit_of_every_batch_before_them() {
        let (committer, gated, tx, rx) = started();
        submit(&committer, "SM1", &tx);
        gated.held();
        submit(&committer, "SM1", &tx);
        submit(&committer, "SM2", &tx);
        // A query from another caller waits for the commits under way.
        let asked = Arc::new(committer);
        let (q_tx, q_rx) = channel();
        let asker = asked.clone();
        std::thread::spawn(move || {
            let _ = q_tx.send(asker.query(|e| e.state().conversation_count()));
        });
        assert!(
            rx.recv_timeout(Duration::from_millis(150)).is_err(),
            "answered before durable"
        );
        assert!(
            q_rx.recv_timeout(Duration::from_millis(50)).is_err(),
            "a query saw what is not durable"
        );

        gated.set(true, false);
        let answers: Vec<_> = (0..3)
            .map(|_| rx.recv_timeout(Duration::from_secs(5)).unwrap())
            .collect();
        assert_eq!(
            answers,
            vec![("SM1", Some(false)), ("SM1", Some(true)), ("SM2", Some(false))],
            "the duplicate is answered after the original's commit, and everything in order"
        );
        assert_eq!(q_rx.recv_timeout(Duration::from_secs(5)).unwrap(), Some(1));
    }

    #[test]
    fn a_failed_commit_stops_the_engine_and_fails_what_came_behind_it() {
        let (committer, gated, tx, rx) = started();
        let opened = gated.syncs();
        submit(&committer, "SM1", &tx);
        gated.held();
        submit(&committer, "SM2", &tx);
        gated.set(true, true);
        let answers: Vec<_> = (0..2)
            .map(|_| rx.recv_timeout(Duration::from_secs(5)).unwrap())
            .collect();
        assert_eq!(answers, vec![("SM1", None), ("SM2", None)]);
        let stopped = committer.query(|e| e.stopped().map(str::to_owned)).unwrap();
        assert!(stopped.is_some_and(|why| why.contains("the server went away")));

        gated.set(true, false);
        submit(&committer, "SM3", &tx);
        assert_eq!(
            rx.recv_timeout(Duration::from_secs(5)).unwrap(),
            ("SM3", None),
            "refused after the failure"
        );
        assert_eq!(gated.syncs(), opened, "nothing was written after the store was opened");
    }
}
