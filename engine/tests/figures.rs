//! Supervisor figures (docs/supervisor-guide.md) on a hand-built day: two queues,
//! one in UTC and one in Tokyo; a declined offer, an abandoned
//! conversation, a transfer to another agent, a conference, a restart in
//! the middle of the day, and a Tokyo midnight that starts a new day there
//! while it is still the same day in UTC. Every expected number is worked
//! out by hand in the comments.
#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use std::time::Duration;

use smsdesk_core::figures::{self, QueueFigures};
use smsdesk_core::routing::Routers;
use smsdesk_core::setup::{AgentSetup, EntryKind, EntryPoint, QueueSetup, Setup};
use smsdesk_core::*;
use smsdesk_engine::store::MemoryStore;
use smsdesk_engine::*;

const BILLING_NO: &str = "+15550001111";
const TOKYO_NO: &str = "+15550002222";

fn alice() -> AgentId {
    AgentId::from("@alice:example.com")
}
fn bob() -> AgentId {
    AgentId::from("@bob:example.com")
}
fn carol() -> AgentId {
    AgentId::from("@carol:example.com")
}

/// 2026-12-01 at `hms` UTC.
fn at(hms: &str) -> Timestamp {
    let t: jiff::Timestamp = format!("2026-12-01T{hms}Z").parse().unwrap();
    Timestamp(t.as_millisecond() as u64)
}

fn setup() -> Setup {
    let billing = QueueSetup::new("billing"); // UTC, sla 60 s (the default)
    let mut tokyo = QueueSetup::new("tokyo");
    tokyo.timezone = jiff::tz::TimeZone::get("Asia/Tokyo").unwrap();
    tokyo.sla = Duration::from_secs(30);
    for q in [&billing, &tokyo] {
        assert_eq!(q.wrapup_reasons.len(), 0);
    }
    let entry = |n: &str, queue: &str| EntryPoint {
        number: EntryNumber::parse(n).unwrap(),
        kind: EntryKind::LongCode,
        carrier: CarrierName::from("twilio"),
        queue: QueueName::from(queue),
        skills: Default::default(),
        keywords: EntryKind::LongCode.default_keywords(),
        intake_timeout: None,
    };
    let mut a = AgentSetup::new("@alice:example.com", &["billing", "tokyo"]);
    a.capacity = 3;
    let mut c = AgentSetup::new("@carol:example.com", &["billing"]);
    c.capacity = 2;
    Setup::default()
        .with_queue(billing)
        .with_queue(tokyo)
        .with_entry_point(entry(BILLING_NO, "billing"))
        .with_entry_point(entry(TOKYO_NO, "tokyo"))
        .with_agent(a)
        .with_agent(AgentSetup::new("@bob:example.com", &["billing"]))
        .with_agent(c)
}

struct Day {
    store: MemoryStore,
    engine: Engine<MemoryStore>,
    sid: u64,
}

impl Day {
    fn new() -> Self {
        let store = MemoryStore::new();
        let engine = Engine::open(store.clone(), setup(), Routers::default()).unwrap();
        Self { store, engine, sid: 0 }
    }

    /// Stops the engine and opens the same store again.
    fn restart(&mut self) {
        self.engine = Engine::open(self.store.clone(), setup(), Routers::default()).unwrap();
    }

    fn run(&mut self, when: &str, command: Command) -> Vec<Event> {
        let text = format!("{command:?}");
        let mut outcome = self.engine.execute_batch(vec![command], at(when)).unwrap();
        let done = outcome.results.pop().unwrap().unwrap_or_else(|r| panic!("{text}: {r}"));
        done.records
            .into_iter()
            .chain(outcome.routed)
            .map(|r| r.event)
            .collect()
    }

    fn sms(&mut self, when: &str, from: &str, to: &str, body: &str) -> ConversationId {
        self.sid += 1;
        let command = Command::ReceiveSms(InboundSms {
            carrier: CarrierName::from("twilio"),
            carrier_message_id: CarrierMessageId::from(format!("SM{}", self.sid).as_str()),
            from: CustomerNumber::from(from),
            to: EntryNumber::parse(to).unwrap(),
            body: body.to_owned(),
            media: Vec::new(),
        });
        self.engine
            .execute(command, at(when))
            .unwrap()
            .unwrap()
            .conversation()
            .unwrap()
    }

    fn offered_to(&self, c: ConversationId) -> Option<AgentId> {
        match &self.engine.state().conversation(c)?.phase {
            model::Phase::Offered { agent, .. } => Some(agent.clone()),
            _ => None,
        }
    }

    fn figures(&self, when: &str, queue: &str) -> QueueFigures {
        let q = self
            .engine
            .state()
            .setup
            .queue(&QueueName::from(queue))
            .unwrap()
            .clone();
        figures::queue_figures(self.engine.state(), &q, at(when))
    }
}

