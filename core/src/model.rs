//! Runtime records: what an agent is doing and where a conversation is in
//! its lifecycle (see `decide/`). These are the projections persisted in
//! the store. Rules that change them live in `decide` and `apply`; this
//! module only describes shapes and derived facts.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ids::{AgentId, CarrierName, ConversationId, CustomerNumber, EntryNumber, MessageId, QueueName, Timestamp};

/// An agent's presence (docs/agent-guide.md).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum AgentStatus {
    Available,
    Idle {
        code: Option<String>,
    },
    /// Redirection on no answer: an offer timed out. Left only by hand.
    Rona,
    Offline,
}

impl fmt::Display for AgentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AgentStatus::Available => f.write_str("available"),
            AgentStatus::Idle { code: Some(code) } => write!(f, "idle ({code})"),
            AgentStatus::Idle { code: None } => f.write_str("idle"),
            AgentStatus::Rona => f.write_str("RONA"),
            AgentStatus::Offline => f.write_str("offline"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agent {
    pub status: AgentStatus,
    /// When `status` last changed.
    pub since: Timestamp,
    /// Last time work was offered to or taken off this agent; with `since`
    /// it defines "longest available".
    pub last_work_change: Timestamp,
}

impl Agent {
    pub fn offline() -> Self {
        Self {
            status: AgentStatus::Offline,
            since: Timestamp(0),
            last_work_change: Timestamp(0),
        }
    }

    /// The moment from which this agent counts as waiting for work.
    pub fn ready_since(&self) -> Timestamp {
        self.since.max(self.last_work_change)
    }
}

/// A conference participant other than the owner.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Conferee {
    /// Invited; shows as "conference requested" until accepted or dropped.
    Requested {
        deadline: Timestamp,
    },
    Joined {
        since: Timestamp,
    },
}

/// Where a conversation is in its lifecycle. Exactly one at a time, by construction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "kebab-case")]
pub enum Phase {
    /// The entry point's intake bot talks with the customer before the
    /// conversation is queued (`decide/intake.rs`). `turn` counts the customer
    /// messages the bot has answered; one more than that arrived means a
    /// turn is due. `state` is the bot's, kept for its next turn.
    Intake {
        since: Timestamp,
        /// Past this, the conversation is queued anyway (`intake_timeout`).
        deadline: Timestamp,
        turn: u32,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        state: Vec<u8>,
    },
    Queued {
        /// Put back at the head after a timeout, decline or failed transfer.
        head: bool,
        since: Timestamp,
    },
    Offered {
        agent: AgentId,
        at: Timestamp,
        deadline: Timestamp,
        /// Set when this is a transfer from that agent rather than a routed offer.
        transfer_from: Option<AgentId>,
    },
    Active {
        owner: AgentId,
        since: Timestamp,
        conference: BTreeMap<AgentId, Conferee>,
    },
    Wrapup {
        owner: AgentId,
        since: Timestamp,
        /// Auto wrap-up moment, if the queue has one.
        deadline: Option<Timestamp>,
    },
    /// Active, but the customer went quiet (the queue's `inactivity`): the
    /// owner keeps it, without it counting against their capacity.
    Paused {
        owner: AgentId,
        since: Timestamp,
    },
    Closed {
        reason: String,
        at: Timestamp,
    },
}

impl Phase {
    /// The state name agents and operators see.
    pub fn label(&self) -> &'static str {
        match self {
            Phase::Intake { .. } => "intake",
            Phase::Queued { .. } => "queued",
            Phase::Offered { .. } => "offered",
            Phase::Active { conference, .. } => {
                if conference.values().any(|c| matches!(c, Conferee::Joined { .. })) {
                    "conference"
                } else if conference.is_empty() {
                    "active"
                } else {
                    "conference requested"
                }
            }
            Phase::Wrapup { .. } => "wrapup",
            Phase::Paused { .. } => "paused",
            Phase::Closed { .. } => "closed",
        }
    }

    /// Agents for whom this conversation counts against capacity.
    pub fn holders(&self) -> Vec<&AgentId> {
        match self {
            Phase::Intake { .. } | Phase::Queued { .. } | Phase::Closed { .. } | Phase::Paused { .. } => Vec::new(),
            Phase::Offered { agent, .. } => vec![agent],
            Phase::Active { owner, conference, .. } => std::iter::once(owner).chain(conference.keys()).collect(),
            Phase::Wrapup { owner, .. } => vec![owner],
        }
    }

    /// Whether a new SMS from the customer appends here (anything before wrap-up).
    pub fn accepts_inbound(&self) -> bool {
        !matches!(self, Phase::Wrapup { .. } | Phase::Closed { .. })
    }

    pub fn owner(&self) -> Option<&AgentId> {
        match self {
            Phase::Active { owner, .. } | Phase::Wrapup { owner, .. } | Phase::Paused { owner, .. } => Some(owner),
            _ => None,
        }
    }

    /// Every timer deadline this phase holds: the offer's, each conference
    /// invitation's, auto wrap-up's. `timers` names the commands they trigger.
    pub fn deadlines(&self) -> Vec<Timestamp> {
        match self {
            Phase::Intake { deadline, .. } | Phase::Offered { deadline, .. } => vec![*deadline],
            Phase::Active { conference, .. } => conference
                .values()
                .filter_map(|m| match m {
                    Conferee::Requested { deadline } => Some(*deadline),
                    Conferee::Joined { .. } => None,
                })
                .collect(),
            Phase::Wrapup {
                deadline: Some(deadline),
                ..
            } => vec![*deadline],
            _ => Vec::new(),
        }
    }
}

