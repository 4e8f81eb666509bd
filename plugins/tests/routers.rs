//! The shipped routing policies, as plugins: longest-available agrees with
//! the native policy, round-robin takes turns, skills-based requires skills
//! and relaxes after a wait. Also: a router plugin driving the real engine,
//! a failing router falling back to longest-available, and hot reload.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::*;
use smsdesk_core::routing::{Candidate, LongestAvailable, Pick, RouteRequest, Router, Routers};
use smsdesk_core::setup::{AgentSetup, EntryKind, EntryPoint, QueueSetup, Setup};
use smsdesk_core::*;
use smsdesk_engine::store::MemoryStore;
use smsdesk_engine::Engine;
use smsdesk_plugins::reload::Watched;
use smsdesk_plugins::router::ReloadingRouter;
use smsdesk_plugins::RouterPlugin;

fn router(name: &str, settings: &[(&str, &str)]) -> RouterPlugin {
    let settings = settings.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    RouterPlugin::load(&host(), name, &plugin(name), settings).unwrap()
}

struct Fixture {
    agents: Vec<AgentId>,
    skills: Vec<BTreeSet<String>>,
    none: BTreeSet<String>,
    queue: QueueName,
    customer: CustomerNumber,
    entry: EntryNumber,
}

impl Fixture {
    fn new(n: usize) -> Self {
        Self {
            agents: (0..n)
                .map(|i| AgentId::new(format!("@agent{i:04}:example.com")))
                .collect(),
            skills: (0..n)
                .map(|i| {
                    if i % 3 == 0 {
                        ["spanish".to_owned()].into()
                    } else {
                        BTreeSet::new()
                    }
                })
                .collect(),
            none: BTreeSet::new(),
            queue: QueueName::from("billing"),
            customer: CustomerNumber::from("+15557770001"),
            entry: EntryNumber::parse("+15550001111").unwrap(),
        }
    }

    fn candidates(&self, idle: impl Fn(usize) -> u64) -> Vec<Candidate<'_>> {
        self.agents
            .iter()
            .enumerate()
            .map(|(i, a)| Candidate {
                agent: a,
                ordinal: i as u32,
                idle: Duration::from_millis(idle(i)),
                load: (i % 2) as u32,
                capacity: 2,
                skills: &self.skills[i],
            })
            .collect()
    }

    fn request<'a>(&'a self, required: &'a BTreeSet<String>, waited: u64) -> RouteRequest<'a> {
        RouteRequest {
            conversation: ConversationId(1),
            queue: &self.queue,
            customer: &self.customer,
            entry: &self.entry,
            waited: Duration::from_millis(waited),
            last_agent: None,
            required_skills: required,
            fields: &[],
        }
    }
}

#[test]
fn longest_available_plugin_agrees_with_the_native_policy() {
    let mut wasm = router("router-longest-available", &[]);
    let f = Fixture::new(200);
    for seed in 0..20u64 {
        let c = f.candidates(|i| (i as u64 * 7919 + seed * 104_729) % 5_000);
        let native = LongestAvailable::choose(&c).map_or(Pick::Wait, Pick::Agent);
        assert_eq!(wasm.pick(&f.request(&f.none, 0), &c).unwrap(), native, "seed {seed}");
    }
    assert_eq!(wasm.pick(&f.request(&f.none, 0), &[]).unwrap(), Pick::Wait);
}

#[test]
fn round_robin_takes_turns_in_a_stable_order() {
    let mut rr = router("router-round-robin", &[]);
    let f = Fixture::new(3);
    let c = f.candidates(|_| 1_000);
    let picks: Vec<_> = (0..6)
        .map(|_| match rr.pick(&f.request(&f.none, 0), &c).unwrap() {
            Pick::Agent(i) => i,
            Pick::Wait => usize::MAX,
        })
        .collect();
    assert_eq!(picks, [0, 1, 2, 0, 1, 2]);
    // An agent who is not a candidate this time is skipped, the order kept.
    let without_second = vec![c[0].clone(), c[2].clone()];
    assert_eq!(
        rr.pick(&f.request(&f.none, 0), &without_second).unwrap(),
        Pick::Agent(0)
    );
    assert_eq!(
        rr.pick(&f.request(&f.none, 0), &without_second).unwrap(),
        Pick::Agent(1)
    );
}

