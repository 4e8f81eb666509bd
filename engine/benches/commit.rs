//! Durable inbound commit throughput, against the raw disk in the same run.
//!
//! Prints:
//! - raw: append a 300-byte record + `fdatasync`, one at a time (the baseline);
//! - single: one inbound SMS per engine commit (sled + flush + fdatasync);
//! - group: 16 concurrent writers through the `Committer` (group commit);
//! - the ratios, against the targets (group >= 2x raw, single >= 0.5x raw).
//!
//! Run: `cargo bench -p smsdesk-engine --bench commit`. Files go under
//! `target/`, on the same disk as the project (not a tmpfs `/tmp`).

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use smsdesk_core::routing::Routers;
use smsdesk_core::setup::{EntryKind, EntryPoint, QueueSetup, Setup};
use smsdesk_core::*;
use smsdesk_engine::clock::SystemClock;
use smsdesk_engine::committer::{Committer, Options};
use smsdesk_engine::store::{KvStore, SledStore};
use smsdesk_engine::*;

const RUN_FOR: Duration = Duration::from_secs(3);
const WRITERS: usize = 16;
const ENTRY: &str = "+15550001111";

fn setup() -> Setup {
    Setup::default()
        .with_queue(QueueSetup::new("billing"))
        .with_entry_point(EntryPoint {
            number: EntryNumber::parse(ENTRY).expect("valid"),
            kind: EntryKind::LongCode,
            carrier: CarrierName::from("twilio"),
            queue: QueueName::from("billing"),
            skills: Default::default(),
            keywords: smsdesk_core::keywords::KeywordMode::Carrier,
            intake_timeout: None,
        })
}

fn sms(writer: usize, i: usize) -> Command {
    Command::ReceiveSms(InboundSms {
        carrier: CarrierName::from("twilio"),
        carrier_message_id: CarrierMessageId::new(format!("SM{writer:04}{i:028}")),
        from: CustomerNumber::new(format!("+1555{:07}", writer * 100 + i % 100)),
        to: EntryNumber::parse(ENTRY).expect("valid"),
        body: "Hi, I was charged twice for my October bill and would like a refund of the second charge please. Account 1234-5678.".to_owned(),
        media: vec![],
    })
}

fn raw_fdatasync(dir: &Path) -> f64 {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("raw.log"))
        .expect("open raw log");
    let record = [b'x'; 300];
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < RUN_FOR {
        f.write_all(&record).expect("write");
        f.sync_data().expect("fdatasync");
        n += 1;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn single(dir: &Path) -> (f64, u64) {
    let store = SledStore::open(dir.join("single")).expect("open sled");
    let mut engine = Engine::open(store, setup(), Routers::default()).expect("open engine");
    let start = Instant::now();
    let mut n = 0;
    while start.elapsed() < RUN_FOR {
        let done = engine
            .execute(sms(0, n), smsdesk_engine::clock::now())
            .expect("commit")
            .expect("accepted");
        assert!(!done.duplicate);
        n += 1;
    }
    let rate = n as f64 / start.elapsed().as_secs_f64();
    (rate, engine.store().syncs())
}

/// The same commits with an in-memory store: the engine's CPU cost alone.
fn cpu_only() -> f64 {
    let store = smsdesk_engine::store::MemoryStore::new();
    let mut engine = Engine::open(store, setup(), Routers::default()).expect("open engine");
    let start = Instant::now();
    let mut n = 0;
    while start.elapsed() < RUN_FOR / 3 {
        engine
            .execute(sms(0, n), smsdesk_engine::clock::now())
            .expect("commit")
            .expect("accepted");
        n += 1;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn group(dir: &Path) -> (f64, usize, u64) {
    let store = SledStore::open(dir.join("group")).expect("open sled");
    let engine = Engine::open(store, setup(), Routers::default()).expect("open engine");
    let committer = Arc::new(Committer::spawn(engine, Arc::new(SystemClock), Options::default()));
    let total = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let threads: Vec<_> = (0..WRITERS)
        .map(|w| {
            let committer = committer.clone();
            let total = total.clone();
            std::thread::spawn(move || {
                let mut i = 0;
                while start.elapsed() < RUN_FOR {
                    committer.execute(sms(w + 1, i)).expect("commit").expect("accepted");
                    i += 1;
                }
                total.fetch_add(i, Ordering::Relaxed);
            })
        })
        .collect();
    for t in threads {
        t.join().expect("writer thread");
    }
    let elapsed = start.elapsed().as_secs_f64();
    let n = total.load(Ordering::Relaxed);
    let syncs = committer.query(|e| e.store().syncs()).unwrap_or(0);
    (n as f64 / elapsed, n, syncs)
}

fn main() {
    let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-commit");
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).expect("bench dir");

    let raw = raw_fdatasync(&base);
    let (one, one_syncs) = single(&base);
    let (many, many_n, many_syncs) = group(&base);
    let cpu = cpu_only();

    let verdict = |ok: bool| if ok { "meets target" } else { "BELOW TARGET" };
    println!(
        "durable inbound commits, {} s each, files in {}",
        RUN_FOR.as_secs(),
        base.display()
    );
    println!("  raw write(300 B)+fdatasync baseline:   {raw:>9.0} /s");
    println!("  engine, one sync per commit:           {one:>9.0} /s  ({one_syncs} syncs)");
    println!(
        "  engine, group commit, {WRITERS} writers:      {many:>9.0} /s  ({many_n} commits in {many_syncs} syncs, {:.1} per sync)",
        many_n as f64 / many_syncs.max(1) as f64
    );
    println!(
        "  engine CPU alone (in-memory store):    {cpu:>9.0} /s  ({:.1} us per command)",
        1e6 / cpu
    );
    println!(
        "ingest (one sync per commit): {:.2}x raw write+fdatasync (target >= 0.5x: {})",
        one / raw,
        verdict(one / raw >= 0.5)
    );
    println!(
        "ingest (group commit, {WRITERS} writers): {:.2}x raw write+fdatasync (target >= 2x: {})",
        many / raw,
        verdict(many / raw >= 2.0)
    );
    let _ = std::fs::remove_dir_all(&base);
}
