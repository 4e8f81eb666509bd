//! A small contact center for tests: two queues, three entry points (one of
//! each kind), four agents, and a hand-driven clock.
#![allow(dead_code, clippy::unwrap_used)]

use std::time::Duration;

use smsdesk_core::model::{AgentStatus, Phase};
use smsdesk_core::routing::Routers;
use smsdesk_core::setup::{AgentSetup, EntryKind, EntryPoint, QueueSetup, Setup};
use smsdesk_core::*;
use smsdesk_engine::store::KvStore;
use smsdesk_engine::*;

pub const LONG: &str = "+15550001111";
pub const SHORT: &str = "12345";
pub const TOLLFREE: &str = "+18005550100";
pub const CUST: &str = "+15557770001";
pub const CUST2: &str = "+15557770002";

pub fn alice() -> AgentId {
    AgentId::from("@alice:example.com")
}
pub fn bob() -> AgentId {
    AgentId::from("@bob:example.com")
}
pub fn carol() -> AgentId {
    AgentId::from("@carol:example.com")
}
pub fn dave() -> AgentId {
    AgentId::from("@dave:example.com")
}
pub fn stranger() -> AgentId {
    AgentId::from("@mallory:example.com")
}

pub fn setup() -> Setup {
    let mut billing = QueueSetup::new("billing");
    billing.wrapup_reasons = vec!["Resolved".into(), "Follow-up needed".into(), "Wrong number".into()];
    let mut support = QueueSetup::new("support");
    support.offer_timeout = Duration::from_secs(10);
    support.auto_wrapup = Some(Duration::from_secs(60));
    support.wrapup_reasons = vec!["Resolved".into(), "Escalated".into()];
    let entry = |n: &str, kind, queue: &str| EntryPoint {
        number: EntryNumber::parse(n).unwrap(),
        kind,
        carrier: CarrierName::from("twilio"),
        queue: QueueName::from(queue),
        skills: Default::default(),
        keywords: kind.default_keywords(),
        intake_timeout: None,
    };
    let mut alice = AgentSetup::new("@alice:example.com", &["billing", "support"]);
    alice.capacity = 2;
    let mut setup = Setup::default()
        .with_queue(billing)
        .with_queue(support)
        .with_entry_point(entry(LONG, EntryKind::LongCode, "billing"))
        .with_entry_point(entry(SHORT, EntryKind::ShortCode, "support"))
        .with_entry_point(entry(TOLLFREE, EntryKind::TollFree, "billing"))
        .with_agent(alice)
        .with_agent(AgentSetup::new("@bob:example.com", &["billing"]))
        .with_agent(AgentSetup::new("@carol:example.com", &["billing", "support"]))
        .with_agent(AgentSetup::new("@dave:example.com", &["support"]));
    setup.idle_codes = vec!["Lunch".into(), "Meeting".into()];
    assert!(setup.problems().is_empty(), "{:?}", setup.problems());
    setup
}

pub mod store;
pub use store::TestStore;

pub struct Desk<S: KvStore = TestStore> {
    pub engine: Engine<S>,
    pub now: Timestamp,
    pub next_sid: u64,
}

impl Desk<TestStore> {
    /// On the store the run asks for (`SMSDESK_TEST_STORE`).
    pub fn new() -> Self {
        Self::open(TestStore::new(), Timestamp(1_700_000_000_000))
    }
}

impl<S: KvStore> Desk<S> {
    pub fn open(store: S, now: Timestamp) -> Self {
        Self::open_with(store, now, setup())
    }

    /// On `store`, with a setup of the test's own.
    pub fn open_with(store: S, now: Timestamp, setup: Setup) -> Self {
        Self {
            engine: Engine::open(store, setup, Routers::default()).unwrap(),
            now,
            next_sid: 1,
        }
    }

    pub fn state(&self) -> &State {
        self.engine.state()
    }

