//! The engine at contact-center scale, on the sled store (issue #11).
//!
//! Builds 1,000 agents in 10 queues (capacity 10) and 10,000 conversations,
//! makes the agents available one at a time (timing each), accepts every
//! offer, then runs ordinary traffic in batches of 16 commands: per
//! conversation a customer SMS, an agent reply, the carrier's "sent" and its
//! "delivered". The same traffic runs, turn about, on a twin engine holding
//! 100 open conversations: that is the baseline, measured in the same run.
//! Then a cohort of ten conversations is driven through 400 rounds, turn
//! about with fresh cohorts' first 10 (`scale/long.rs`), on an engine with
//! no other conversation and on the large one; then the large engine is
//! restarted.
//!
//! Prints, against the targets:
//! - per-command cost at 10,000 open conversations / at 100 (target <= 1.5x);
//! - per-command cost over a conversation's first 400 rounds / its first 10, at 10
//!   and at 10,000 open conversations (<= 1.2x; see `scale/long.rs`);
//! - agent-available latency p50 / p99 (target p99 < 5 ms);
//! - resident memory with the engine open (target <= 160 MiB, sled's cache
//!   included), and what opening sled, loading the state and traffic add;
//! - restart time (target < 2 s) and bytes on disk per event.
//!
//! Run: `cargo bench -p smsdesk-engine --bench scale`. `SMSDESK_SCALE_COMMANDS`
//! changes the traffic (default 400,000 commands). Files go under `target/`.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use smsdesk_core::command::SendOutcome;
use smsdesk_core::model::Delivery;
use smsdesk_core::routing::Routers;
use smsdesk_core::setup::{AgentSetup, EntryKind, EntryPoint, QueueSetup, Setup};
use smsdesk_core::*;
use smsdesk_engine::store::SledStore;
use smsdesk_engine::*;

#[path = "scale/long.rs"]
mod long;

const AGENTS: usize = 1_000;
const QUEUES: usize = 10;
const CAPACITY: u32 = 10;
const LARGE: usize = 10_000;
const SMALL: usize = 100;
const BATCH: usize = 16;

fn queue(q: usize) -> String {
    format!("queue{q}")
}

fn entry(q: usize) -> EntryNumber {
    EntryNumber::parse(&format!("+1555000{q:04}")).expect("valid entry number")
}

fn agent(i: usize) -> AgentId {
    AgentId::from(format!("@agent{i:04}:example.com").as_str())
}

fn setup() -> Setup {
    let mut s = Setup::default();
    for q in 0..QUEUES {
        s = s.with_queue(QueueSetup::new(&queue(q))).with_entry_point(EntryPoint {
            number: entry(q),
            kind: EntryKind::LongCode,
            carrier: CarrierName::from("twilio"),
            queue: QueueName::from(queue(q).as_str()),
            skills: Default::default(),
            keywords: smsdesk_core::keywords::KeywordMode::Carrier,
            intake_timeout: None,
        });
    }
    for i in 0..AGENTS {
        let name = agent(i);
        let mut a = AgentSetup::new(name.as_str(), &[queue(i % QUEUES).as_str()]);
        a.capacity = CAPACITY;
        s = s.with_agent(a);
    }
    s
}

/// A logical clock: one millisecond per batch, so no timer fires mid-run.
struct Clock(Timestamp);

impl Clock {
    fn tick(&mut self) -> Timestamp {
        self.0 = self.0.plus(Duration::from_millis(1));
        self.0
    }
}

/// One engine under test and what the traffic needs to know about it.
struct Desk {
    name: &'static str,
    engine: Engine<SledStore>,
    clock: Clock,
    /// conversation -> (customer, queue index, owner)
    open: Vec<(ConversationId, CustomerNumber, usize, AgentId)>,
    next_sms: u64,
    next_reference: u64,
    /// Where the round-robin traffic goes next.
    cursor: usize,
    /// Replies accepted in the previous batch, to be reported sent and delivered.
    in_flight: Vec<MessageId>,
}

fn sms(desk: &mut Desk, customer: &CustomerNumber, q: usize) -> Command {
    desk.next_sms += 1;
    Command::ReceiveSms(InboundSms {
        carrier: CarrierName::from("twilio"),
        carrier_message_id: CarrierMessageId::new(format!("SM{:032}", desk.next_sms)),
        from: customer.clone(),
        to: entry(q),
        body: "Hi, I was charged twice for my October bill; can you refund the second charge?".to_owned(),
        media: vec![],
    })
}

fn run(desk: &mut Desk, commands: Vec<Command>) -> BatchOutcome {
    let now = desk.clock.tick();
    desk.engine.execute_batch(commands, now).expect("commit")
}