/// Delivery state of an agent's reply, as far as smsdesk knows.
/// Moves only forward (callbacks arrive duplicated and out of order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Delivery {
    /// Accepted from the agent, not yet handed to the carrier.
    Pending,
    /// The carrier accepted it (queued, sending or sent on its side).
    Sent,
    Delivered,
    Read,
    /// Refused by the carrier, undeliverable, or given up after retries.
    Failed,
}

impl Delivery {
    fn rank(self) -> u8 {
        match self {
            Delivery::Pending => 0,
            Delivery::Sent => 1,
            Delivery::Delivered | Delivery::Failed => 2,
            Delivery::Read => 3,
        }
    }

    /// Whether `next` is news: later in the lifecycle than `self`.
    pub fn advances_to(self, next: Delivery) -> bool {
        next.rank() > self.rank()
    }

    pub fn label(self) -> &'static str {
        match self {
            Delivery::Pending => "pending",
            Delivery::Sent => "sent",
            Delivery::Delivered => "delivered",
            Delivery::Read => "read",
            Delivery::Failed => "failed",
        }
    }
}

/// How a customer came to be opted out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "kebab-case")]
pub enum OptOutHow {
    /// They texted an opt-out keyword.
    Keyword { word: String },
    /// The carrier refused a message because they opted out there.
    Carrier { code: Option<String> },
    /// A supervisor opted them out.
    Supervisor { agent: AgentId },
}

impl OptOutHow {
    pub fn describe(&self) -> String {
        match self {
            OptOutHow::Keyword { word } => format!("texted {word}"),
            OptOutHow::Carrier { code: Some(code) } => format!("the carrier refused with error {code}"),
            OptOutHow::Carrier { code: None } => "the carrier says they opted out".to_owned(),
            OptOutHow::Supervisor { agent } => format!("by {agent}"),
        }
    }
}

/// An opt-out on record for one (entry, customer) pair.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptOut {
    pub at: Timestamp,
    pub how: OptOutHow,
}

/// The texts smsdesk sends by itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AutoText {
    Greeting,
    Busy,
    Closed,
    Help,
    OptOutConfirmation,
    OptInConfirmation,
    /// What the entry point's intake bot says.
    Intake,
}

impl AutoText {
    pub fn label(self) -> &'static str {
        match self {
            AutoText::Greeting => "greeting",
            AutoText::Busy => "busy reply",
            AutoText::Closed => "closed reply",
            AutoText::Help => "help reply",
            AutoText::OptOutConfirmation => "opt-out confirmation",
            AutoText::OptInConfirmation => "opt-in confirmation",
            AutoText::Intake => "intake bot",
        }
    }

    /// Confirmations go to a customer who just opted out; nothing else may.
    pub fn allowed_when_opted_out(self) -> bool {
        matches!(self, AutoText::OptOutConfirmation)
    }
}

/// One agent reply's delivery record. A conversation keeps in memory only
/// those of its replies still pending (not yet handed to the carrier); every
/// record is also in the store (`smsdesk_engine::store::layout`, `s/<message>`), where the
/// engine reads it back when a carrier reports on an older reply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outbound {
    pub status: Delivery,
    /// The carrier's id once it accepted the message (Twilio `SM…`).
    pub provider_id: Option<String>,
    /// The carrier's error code on failure (e.g. Twilio 21610).
    pub error_code: Option<String>,
    pub error: Option<String>,
    /// `Command::Reply::reference`: the same reference twice is one reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

