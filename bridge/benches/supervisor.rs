//! Supervisor reads at contact-center scale (issue #14): 1,000 agents in
//! 10 queues and 10,000 conversations closed today (each accepted, ended
//! and wrapped up), plus 500 waiting. Through the engine's thread, as the
//! server reads it, it times:
//! - the baseline: a plain engine read (one queue's waiting count);
//! - `!stats`: every queue's figures, rendered as the supervisor's table;
//! - one wallboard update: the board (figures and agents by state) as the
//!   JSON the page receives.
//!
//! Prints p50 and p99 of each and the ratios to the baseline. Figures are
//! kept as day totals by the engine, so neither read grows with the day's
//! conversations: the ratios measure the per-agent and per-queue work.
//! Run: `cargo bench -p smsdesk --bench supervisor`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use smsdesk::matrix::supervisor::answers;
use smsdesk::wallboard::view;
use smsdesk_core::routing::Routers;
use smsdesk_core::setup::{AgentSetup, EntryKind, EntryPoint, QueueSetup, Setup};
use smsdesk_core::*;
use smsdesk_engine::clock::SystemClock;
use smsdesk_engine::committer::{Committer, Options};
use smsdesk_engine::store::MemoryStore;
use smsdesk_engine::*;

const AGENTS: usize = 1_000;
const QUEUES: usize = 10;
const CLOSED: usize = 10_000;
const WAITING: usize = 500;
const ROUNDS: usize = 2_000;

fn queue(q: usize) -> QueueName {
    QueueName::from(format!("queue{q}").as_str())
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
        s = s
            .with_queue(QueueSetup::new(queue(q).as_str()))
            .with_entry_point(EntryPoint {
                number: entry(q),
                kind: EntryKind::LongCode,
                carrier: CarrierName::from("twilio"),
                queue: queue(q),
                skills: Default::default(),
                keywords: smsdesk_core::keywords::KeywordMode::Carrier,
                intake_timeout: None,
            });
    }
    for i in 0..AGENTS {
        s = s.with_agent(AgentSetup::new(agent(i).as_str(), &[queue(i % QUEUES).as_str()]));
    }
    s
}

fn run(engine: &mut Engine<MemoryStore>, commands: Vec<Command>, now: Timestamp) {
    let outcome = engine.execute_batch(commands, now).expect("batch");
    for r in outcome.results {
        r.expect("accepted");
    }
}

/// The day: every agent takes ten conversations in turn, then 500 more wait.
fn build() -> Engine<MemoryStore> {
    let mut engine = Engine::open(MemoryStore::new(), setup(), Routers::default()).expect("engine");
    let mut now = smsdesk_engine::clock::now();
    let available: Vec<Command> = (0..AGENTS).map(|i| Command::SetAvailable { agent: agent(i) }).collect();
    run(&mut engine, available, now);
    let sms = |n: usize| {
        Command::ReceiveSms(InboundSms {
            carrier: "twilio".into(),
            carrier_message_id: format!("SM{n:032}").as_str().into(),
            from: CustomerNumber::from(format!("+1555{n:07}").as_str()),
            to: entry(n % QUEUES),
            body: "my bill".into(),
            media: Vec::new(),
        })
    };
    for wave in 0..CLOSED / AGENTS {
        now = now.plus(Duration::from_secs(30));
        run(&mut engine, (0..AGENTS).map(|i| sms(wave * AGENTS + i)).collect(), now);
        now = now.plus(Duration::from_secs(20));
        let accept = (0..AGENTS).map(|i| Command::Accept {
            agent: agent(i),
            conversation: None,
        });
        run(&mut engine, accept.collect(), now);
        let held: Vec<(AgentId, ConversationId)> = (0..AGENTS)
            .flat_map(|i| {
                let a = agent(i);
                engine
                    .state()
                    .holdings(&a)
                    .map(|c| (a.clone(), c.id))
                    .collect::<Vec<_>>()
            })
            .collect();
        now = now.plus(Duration::from_secs(240));
        let end = held.iter().map(|(a, c)| Command::End {
            agent: a.clone(),
            conversation: *c,
        });
        run(&mut engine, end.collect(), now);
        let wrap = held.iter().map(|(a, c)| Command::Wrapup {
            agent: a.clone(),
            conversation: *c,
            choice: None,
        });
        run(&mut engine, wrap.collect(), now);
    }
    let offline: Vec<Command> = (0..AGENTS).map(|i| Command::SetOffline { agent: agent(i) }).collect();
    run(&mut engine, offline, now);
    run(&mut engine, (CLOSED..CLOSED + WAITING).map(sms).collect(), now);
    engine
}

fn percentiles(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    (us(v[v.len() / 2]), us(v[(v.len() * 99 / 100).min(v.len() - 1)]))
}

fn main() {
    let started = Instant::now();
    let engine = build();
    let totals: u64 = engine.state().totals().0.values().map(|t| t.accepted).sum();
    assert_eq!(totals as usize, CLOSED, "every conversation of the day was accepted");
    println!(
        "built {CLOSED} closed conversations and {WAITING} waiting over {AGENTS} agents in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let committer = Arc::new(Committer::spawn(engine, Arc::new(SystemClock), Options::default()));
    let queues: Vec<QueueName> = (0..QUEUES).map(queue).collect();
    let (mut base, mut stats, mut board) = (Vec::new(), Vec::new(), Vec::new());
    let mut sizes = (0, 0);
    for _ in 0..ROUNDS {
        let t = Instant::now();
        let waiting = committer.query(|e| e.state().waiting_count(&queue(0))).expect("engine");
        base.push(t.elapsed());
        assert!(waiting > 0);

        let t = Instant::now();
        let now = smsdesk_engine::clock::now();
        let qs = queues.clone();
        let text = committer
            .query(move |e| {
                answers::stats(
                    &smsdesk::i18n::Lang::default(),
                    &smsdesk_core::figures::all(e.state(), Some(&qs), now),
                )
            })
            .expect("engine");
        stats.push(t.elapsed());
        sizes.0 = text.html.as_ref().map_or(0, String::len);

        let t = Instant::now();
        let json = committer
            .query(move |e| serde_json::to_string(&view::board(e.state(), now, None)).expect("json"))
            .expect("engine");
        board.push(t.elapsed());
        sizes.1 = json.len();
    }
    let (b50, b99) = percentiles(base);
    let (s50, s99) = percentiles(stats);
    let (w50, w99) = percentiles(board);
    println!("plain engine read (baseline): p50 {b50:.1} µs, p99 {b99:.1} µs");
    println!(
        "!stats ({QUEUES} queues, {} bytes of HTML): p50 {s50:.1} µs, p99 {s99:.1} µs — {:.2}x / {:.2}x the baseline",
        sizes.0,
        s50 / b50,
        s99 / b99
    );
    println!(
        "wallboard update ({} bytes of JSON): p50 {w50:.1} µs, p99 {w99:.1} µs — {:.2}x / {:.2}x the baseline",
        sizes.1,
        w50 / b50,
        w99 / b99
    );
}