/// Opens `n` conversations (agents offline, so they all wait).
fn open_conversations(desk: &mut Desk, n: usize) -> Vec<(ConversationId, CustomerNumber, usize)> {
    let mut out = Vec::new();
    let all: Vec<usize> = (0..n).collect();
    for chunk in all.chunks(BATCH) {
        let mut commands = Vec::new();
        let mut who = Vec::new();
        for &i in chunk {
            let customer = CustomerNumber::new(format!("+1556{i:07}"));
            let q = i % QUEUES;
            commands.push(sms(desk, &customer, q));
            who.push((customer, q));
        }
        let outcome = run(desk, commands);
        for (result, (customer, q)) in outcome.results.into_iter().zip(who) {
            let id = result.expect("accepted").conversation().expect("opened");
            out.push((id, customer, q));
        }
    }
    out
}

/// Makes every agent available, one command each, timing each; returns the offers made.
fn make_available(desk: &mut Desk) -> (Vec<Duration>, Vec<(ConversationId, AgentId)>) {
    let mut times = Vec::new();
    let mut offers = Vec::new();
    for i in 0..AGENTS {
        let start = Instant::now();
        let outcome = run(desk, vec![Command::SetAvailable { agent: agent(i) }]);
        times.push(start.elapsed());
        for r in outcome.routed {
            if let Event::Offered {
                conversation, agent, ..
            } = r.event
            {
                offers.push((conversation, agent));
            }
        }
    }
    (times, offers)
}

fn build(name: &'static str, dir: &Path, conversations: usize) -> (Desk, Vec<Duration>) {
    let store = SledStore::open(dir).expect("open sled");
    let clock = Clock(Timestamp(1_800_000_000_000));
    let engine = Engine::open(store, setup(), Routers::default()).expect("open engine");
    let mut desk = Desk {
        name,
        engine,
        clock,
        open: Vec::new(),
        next_sms: 0,
        next_reference: 0,
        cursor: 0,
        in_flight: Vec::new(),
    };
    let opened = open_conversations(&mut desk, conversations);
    let (times, offers) = make_available(&mut desk);
    let owners: BTreeMap<ConversationId, AgentId> = offers.iter().cloned().collect();
    accept_offers(&mut desk, &offers);
    desk.open = opened
        .into_iter()
        .map(|(id, customer, q)| (id, customer, q, owners[&id].clone()))
        .collect();
    assert_eq!(desk.open.len(), conversations, "every conversation was offered");
    (desk, times)
}

/// One batch of 16: four conversations each get an SMS and a reply, and the
/// four replies of the batch before are reported sent and delivered.
fn traffic_batch(desk: &mut Desk, among: usize) -> Duration {
    let mut commands = Vec::with_capacity(BATCH);
    for _ in 0..BATCH / 4 {
        let (id, customer, q, owner) = desk.open[desk.cursor % among].clone();
        desk.cursor += 1;
        commands.push(sms(desk, &customer, q));
        desk.next_reference += 1;
        commands.push(Command::Reply {
            agent: owner,
            conversation: id,
            body: "Sorry about that! I have refunded the second charge; it shows in 3-5 days.".to_owned(),
            reference: Some(format!("!room{id}:example.com $event{}", desk.next_reference)),
            media: Vec::new(),
            canned: None,
        });
    }
    for m in std::mem::take(&mut desk.in_flight) {
        commands.push(Command::RecordSendOutcome {
            message: m,
            outcome: SendOutcome::Sent {
                provider_id: format!("SMp{:032}", m.0),
            },
        });
        commands.push(Command::RecordDelivery {
            carrier: CarrierName::from("twilio"),
            provider_id: format!("SMp{:032}", m.0),
            status: Delivery::Delivered,
            error_code: None,
            opted_out: false,
        });
    }
    let start = Instant::now();
    let outcome = run(desk, commands);
    let took = start.elapsed();
    for r in outcome.results {
        for rec in r.expect("accepted").records {
            if let Event::ReplyAccepted { message_id, .. } = rec.event {
                desk.in_flight.push(message_id);
            }
        }
    }
    took
}

fn per_command(total: Duration, commands: usize) -> f64 {
    total.as_secs_f64() * 1e6 / commands as f64
}

fn percentile(times: &mut [Duration], p: f64) -> Duration {
    times.sort();
    times[((times.len() - 1) as f64 * p).round() as usize]
}

fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn disk_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        total += if path.is_dir() {
            disk_bytes(&path)
        } else {
            entry.metadata().map_or(0, |m| m.len())
        };
    }
    total
}

