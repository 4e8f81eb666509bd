//! The static setup the engine runs with: queues, entry points, the agent
//! roster and idle codes. It comes from the operator's config file (parsed in
//! `bridge`) and is never persisted: changing the config and restarting
//! changes it. This module must not hold runtime state.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::hours::Hours;
use crate::ids::{AgentId, CarrierName, EntryNumber, QueueName};
use crate::keywords::{KeywordMode, Keywords};

/// The kind of business number, shown to agents with every offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    LongCode,
    ShortCode,
    TollFree,
}

impl EntryKind {
    /// Who answers STOP / START / HELP unless the entry point says: the
    /// carrier on long codes and toll-free (it already does), smsdesk on
    /// short codes.
    pub fn default_keywords(self) -> KeywordMode {
        match self {
            EntryKind::ShortCode => KeywordMode::Smsdesk,
            EntryKind::LongCode | EntryKind::TollFree => KeywordMode::Carrier,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EntryKind::LongCode => "long code",
            EntryKind::ShortCode => "short code",
            EntryKind::TollFree => "toll-free",
        }
    }
}

/// Seed defaults (docs/configuration.md).
pub const DEFAULT_OFFER_TIMEOUT: Duration = Duration::from_secs(30);
pub const DEFAULT_CAPACITY: u32 = 1;
/// `queues[].sla` unless set (docs/configuration.md).
pub const DEFAULT_SLA: Duration = Duration::from_secs(60);
/// How long a returning customer waits for their last agent (`sticky_wait`).
pub const DEFAULT_STICKY_WAIT: Duration = Duration::from_secs(30);
/// Replies longer than this many characters are refused (seed limit).
pub const MAX_REPLY_CHARS: usize = 1_000;
/// The longest internal note, in characters (it never becomes an SMS; the
/// bound keeps one note one readable Matrix event).
pub const MAX_NOTE_CHARS: usize = 4_000;
/// Most attachments in one reply (Twilio takes 10 media per message).
pub const MAX_REPLY_MEDIA: usize = 10;
/// The wrap-up reason recorded when the auto wrap-up timer closes a conversation.
pub const AUTO_WRAPUP_REASON: &str = "auto wrap-up";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueSetup {
    pub name: QueueName,
    /// How long an agent has to accept an offer before going RONA.
    pub offer_timeout: Duration,
    /// `None` = off: the conversation waits in wrap-up until the agent picks a reason.
    pub auto_wrapup: Option<Duration>,
    pub wrapup_reasons: Vec<String>,
    /// Business hours; `None` = always open.
    pub hours: Option<Hours>,
    /// Sent once to a conversation that opens while the queue is closed
    /// (`{opens}`: the next opening, local time).
    pub closed_reply: Option<String>,
    /// Sent when a conversation opens (while open).
    pub greeting: Option<String>,
    /// Sent once when a conversation has waited `busy_after` (`{position}`).
    pub busy_reply: Option<String>,
    pub busy_after: Option<Duration>,
    /// An active conversation whose customer is silent this long is paused.
    pub inactivity: Option<Duration>,
    /// Where the queue's day starts and ends (figures "since local
    /// midnight", and `hours`); UTC unless the config says.
    pub timezone: jiff::tz::TimeZone,
    /// Accepted within this long counts toward the service level.
    pub sla: Duration,
    /// Back to the last agent: a customer who texts again within this long
    /// after their last conversation here closed is offered to that agent
    /// first. `None` = off.
    pub sticky: Option<Duration>,
    /// How long a returning customer waits for their last agent before the
    /// queue's router decides as usual.
    pub sticky_wait: Duration,
}

impl QueueSetup {
    pub fn new(name: &str) -> Self {
        Self {
            name: QueueName::from(name),
            offer_timeout: DEFAULT_OFFER_TIMEOUT,
            auto_wrapup: None,
            wrapup_reasons: Vec::new(),
            hours: None,
            closed_reply: None,
            greeting: None,
            busy_reply: None,
            busy_after: None,
            inactivity: None,
            timezone: jiff::tz::TimeZone::UTC,
            sla: DEFAULT_SLA,
            sticky: None,
            sticky_wait: DEFAULT_STICKY_WAIT,
        }
    }