#[test]
fn skills_router_requires_skills_then_relaxes_after_the_wait() {
    // The current build (interface 0.3.0) and the kept 0.2.0 binary alike.
    let settings = vec![("relax_after_ms".to_owned(), "60000".to_owned())];
    let old = RouterPlugin::load(&host(), "skills-0.2.0", &v0_2_fixture("router-skills"), settings).unwrap();
    assert_eq!(old.info().version, "0.2.0");
    let current = router("router-skills", &[("relax_after_ms", "60000")]);
    assert_eq!(current.info().version, "0.3.0");
    for skills in [current, old] {
        skills_then_relax(skills);
    }
}

fn skills_then_relax(mut skills: RouterPlugin) {
    let f = Fixture::new(6);
    let c = f.candidates(|i| 1_000 + i as u64);
    let spanish: BTreeSet<String> = ["spanish".to_owned()].into();
    // Agents 0 and 3 speak Spanish; 3 has waited longer.
    assert_eq!(skills.pick(&f.request(&spanish, 0), &c).unwrap(), Pick::Agent(3));
    // Nobody with the skill: wait, until the conversation has waited 60 s.
    let without: Vec<_> = c.iter().filter(|k| k.skills.is_empty()).cloned().collect();
    assert_eq!(skills.pick(&f.request(&spanish, 59_999), &without).unwrap(), Pick::Wait);
    assert_eq!(
        skills.pick(&f.request(&spanish, 60_000), &without).unwrap(),
        Pick::Agent(3),
        "longest idle among all"
    );
    // No requirement: plain longest-available.
    assert_eq!(skills.pick(&f.request(&f.none, 0), &c).unwrap(), Pick::Agent(5));
}

#[test]
fn a_0_3_router_routes_on_an_intake_field() {
    let mut by_field = router("router-by-field", &[("field", "language")]);
    let f = Fixture::new(6);
    let c = f.candidates(|i| 1_000 + i as u64);
    // Agents 0 and 3 have the skill "spanish"; 3 has waited longer; 5 longest of all.
    let fields = [("language".to_owned(), "spanish".to_owned())];
    let request = RouteRequest {
        fields: &fields,
        ..f.request(&f.none, 0)
    };
    assert_eq!(by_field.pick(&request, &c).unwrap(), Pick::Agent(3));
    // Without the field, or with a value nobody has: longest available.
    assert_eq!(by_field.pick(&f.request(&f.none, 0), &c).unwrap(), Pick::Agent(5));
    let fields = [("language".to_owned(), "klingon".to_owned())];
    let request = RouteRequest {
        fields: &fields,
        ..f.request(&f.none, 0)
    };
    assert_eq!(by_field.pick(&request, &c).unwrap(), Pick::Agent(5));
}

fn setup() -> Setup {
    let mut setup = Setup::default()
        .with_queue(QueueSetup::new("billing"))
        .with_entry_point(EntryPoint {
            number: EntryNumber::parse("+15550001111").unwrap(),
            kind: EntryKind::LongCode,
            carrier: CarrierName::from("twilio"),
            queue: QueueName::from("billing"),
            skills: ["spanish".to_owned()].into(),
            keywords: smsdesk_core::keywords::KeywordMode::Carrier,
            intake_timeout: None,
        });
    for (id, skills) in [("@ann:example.com", vec![]), ("@bea:example.com", vec!["spanish"])] {
        let mut a = AgentSetup::new(id, &["billing"]);
        a.skills = skills.into_iter().map(str::to_owned).collect();
        setup = setup.with_agent(a);
    }
    setup
}

fn sms(sid: &str) -> Command {
    Command::ReceiveSms(InboundSms {
        carrier: CarrierName::from("twilio"),
        carrier_message_id: CarrierMessageId::from(sid),
        from: CustomerNumber::from("+15557770001"),
        to: EntryNumber::parse("+15550001111").unwrap(),
        body: "hola".into(),
        media: vec![],
    })
}

