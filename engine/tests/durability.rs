//! Durability of the sled store:
//! - a child process commits inbound SMS and is killed with SIGKILL at a
//!   random moment; after reopening, every SMS whose commit returned is
//!   present, exactly once (several rounds, one and many writers);
//! - under strace, every acknowledgement is preceded by a completed
//!   `fdatasync` of the write-ahead log (a real sync, not just sled's
//!   `sync_file_range`);
//! - group commit: many concurrent commands share one sync.
#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command as Process, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use smsdesk_core::routing::Routers;
use smsdesk_core::*;
use smsdesk_engine::clock::SystemClock;
use smsdesk_engine::committer::{Committer, Options};
use smsdesk_engine::store::{KvStore, SledStore};
use smsdesk_engine::*;

const DIR_VAR: &str = "SMSDESK_TEST_CHILD_DIR";

fn sms(sid: &str, customer: usize) -> Command {
    Command::ReceiveSms(InboundSms {
        carrier: CarrierName::from("twilio"),
        carrier_message_id: CarrierMessageId::from(sid),
        from: CustomerNumber::new(format!("+1555700{:04}", customer)),
        to: EntryNumber::parse(common::LONG).unwrap(),
        body: format!("body of {sid}: {}", "x".repeat(200)),
        media: vec![],
    })
}