/// What the store's files hold: each file's (or folder's) size, and the
/// live records' bytes (keys and values) by key prefix, per event.
fn disk_breakdown(dir: &Path, events: u64) -> String {
    let per_event = |b: u64| b as f64 / events.max(1) as f64;
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| {
            let b = if e.path().is_dir() {
                disk_bytes(&e.path())
            } else {
                e.metadata().map_or(0, |m| m.len())
            };
            format!("{} {:.0}", e.file_name().to_string_lossy(), per_event(b))
        })
        .collect();
    files.sort();
    let store = SledStore::open(dir).expect("reopen sled");
    let mut live = Vec::new();
    let mut total = 0;
    for prefix in [
        "e/", "h/", "c/", "co/", "a/", "d/", "o/", "q/", "s/", "p/", "r/", "x/", "l/", "k/", "z/", "m/",
    ] {
        let bytes: u64 = smsdesk_engine::store::KvStore::scan_prefix(&store, prefix.as_bytes())
            .expect("scan")
            .iter()
            .map(|(k, v)| (k.len() + v.len()) as u64)
            .sum();
        total += bytes;
        if bytes > 0 {
            live.push(format!("{prefix} {:.0}", per_event(bytes)));
        }
    }
    format!(
        "files (bytes per event): {}; live records: {:.0} bytes per event ({})",
        files.join(", "),
        per_event(total),
        live.join(", ")
    )
}

/// Each agent accepts the conversation offered to them, `BATCH` at a time.
fn accept_offers(desk: &mut Desk, offers: &[(ConversationId, AgentId)]) {
    for chunk in offers.chunks(BATCH) {
        let commands = chunk
            .iter()
            .map(|(c, a)| Command::Accept {
                agent: a.clone(),
                conversation: Some(*c),
            })
            .collect();
        for r in run(desk, commands).results {
            r.expect("accepted");
        }
    }
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "meets target"
    } else {
        "MISSES TARGET"
    }
}

/// Restarts the large engine in a child process (this very binary, with
/// `--reopen <dir>`), so its memory is measured without the bench's own.
fn reopen_in_a_fresh_process(dir: &Path) -> (Duration, usize, Rss) {
    let exe = std::env::current_exe().expect("own path");
    let out = std::process::Command::new(exe)
        .arg("--reopen")
        .arg(dir)
        .output()
        .expect("run the restart child");
    let text = String::from_utf8_lossy(&out.stdout);
    let fields: Vec<&str> = text.split_whitespace().collect();
    let mib = |s: &str| -> f64 { s.parse().expect("MiB") };
    match fields.as_slice() {
        [ms, open, start, store, engine, traffic] => (
            Duration::from_micros(ms.parse().expect("micros")),
            open.parse().expect("count"),
            Rss {
                start: mib(start),
                store: mib(store),
                engine: mib(engine),
                traffic: mib(traffic),
            },
        ),
        _ => panic!("restart child said {text:?}, {}", String::from_utf8_lossy(&out.stderr)),
    }
}

/// The child's side: open and time it, then serve one round of traffic on
/// every open conversation (so sled's cache fills as in service), and
/// report memory.
fn reopen(dir: &Path) {
    let rss_start = rss_mib();
    let started = Instant::now();
    let store = SledStore::open(dir).expect("reopen sled");
    let rss_store = rss_mib();
    let engine = Engine::open(store, setup(), Routers::default()).expect("reopen engine");
    let took = started.elapsed();
    let rss_engine = rss_mib();
    let open: Vec<_> = engine
        .state()
        .conversations()
        .filter_map(|c| {
            let q = c.queue.as_str().trim_start_matches("queue").parse().ok()?;
            Some((c.id, c.customer.clone(), q, c.phase.owner()?.clone()))
        })
        .collect();
    let count = engine.state().conversation_count();
    let mut desk = Desk {
        name: "reopened",
        engine,
        clock: Clock(Timestamp(1_900_000_000_000)),
        open,
        next_sms: 1 << 40,
        next_reference: 1 << 40,
        cursor: 0,
        in_flight: Vec::new(),
    };
    let among = desk.open.len();
    for _ in 0..among.div_ceil(BATCH / 4) {
        traffic_batch(&mut desk, among);
    }
    println!(
        "{} {count} {rss_start:.1} {rss_store:.1} {rss_engine:.1} {:.1}",
        took.as_micros(),
        rss_mib()
    );
}

/// Resident memory of the restarted process (MiB): at its start, with the
/// store open, with the engine open, after a round of traffic.
struct Rss {
    start: f64,
    store: f64,
    engine: f64,
    traffic: f64,
}