#[test]
fn the_engine_routes_through_a_router_plugin() {
    let mut routers = Routers::default();
    routers.set(QueueName::from("billing"), Box::new(router("router-skills", &[])));
    let mut engine = Engine::open(MemoryStore::new(), setup(), routers).unwrap();
    // Ann has waited longer, but only Bea speaks Spanish.
    engine
        .execute(
            Command::SetAvailable {
                agent: AgentId::from("@ann:example.com"),
            },
            Timestamp(1_000),
        )
        .unwrap()
        .unwrap();
    engine
        .execute(
            Command::SetAvailable {
                agent: AgentId::from("@bea:example.com"),
            },
            Timestamp(5_000),
        )
        .unwrap()
        .unwrap();
    let outcome = engine.execute_batch(vec![sms("SM1")], Timestamp(9_000)).unwrap();
    let offered: Vec<_> = outcome
        .routed
        .iter()
        .filter_map(|r| match &r.event {
            Event::Offered { agent, .. } => Some(agent.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(offered, ["@bea:example.com"]);
}

#[test]
fn a_failing_router_falls_back_to_longest_available() {
    // "sleep": before, the router waited an hour inside the host, holding
    // the engine; now it fails at once, like a trap.
    for mode in ["trap", "sleep"] {
        let mut routers = Routers::default();
        let hostile = RouterPlugin::load(
            &host(),
            "hostile",
            &plugin("router-hostile"),
            vec![("mode".into(), mode.into())],
        )
        .unwrap();
        routers.set(QueueName::from("billing"), Box::new(hostile));
        let mut engine = Engine::open(MemoryStore::new(), setup(), routers).unwrap();
        engine
            .execute(
                Command::SetAvailable {
                    agent: AgentId::from("@ann:example.com"),
                },
                Timestamp(1_000),
            )
            .unwrap()
            .unwrap();
        let started = std::time::Instant::now();
        let outcome = engine.execute_batch(vec![sms("SM1")], Timestamp(9_000)).unwrap();
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "{mode}: {:?}",
            started.elapsed()
        );
        assert!(
            outcome
                .routed
                .iter()
                .any(|r| matches!(&r.event, Event::Offered { agent, .. } if agent.as_str() == "@ann:example.com")),
            "{mode}: the conversation was not routed: {:?}",
            outcome.routed
        );
    }
}

#[test]
fn hot_reload_swaps_the_plugin_and_keeps_the_old_one_if_the_new_file_is_broken() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("router.wasm");
    std::fs::copy(plugin("router-round-robin"), &path).unwrap();
    let host = host();
    let watched = Watched::load(&path, move |p| RouterPlugin::load(&host, "queue-router", p, vec![])).unwrap();
    assert!(!watched.reload_if_changed().unwrap(), "nothing changed yet");

    // A broken file: the error is reported and the old plugin stays in use.
    std::fs::write(&path, b"\0asm broken").unwrap();
    let err = watched.reload_if_changed().unwrap_err();
    assert!(err.to_string().contains("not a valid WebAssembly component"), "{err}");
    assert!(watched.get().info().exports.iter().any(|e| e.contains("router@0.3.0")));
    assert!(!watched.reload_if_changed().unwrap(), "a broken file is reported once");

    // A carrier plugin in a router's place: refused too.
    std::fs::copy(plugin("carrier-twilio"), &path).unwrap();
    assert!(watched.reload_if_changed().is_err());
}

#[test]
fn a_reloading_router_changes_policy_when_its_file_changes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("router.wasm");
    std::fs::copy(plugin("router-round-robin"), &path).unwrap();
    let mut r = ReloadingRouter::load(&host(), "billing", &path, vec![]).unwrap();
    let reloader = r.reloader();
    let f = Fixture::new(3);
    let c = f.candidates(|i| 1_000 * (i as u64 + 1)); // agent 2 has waited longest
    let mut picks = || -> Vec<Pick> { (0..3).map(|_| r.pick(&f.request(&f.none, 0), &c).unwrap()).collect() };
    assert_eq!(picks(), [Pick::Agent(0), Pick::Agent(1), Pick::Agent(2)], "round-robin");
    // Broken file: still round-robin.
    std::fs::write(&path, b"not wasm").unwrap();
    assert!(reloader.reload_if_changed().is_err());
    assert_eq!(
        picks(),
        [Pick::Agent(0), Pick::Agent(1), Pick::Agent(2)],
        "kept the loaded version"
    );
    // Longest-available arrives: always the agent who waited longest.
    std::fs::copy(plugin("router-longest-available"), &path).unwrap();
    // Picking alone never reloads (no compile on the engine thread).
    assert_eq!(picks()[0], Pick::Agent(0), "still round-robin until reloaded");
    assert!(reloader.reload_if_changed().unwrap());
    assert_eq!(
        picks(),
        [Pick::Agent(2), Pick::Agent(2), Pick::Agent(2)],
        "swapped to longest-available"
    );
}