/// The child: commits SMS from `writers` threads and prints `ack <sid>` after each commit returns.
/// Runs only when spawned by the tests below (it is `#[ignore]`d otherwise).
#[test]
#[ignore = "helper process for the durability tests"]
fn durability_child() {
    let Ok(dir) = std::env::var(DIR_VAR) else { return };
    let round: String = std::env::var("SMSDESK_TEST_ROUND").unwrap_or_default();
    let writers: usize = std::env::var("SMSDESK_TEST_WRITERS")
        .ok()
        .and_then(|w| w.parse().ok())
        .unwrap_or(1);
    let per_writer: usize = std::env::var("SMSDESK_TEST_COUNT")
        .ok()
        .and_then(|w| w.parse().ok())
        .unwrap_or(100_000);
    let store = SledStore::open(&dir).unwrap();
    let engine = Engine::open(store, common::setup(), Routers::default()).unwrap();
    let committer = Arc::new(Committer::spawn(engine, Arc::new(SystemClock), Options::default()));
    let deadline = Instant::now() + Duration::from_secs(30);
    let threads: Vec<_> = (0..writers)
        .map(|w| {
            let committer = committer.clone();
            let round = round.clone();
            std::thread::spawn(move || {
                for i in 0..per_writer {
                    if Instant::now() > deadline {
                        break;
                    }
                    let sid = format!("SM{round}w{w}n{i}");
                    let done = committer.execute(sms(&sid, w * 1_000 + i % 50)).unwrap().unwrap();
                    assert!(!done.duplicate);
                    let mut out = std::io::stdout().lock();
                    writeln!(out, "ack {sid}").unwrap();
                    out.flush().unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

fn child(dir: &Path, round: usize, writers: usize, count: Option<usize>) -> Process {
    let exe = std::env::current_exe().unwrap();
    let mut p = Process::new(exe);
    p.args([
        "durability_child",
        "--exact",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ])
    .env(DIR_VAR, dir)
    .env("SMSDESK_TEST_ROUND", round.to_string())
    .env("SMSDESK_TEST_WRITERS", writers.to_string())
    .env("RUST_BACKTRACE", "0")
    .stdout(Stdio::piped())
    .stderr(Stdio::null());
    if let Some(n) = count {
        p.env("SMSDESK_TEST_COUNT", n.to_string());
    }
    p
}

/// The acknowledged id in a line of the child's output (libtest may print a prefix on the first).
fn ack(line: &str) -> Option<String> {
    line.find("ack ").map(|i| line[i + 4..].trim().to_owned())
}

/// Counts every stored `MessageReceived` per carrier message id.
fn stored_messages(dir: &Path) -> BTreeMap<String, usize> {
    let store = SledStore::open(dir).unwrap();
    let engine = Engine::open(store, common::setup(), Routers::default()).unwrap();
    let mut out = BTreeMap::new();
    for c in 0..engine.state().counters.next_conversation {
        for r in engine.history(ConversationId(c)).unwrap() {
            if let Event::MessageReceived { sms, .. } = r.event {
                *out.entry(sms.carrier_message_id.to_string()).or_default() += 1;
            }
        }
    }
    out
}

#[test]
fn acknowledged_sms_survive_sigkill_exactly_once() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("smsdesk");
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64;
    println!("seed {seed}");
    let mut rng = seed | 1;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut acked: BTreeSet<String> = BTreeSet::new();
    for round in 0..6 {
        let writers = if round % 2 == 0 { 1 } else { 16 };
        let mut proc = child(&dir, round, writers, None).spawn().unwrap();
        let stdout = proc.stdout.take().unwrap();
        let (first_tx, first_rx) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut acks = Vec::new();
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(sid) = ack(&line) {
                    if acks.is_empty() {
                        let _ = first_tx.send(());
                    }
                    acks.push(sid);
                }
            }
            acks
        });
        // Kill at a random point once it is committing (start-up time varies with load).
        first_rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the child acknowledged nothing within 60 s");
        std::thread::sleep(Duration::from_millis(50 + next() % 400));
        proc.kill().unwrap(); // SIGKILL
        proc.wait().unwrap();
        let got = reader.join().unwrap();
        println!(
            "round {round}: {writers} writer(s), {} acknowledged before SIGKILL",
            got.len()
        );
        assert!(!got.is_empty(), "the child acknowledged nothing in round {round}");
        acked.extend(got);

        let stored = stored_messages(&dir);
        let missing: Vec<_> = acked.iter().filter(|s| !stored.contains_key(*s)).collect();
        assert!(missing.is_empty(), "acknowledged but lost after SIGKILL: {missing:?}");
        let twice: Vec<_> = stored.iter().filter(|(_, n)| **n != 1).collect();
        assert!(twice.is_empty(), "stored more than once: {twice:?}");
    }
}

#[test]
fn every_acknowledgement_follows_an_fdatasync_of_the_write_ahead_log() {
    let strace = Path::new("/usr/bin/strace");
    assert!(
        strace.exists(),
        "strace is needed for this test; scripts/test.sh installs it"
    );
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("smsdesk");
    let trace = tmp.path().join("trace");
    let inner = child(&dir, 0, 1, Some(25));
    let mut cmd = Process::new(strace);
    cmd.arg("-f")
        .arg("-y")
        .arg("-qq")
        .args(["-e", "trace=fdatasync,fsync,write"])
        .arg("-o")
        .arg(&trace)
        .arg(inner.get_program())
        .args(inner.get_args());
    for (k, v) in inner.get_envs() {
        if let Some(v) = v {
            cmd.env(k, v);
        }
    }
    let out = cmd.stderr(Stdio::null()).output().unwrap();
    assert!(out.status.success(), "child failed under strace");
    let acks = String::from_utf8_lossy(&out.stdout).lines().filter_map(ack).count();
    assert_eq!(acks, 25);

    let trace = std::fs::read_to_string(&trace).unwrap();
    let mut synced = false;
    let mut checked = 0;
    for line in trace.lines() {
        let is_sync_of_log =
            line.contains("fdatasync(") && line.contains("/wal>") || line.contains("<... fdatasync resumed>");
        if is_sync_of_log && line.trim_end().ends_with("= 0") {
            synced = true;
        }
        if line.contains("write(1") && line.contains("\"ack ") {
            assert!(
                synced,
                "an acknowledgement was written without a completed fdatasync before it:\n{line}"
            );
            synced = false;
            checked += 1;
        }
    }
    assert_eq!(
        checked, 25,
        "could not find every acknowledgement in the trace:\n{trace}"
    );
}

#[test]
fn a_batch_of_commands_costs_one_sync() {
    let tmp = tempfile::tempdir().unwrap();
    let store = SledStore::open(tmp.path()).unwrap();
    let mut engine = Engine::open(store, common::setup(), Routers::default()).unwrap();
    // A new store writes its identity once, at creation.
    let base = engine.store().syncs();
    assert!(base <= 1, "{base}");
    engine.execute(sms("SM-a", 1), Timestamp(1)).unwrap().unwrap();
    assert_eq!(engine.store().syncs(), base + 1);
    let batch: Vec<_> = (0..16).map(|i| sms(&format!("SM-b{i}"), i)).collect();
    let outcome = engine.execute_batch(batch, Timestamp(2)).unwrap();
    assert!(outcome.results.iter().all(|r| r.as_ref().is_ok_and(|d| !d.duplicate)));
    assert_eq!(
        engine.store().syncs(),
        base + 2,
        "16 commands in one batch share one sync"
    );
    // Refused and duplicate commands write nothing and do not sync.
    engine.execute(sms("SM-a", 1), Timestamp(3)).unwrap().unwrap();
    assert_eq!(engine.store().syncs(), base + 2);
}

#[test]
fn concurrent_writers_share_syncs_through_the_committer() {
    let tmp = tempfile::tempdir().unwrap();
    let store = SledStore::open(tmp.path()).unwrap();
    let engine = Engine::open(store, common::setup(), Routers::default()).unwrap();
    let committer = Arc::new(Committer::spawn(engine, Arc::new(SystemClock), Options::default()));
    let threads: Vec<_> = (0..16)
        .map(|w| {
            let committer = committer.clone();
            std::thread::spawn(move || {
                for i in 0..20 {
                    committer.execute(sms(&format!("SM{w}-{i}"), w)).unwrap().unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let (syncs, conversations) = committer
        .query(|e| (e.store().syncs(), e.state().conversations().count()))
        .unwrap();
    assert_eq!(conversations, 16, "one conversation per customer");
    assert!(
        syncs < 320,
        "320 commits from 16 writers took {syncs} syncs: no group commit"
    );
    println!("320 commands from 16 writers: {syncs} syncs");
}