    /// Runs a command; returns its events (including offers routing made after it).
    pub fn run(&mut self, command: Command) -> Result<Vec<Event>, Rejection> {
        let mut outcome = self.engine.execute_batch(vec![command], self.now).unwrap();
        let result = outcome.results.pop().unwrap();
        result.map(|done| {
            done.records
                .into_iter()
                .chain(outcome.routed)
                .map(|r| r.event)
                .collect()
        })
    }

    pub fn ok(&mut self, command: Command) -> Vec<Event> {
        let text = format!("{command:?}");
        self.run(command).unwrap_or_else(|r| panic!("{text} refused: {r}"))
    }

    pub fn refused(&mut self, command: Command) -> Rejection {
        let before = self.state().clone();
        let text = format!("{command:?}");
        let r = match self.run(command) {
            Err(r) => r,
            Ok(events) => panic!("{text} was accepted: {events:?}"),
        };
        assert_eq!(&before, self.state(), "a refused command changed the state");
        r
    }

    pub fn sms_with_id(&mut self, from: &str, to: &str, body: &str, sid: &str) -> Executed {
        let command = Command::ReceiveSms(InboundSms {
            carrier: CarrierName::from("twilio"),
            carrier_message_id: CarrierMessageId::from(sid),
            from: CustomerNumber::from(from),
            to: EntryNumber::parse(to).unwrap(),
            body: body.to_owned(),
            media: Vec::new(),
        });
        self.engine.execute(command, self.now).unwrap().unwrap()
    }

    /// A customer SMS; returns the conversation it landed in.
    pub fn sms(&mut self, from: &str, to: &str, body: &str) -> ConversationId {
        let sid = format!("SM{:032}", self.next_sid);
        self.next_sid += 1;
        let done = self.sms_with_id(from, to, body, &sid);
        done.conversation().unwrap()
    }

    pub fn advance(&mut self, secs: u64) -> Vec<Event> {
        self.now = self.now.plus(Duration::from_secs(secs));
        let outcome = self.engine.tick(self.now).unwrap();
        let mut events: Vec<Event> = Vec::new();
        for r in outcome.results.into_iter().flatten() {
            events.extend(r.records.into_iter().map(|r| r.event));
        }
        events.extend(outcome.routed.into_iter().map(|r| r.event));
        events
    }

    pub fn available(&mut self, agent: &AgentId) -> Vec<Event> {
        self.ok(Command::SetAvailable { agent: agent.clone() })
    }

    pub fn accept(&mut self, agent: &AgentId, c: ConversationId) -> Vec<Event> {
        self.ok(Command::Accept {
            agent: agent.clone(),
            conversation: Some(c),
        })
    }

    pub fn phase(&self, c: ConversationId) -> Phase {
        self.state()
            .conversation(c)
            .map(|c| c.phase.clone())
            .unwrap_or(Phase::Closed {
                reason: "(forgotten)".into(),
                at: Timestamp(0),
            })
    }

    pub fn label(&self, c: ConversationId) -> &'static str {
        match self.state().conversation(c) {
            Some(c) => c.phase.label(),
            None => "closed",
        }
    }

    pub fn status(&self, agent: &AgentId) -> AgentStatus {
        self.state().agent(agent).unwrap().status.clone()
    }

    pub fn offered_to(&self, c: ConversationId) -> Option<AgentId> {
        match self.phase(c) {
            Phase::Offered { agent, .. } => Some(agent),
            _ => None,
        }
    }

    pub fn owner(&self, c: ConversationId) -> Option<AgentId> {
        match self.phase(c) {
            Phase::Active { owner, .. } => Some(owner),
            _ => None,
        }
    }

    /// Alice takes a fresh conversation from CUST on the long code.
    pub fn active_with(&mut self, agent: &AgentId) -> ConversationId {
        self.available(agent);
        let c = self.sms(CUST, LONG, "hello");
        assert_eq!(self.offered_to(c).as_ref(), Some(agent));
        self.accept(agent, c);
        c
    }
}

/// The automatic texts among `events`, as (kind, body).
pub fn auto_texts(events: &[Event]) -> Vec<(smsdesk_core::model::AutoText, String)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::AutoReplied { kind, body, .. } => Some((*kind, body.clone())),
            _ => None,
        })
        .collect()
}