fn accept(agent: &AgentId, c: ConversationId) -> Command {
    Command::Accept {
        agent: agent.clone(),
        conversation: Some(c),
    }
}

fn available(agent: &AgentId) -> Command {
    Command::SetAvailable { agent: agent.clone() }
}

fn end_and_wrap(d: &mut Day, agent: &AgentId, c: ConversationId, end: &str, wrap: &str) {
    d.run(
        end,
        Command::End {
            agent: agent.clone(),
            conversation: c,
        },
    );
    d.run(
        wrap,
        Command::Wrapup {
            agent: agent.clone(),
            conversation: c,
            choice: None,
        },
    );
}

fn secs(d: Option<Duration>) -> Option<u64> {
    d.map(|d| d.as_secs())
}

/// Billing's morning: c0 accepted within the SLA, c1 beyond it after a
/// decline, c2 abandoned by STOP. Returns c0 and c1.
fn billing_morning(d: &mut Day) -> (ConversationId, ConversationId) {
    // c0 waits from 10:00:00; Alice comes at 10:00:40 and accepts at
    // 10:00:50: 50 s in queue, within billing's 60 s.
    let c0 = d.sms("10:00:00", "+15557770000", BILLING_NO, "my bill");
    d.run("10:00:40", available(&alice()));
    assert_eq!(d.offered_to(c0), Some(alice()));
    d.run("10:00:50", accept(&alice(), c0));

    // Alice steps away (keeping c0). c1 waits from 10:01:00; Bob comes at
    // 10:02:00 and is offered it, Carol comes at 10:02:05, Bob declines at
    // 10:02:10 and Carol is offered it; she accepts at 10:03:30: 150 s in
    // queue, beyond the SLA. A decline does not restart the wait.
    d.run(
        "10:00:55",
        Command::SetIdle {
            agent: alice(),
            code: None,
        },
    );
    let c1 = d.sms("10:01:00", "+15557770001", BILLING_NO, "refund?");
    d.run("10:02:00", available(&bob()));
    assert_eq!(d.offered_to(c1), Some(bob()));
    d.run("10:02:05", available(&carol()));
    d.run(
        "10:02:10",
        Command::Decline {
            agent: bob(),
            conversation: Some(c1),
        },
    );
    assert_eq!(d.offered_to(c1), Some(carol()));
    d.run("10:03:30", accept(&carol(), c1));

    // c2 is offered (to Bob or Carol) and the customer texts STOP before
    // anyone accepts: abandoned.
    let c2 = d.sms("10:05:00", "+15557770002", BILLING_NO, "hello?");
    assert!(d.offered_to(c2).is_some());
    d.sms("10:05:30", "+15557770002", BILLING_NO, "STOP");
    assert!(matches!(
        d.engine.state().conversation(c2).map(|c| &c.phase),
        None | Some(model::Phase::Closed { .. })
    ));
    (c0, c1)
}

/// Carol joins c0's conference and leaves (not a second accept); c0 is
/// wrapped up at 10:21:00.
fn c0_conference_and_wrapup(d: &mut Day, c0: ConversationId) {
    // Conference on c0: Carol joins and leaves; it is not a second accept.
    d.run(
        "10:06:00",
        Command::RequestConference {
            agent: alice(),
            conversation: c0,
            target: carol(),
        },
    );
    d.run("10:06:10", accept(&carol(), c0));
    d.run(
        "10:08:00",
        Command::EndConference {
            agent: carol(),
            conversation: c0,
            target: None,
        },
    );
    // c0 wrapped up at 10:21:00: handled for 10:21:00 - 10:00:50 = 1210 s.
    end_and_wrap(d, &alice(), c0, "10:20:00", "10:21:00");
}