    /// Whether the queue takes offers at `at` (its business hours).
    pub fn is_open(&self, at: crate::ids::Timestamp) -> bool {
        self.hours.as_ref().is_none_or(|h| h.is_open(at))
    }
}

/// What smsdesk answers by itself (`[compliance]`, docs/configuration.md).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Compliance {
    pub keywords: Keywords,
    pub help_reply: Option<String>,
    pub opt_out_reply: Option<String>,
    pub opt_in_reply: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryPoint {
    pub number: EntryNumber,
    pub kind: EntryKind,
    pub carrier: CarrierName,
    pub queue: QueueName,
    /// Skills every conversation opened on this number requires (for skills-based routing).
    pub skills: BTreeSet<String>,
    /// Who answers STOP / START / HELP with a text.
    pub keywords: KeywordMode,
    /// With an intake bot: how long the customer may take to answer it
    /// before the conversation is queued anyway. `None`: no intake.
    pub intake_timeout: Option<std::time::Duration>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentSetup {
    pub id: AgentId,
    pub name: String,
    pub queues: BTreeSet<QueueName>,
    /// Max concurrent conversations: offered, active, conference and wrap-up all count.
    pub capacity: u32,
    pub skills: BTreeSet<String>,
}

impl AgentSetup {
    pub fn new(id: &str, queues: &[&str]) -> Self {
        Self {
            id: AgentId::from(id),
            name: id.trim_start_matches('@').split(':').next().unwrap_or(id).to_owned(),
            queues: queues.iter().map(|q| QueueName::from(*q)).collect(),
            capacity: DEFAULT_CAPACITY,
            skills: BTreeSet::new(),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Setup {
    pub queues: BTreeMap<QueueName, QueueSetup>,
    pub entry_points: BTreeMap<EntryNumber, EntryPoint>,
    pub agents: BTreeMap<AgentId, AgentSetup>,
    pub idle_codes: Vec<String>,
    pub compliance: Compliance,
}

impl Setup {
    pub fn with_queue(mut self, queue: QueueSetup) -> Self {
        self.queues.insert(queue.name.clone(), queue);
        self
    }

    pub fn with_entry_point(mut self, entry: EntryPoint) -> Self {
        self.entry_points.insert(entry.number.clone(), entry);
        self
    }

    pub fn with_agent(mut self, agent: AgentSetup) -> Self {
        self.agents.insert(agent.id.clone(), agent);
        self
    }

    pub fn queue(&self, name: &QueueName) -> Option<&QueueSetup> {
        self.queues.get(name)
    }

    /// The offer timeout of `queue`; the seed default for a queue that left the config.
    pub fn offer_timeout(&self, queue: &QueueName) -> Duration {
        self.queue(queue).map_or(DEFAULT_OFFER_TIMEOUT, |q| q.offer_timeout)
    }

    pub fn queue_names(&self) -> Vec<String> {
        self.queues.keys().map(|q| q.to_string()).collect()
    }

    /// Cross-references that the engine relies on. Returns every problem, not just the first.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for e in self.entry_points.values() {
            if !self.queues.contains_key(&e.queue) {
                out.push(format!(
                    "entry point {} names unknown queue {:?}",
                    e.number,
                    e.queue.as_str()
                ));
            }
            if e.number.is_short_code() != (e.kind == EntryKind::ShortCode) {
                out.push(format!(
                    "entry point {} is declared {} but its number is {}",
                    e.number,
                    e.kind.label(),
                    if e.number.is_short_code() {
                        "a short code"
                    } else {
                        "E.164"
                    }
                ));
            }
        }
        for a in self.agents.values() {
            for q in &a.queues {
                if !self.queues.contains_key(q) {
                    out.push(format!("agent {} is a member of unknown queue {:?}", a.id, q.as_str()));
                }
            }
            if a.capacity == 0 {
                out.push(format!(
                    "agent {} has capacity 0: they could never receive a conversation",
                    a.id
                ));
            }
        }
        out
    }
}