impl Outbound {
    /// A reply just accepted from an agent.
    pub fn pending() -> Self {
        Self {
            status: Delivery::Pending,
            provider_id: None,
            error_code: None,
            error: None,
            reference: None,
        }
    }
}

/// A reply's delivery record as the store keeps it (`s/<message>`), with
/// what is needed to find it again without its conversation in memory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRecord {
    pub conversation: ConversationId,
    /// The carrier that was asked to send it (its status callbacks name it).
    pub carrier: CarrierName,
    #[serde(flatten)]
    pub outbound: Outbound,
}

/// A waiting conversation's place in line: put back at the head first
/// (`false` sorts first), then oldest first, then by id.
pub type QueueOrder = (bool, Timestamp, ConversationId);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversation {
    pub id: ConversationId,
    pub entry: EntryNumber,
    pub customer: CustomerNumber,
    pub carrier: CarrierName,
    pub queue: QueueName,
    /// When the first SMS arrived: the offer timer and queue order count from here.
    pub opened_at: Timestamp,
    pub skills: BTreeSet<String>,
    pub phase: Phase,
    /// Agents who declined it while waiting; skipped while others are eligible.
    pub declined_by: BTreeSet<AgentId>,
    /// The last agent who owned or was offered it (routers may prefer them).
    pub last_agent: Option<AgentId>,
    pub inbound_count: u32,
    pub outbound_count: u32,
    /// Replies not yet handed to the carrier (bounded by what is in flight;
    /// the delivery records of the others live in the store).
    #[serde(default)]
    pub outbound: BTreeMap<MessageId, Outbound>,
    /// When the queue's busy reply is due, while it waits and none was sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub busy_at: Option<Timestamp>,
    /// When an active conversation pauses if the customer stays quiet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inactive_at: Option<Timestamp>,
    /// What the intake bot collected (shown on the offer and in the room).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<(String, String)>,
    /// When it first waited in a queue (after intake, if any): queue time
    /// (ASA, service level) counts from here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queued_at: Option<Timestamp>,
    /// When an agent first accepted it; `None` while never accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_accepted_at: Option<Timestamp>,
    /// When its owner last ended it (into wrap-up).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<Timestamp>,
    /// How many internal notes it holds.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub notes: u32,
    /// The front ends' references of its notes (a note handed in again is
    /// recognised).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub note_refs: BTreeSet<String>,
    /// A returning customer's last agent, offered first (`queues[].sticky`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sticky: Option<Sticky>,
}

/// The last conversation of a returning customer in the same queue: who
/// handled it, when it closed and why, and until when its agent is waited for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sticky {
    pub agent: AgentId,
    /// The last conversation (its history and export).
    pub conversation: ConversationId,
    pub closed_at: Timestamp,
    pub reason: String,
    /// The end of the wait for `agent`; `None` once it ended (expired, or
    /// the agent did not answer): routing then goes on as usual.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Timestamp>,
}

impl Sticky {
    /// Whether the conversation still waits for its last agent at `now`.
    pub fn waiting(&self, now: Timestamp) -> bool {
        self.until.is_some_and(|u| u > now)
    }
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Conversation {
    /// Queue order: conversations put back at the head first, then oldest first.
    pub fn queue_order(&self) -> Option<QueueOrder> {
        match &self.phase {
            Phase::Queued { head, .. } => Some((!head, self.opened_at, self.id)),
            _ => None,
        }
    }

    /// A closed conversation stays loaded while a reply of it still waits
    /// for the carrier, so the outcome can be recorded against it.
    pub fn is_finished(&self) -> bool {
        matches!(self.phase, Phase::Closed { .. }) && self.outbound.values().all(|o| o.status != Delivery::Pending)
    }

    /// Every timer deadline it holds: its phase's, the busy reply while it
    /// waits, inactivity while active.
    pub fn deadlines(&self) -> Vec<Timestamp> {
        let mut out = self.phase.deadlines();
        match &self.phase {
            Phase::Queued { .. } | Phase::Offered { .. } => out.extend(self.busy_at),
            Phase::Active { .. } => out.extend(self.inactive_at),
            _ => {}
        }
        if matches!(self.phase, Phase::Queued { .. }) {
            out.extend(self.sticky.as_ref().and_then(|s| s.until));
        }
        out
    }

    /// Whether `agent` may write to the customer in this conversation right now.
    pub fn may_write(&self, agent: &AgentId) -> bool {
        match &self.phase {
            Phase::Paused { owner, .. } => owner == agent,
            Phase::Active { owner, conference, .. } => {
                owner == agent || matches!(conference.get(agent), Some(Conferee::Joined { .. }))
            }
            _ => false,
        }
    }
}