#[test]
fn a_day_of_two_queues_counted_by_hand() {
    let mut d = Day::new();
    let (c0, c1) = billing_morning(&mut d);
    c0_conference_and_wrapup(&mut d, c0);

    let before = d.figures("10:22:00", "billing");
    // accepted 2 (c0, c1), abandoned 1 (c2): SL = 1 within ÷ 3 = 0.333;
    // ASA = (50 + 150) / 2 = 100 s; AHT = 1210 s (c0 only so far).
    assert_eq!((before.accepted, before.abandoned), (2, 1));
    assert!((before.service_level.unwrap() - 1.0 / 3.0).abs() < 1e-9);
    assert_eq!(secs(before.asa), Some(100));
    assert_eq!(secs(before.aht), Some(1210));
    assert_eq!(before.day, "2026-12-01");
    // The curve: c0, c1 and c2 all came in 10:00–10:15 (interval 40): three
    // offered, one answered within the SLA (c0), one abandoned (c2); never
    // more than one waiting at once.
    let morning = smsdesk_core::intervals::Interval {
        offered: 3,
        answered_in_sla: 1,
        abandoned: 1,
        waiting: 1,
    };
    assert_eq!(before.intervals.get(&40), Some(&morning));
    assert_eq!(before.intervals.len(), 1, "{:?}", before.intervals);

    // A restart in the middle of the day changes nothing.
    d.restart();
    assert_eq!(d.figures("10:22:00", "billing"), before);

    // c1 goes from Carol to Bob (a transfer: Bob's accept is not counted
    // again) and is wrapped up at 10:31:00: 10:31:00 - 10:03:30 = 1650 s.
    d.run(
        "10:10:00",
        Command::TransferToAgent {
            agent: carol(),
            conversation: c1,
            target: bob(),
        },
    );
    d.run("10:10:20", accept(&bob(), c1));
    end_and_wrap(&mut d, &bob(), c1, "10:30:00", "10:31:00");
    let billing = d.figures("10:32:00", "billing");
    assert_eq!((billing.accepted, billing.abandoned), (2, 1));
    // AHT = (1210 + 1650) / 2 = 1430 s.
    assert_eq!(secs(billing.aht), Some(1430));
    assert_eq!(secs(billing.asa), Some(100));

    // Tokyo: c3 at 14:50 UTC (23:50 in Tokyo, Dec 1), accepted after 20 s;
    // c4 at 15:10 UTC (00:10 in Tokyo, Dec 2), accepted after 10 s.
    d.run("14:00:00", available(&alice()));
    let c3 = d.sms("14:50:00", "+15557770003", TOKYO_NO, "konbanwa");
    d.run("14:50:20", accept(&alice(), c3));
    let tokyo = d.figures("14:55:00", "tokyo");
    assert_eq!((tokyo.day.as_str(), tokyo.accepted), ("2026-12-01", 1));
    let c4 = d.sms("15:10:00", "+15557770004", TOKYO_NO, "ohayo");
    d.run("15:10:10", accept(&alice(), c4));

    // Bob and Carol leave, Alice pauses: c5 waits in billing from 15:15.
    d.run("15:11:00", Command::SetOffline { agent: bob() });
    d.run("15:11:00", Command::SetOffline { agent: carol() });
    d.run(
        "15:12:00",
        Command::SetIdle {
            agent: alice(),
            code: None,
        },
    );
    d.sms("15:15:00", "+15557770005", BILLING_NO, "anyone?");

    let tokyo = d.figures("15:20:00", "tokyo");
    // A new day in Tokyo: only c4, 10 s within 30 s.
    assert_eq!(tokyo.day, "2026-12-02");
    assert_eq!((tokyo.accepted, tokyo.abandoned), (1, 0));
    assert_eq!(tokyo.service_level, Some(1.0));
    assert_eq!(secs(tokyo.asa), Some(10));
    assert_eq!(tokyo.aht, None);
    assert_eq!(tokyo.agents["idle"], 1);
    // c4 came in at 00:10 Tokyo time: the new day's first interval.
    let first = smsdesk_core::intervals::Interval {
        offered: 1,
        answered_in_sla: 1,
        abandoned: 0,
        waiting: 1,
    };
    assert_eq!(tokyo.intervals.get(&0), Some(&first));

    let billing = d.figures("15:20:00", "billing");
    // Still Dec 1 in UTC: the day's totals stand; c5 waits 300 s.
    assert_eq!(billing.day, "2026-12-01");
    assert_eq!((billing.accepted, billing.abandoned), (2, 1));
    assert_eq!((billing.waiting, secs(billing.longest_wait)), (1, Some(300)));
    // c5 came in 15:15–15:30 (interval 61) and waits: seen waiting, not yet offered.
    assert_eq!(billing.intervals.get(&61).map(|i| (i.offered, i.waiting)), Some((0, 1)));
    assert_eq!(billing.intervals.get(&40), Some(&morning));
    assert_eq!(
        (
            billing.agents["idle"],
            billing.agents["offline"],
            billing.agents["available"]
        ),
        (1, 2, 0)
    );

    // After a restart, the same; and at UTC midnight billing starts afresh.
    d.restart();
    assert_eq!(d.figures("15:20:00", "billing"), billing);
    assert_eq!(d.figures("15:20:00", "tokyo"), tokyo);
    let next: jiff::Timestamp = "2026-12-02T00:10:00Z".parse().unwrap();
    let q = d
        .engine
        .state()
        .setup
        .queue(&QueueName::from("billing"))
        .unwrap()
        .clone();
    let tomorrow = figures::queue_figures(d.engine.state(), &q, Timestamp(next.as_millisecond() as u64));
    assert_eq!(
        (tomorrow.day.as_str(), tomorrow.accepted, tomorrow.abandoned),
        ("2026-12-02", 0, 0)
    );
    assert_eq!((tomorrow.service_level, tomorrow.asa, tomorrow.aht), (None, None, None));
    assert_eq!(tomorrow.waiting, 1, "what waits now still waits");
}