/// Traffic on both engines, turn about in slices, so both see the same
/// machine; the cost per command on each (large, small), in µs.
fn alternate_traffic(large: &mut Desk, small: &mut Desk, batches: usize) -> (f64, f64) {
    // Traffic, turn about in slices, so both engines see the same machine.
    let slice = 250;
    let (mut t_large, mut t_small) = (Duration::ZERO, Duration::ZERO);
    let (mut n_large, mut n_small) = (0usize, 0usize);
    let traffic_start = Instant::now();
    while n_large < batches {
        for desk in [&mut *large, &mut *small] {
            let among = desk.open.len();
            let mut took = Duration::ZERO;
            for _ in 0..slice {
                took += traffic_batch(desk, among);
            }
            if desk.name == "large" {
                t_large += took;
                n_large += slice;
            } else {
                t_small += took;
                n_small += slice;
            }
        }
    }
    let (cost_large, cost_small) = (
        per_command(t_large, n_large * BATCH),
        per_command(t_small, n_small * BATCH),
    );
    println!(
        "traffic: {} commands at {LARGE} open, {} at {SMALL} open, in {:.1} s",
        n_large * BATCH,
        n_small * BATCH,
        traffic_start.elapsed().as_secs_f64()
    );
    (cost_large, cost_small)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, dir] = args.as_slice() {
        if flag == "--reopen" {
            return reopen(Path::new(dir));
        }
    }
    let commands: usize = std::env::var("SMSDESK_SCALE_COMMANDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400_000);
    let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-scale");
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).expect("bench dir");

    let started = Instant::now();
    let (mut small, _) = build("small", &base.join("small"), SMALL);
    let (mut large, mut available) = build("large", &base.join("large"), LARGE);
    println!(
        "built {AGENTS} agents in {QUEUES} queues (capacity {CAPACITY}), {LARGE} + {SMALL} open conversations in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let (cost_large, cost_small) = alternate_traffic(&mut large, &mut small, commands / BATCH);
    // A cohort's 400 rounds against fresh cohorts' first 10, at 10 open
    // conversations (the cohorts alone) and at 10,000 (twenty ended first,
    // for the cohorts' seats).
    let (mut ten, _) = build("ten", &base.join("ten"), 0);
    let long_at_ten = long::long_and_short(&mut ten, 0);
    drop(ten);
    let long_at_large = long::long_and_short(&mut large, 20);

    let rss_traffic = rss_mib();
    drop(small);
    let seq = large.engine.state().counters.next_seq;
    drop(large.engine);
    let dir = base.join("large");
    let bytes = disk_bytes(&dir);
    let breakdown = disk_breakdown(&dir, seq);
    let (restart, open_after, rss_restarted) = reopen_in_a_fresh_process(&dir);

    let p50 = percentile(&mut available, 0.5);
    let p99 = percentile(&mut available, 0.99);
    let ratio = cost_large / cost_small;
    println!(
        "per command at {LARGE} open: {cost_large:.1} us; at {SMALL} open (baseline, same run): {cost_small:.1} us"
    );
    println!(
        "cost per command, {LARGE} vs {SMALL} open conversations: {ratio:.2}x (target <= 1.5x: {})",
        verdict(ratio <= 1.5)
    );
    for (open, (long, short, own)) in [(10, long_at_ten), (LARGE, long_at_large)] {
        let long_ratio = long / short;
        println!(
            "per command over a conversation's first {} rounds: {long:.1} us; over its first 10 (fresh cohorts, same run): {short:.1} us: {long_ratio:.2}x at {open} open (target <= 1.2x: {}); over the cohort's own first 10, with a smaller store: {own:.1} us ({:.2}x)",
            long::LONG_ROUNDS,
            verdict(long_ratio <= 1.2),
            long / own
        );
    }
    println!(
        "agent available: p50 {:.2} ms, p99 {:.2} ms (target p99 < 5 ms: {})",
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3,
        verdict(p99 < Duration::from_millis(5))
    );
    println!(
        "resident memory with the engine open: {:.0} MiB in a fresh process, after restart and a round of traffic on every conversation (target <= 160 MiB: {}); {rss_traffic:.0} MiB in the bench process, two engines",
        rss_restarted.traffic,
        verdict(rss_restarted.traffic <= 160.0)
    );
    println!(
        "  of which: {:.0} MiB at the process's start, +{:.0} opening sled, +{:.0} loading the state, +{:.0} in the round of traffic (sled's cache fills; {} MiB at most)",
        rss_restarted.start,
        rss_restarted.store - rss_restarted.start,
        rss_restarted.engine - rss_restarted.store,
        rss_restarted.traffic - rss_restarted.engine,
        smsdesk_engine::store::DEFAULT_CACHE_MIB
    );
    println!(
        "restart: {:.0} ms with {open_after} open conversations (target < 2 s: {})",
        restart.as_secs_f64() * 1e3,
        verdict(restart < Duration::from_secs(2))
    );
    println!(
        "disk: {:.1} MiB for {seq} events, {:.0} bytes per event",
        bytes as f64 / (1 << 20) as f64,
        bytes as f64 / seq.max(1) as f64
    );
    println!("  {breakdown}");
    let _ = std::fs::remove_dir_all(&base);
}
