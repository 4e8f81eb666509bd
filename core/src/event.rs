//! Events: what happened, named in the past tense. Events are the durable
//! record (the history of every conversation) and the only input of `apply`.
//! An event is never refused; all checks happen before, in `decide`.

use serde::{Deserialize, Serialize};

use crate::command::{Actor, InboundSms};
use crate::ids::{AgentId, ConversationId, CustomerNumber, EntryNumber, MessageId, QueueName, Timestamp};
use crate::model::{AgentStatus, AutoText, Delivery, OptOutHow};

/// Why a conference participant or invitation went away.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConferenceExit {
    Declined,
    Expired,
    /// Removed by the owner, or left by themself.
    Ended,
    /// The whole conversation was ended or transferred.
    ConversationMoved,
    /// The invited agent went idle or offline before answering.
    Withdrawn,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum Event {
    ConversationOpened {
        conversation: ConversationId,
        entry: EntryNumber,
        customer: CustomerNumber,
        carrier: crate::ids::CarrierName,
        queue: QueueName,
        skills: std::collections::BTreeSet<String>,
    },
    MessageReceived {
        conversation: ConversationId,
        sms: InboundSms,
    },
    AgentStatusChanged {
        agent: AgentId,
        status: AgentStatus,
    },
    Offered {
        conversation: ConversationId,
        agent: AgentId,
        deadline: Timestamp,
    },
    OfferAccepted {
        conversation: ConversationId,
        agent: AgentId,
    },
    OfferDeclined {
        conversation: ConversationId,
        agent: AgentId,
    },
    /// The agent goes RONA; the conversation goes back to the head of its queue.
    OfferTimedOut {
        conversation: ConversationId,
        agent: AgentId,
    },
    /// The agent went idle or offline before answering; back to the queue head, no RONA.
    OfferWithdrawn {
        conversation: ConversationId,
        agent: AgentId,
    },
    ReplyAccepted {
        conversation: ConversationId,
        message_id: MessageId,
        agent: AgentId,
        body: String,
        /// `Command::Reply::reference`, if the front end gave one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        /// `Command::Reply::media`: attachments sent as one MMS with `body`.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        media: Vec<String>,
        /// `Command::Reply::canned`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        canned: Option<String>,
    },
    /// The carrier accepted a reply.
    SmsSent {
        conversation: ConversationId,
        message_id: MessageId,
        provider_id: String,
    },
    /// A reply could not be sent (permanently).
    SmsFailed {
        conversation: ConversationId,
        message_id: MessageId,
        code: Option<String>,
        reason: String,
    },
    /// A carrier status callback moved a reply forward.
    DeliveryUpdated {
        conversation: ConversationId,
        message_id: MessageId,
        status: Delivery,
        error_code: Option<String>,
    },
    /// An internal note (`Command::AddNote`): for agents and supervisors only.
    NoteAdded {
        conversation: ConversationId,
        author: AgentId,
        body: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
    },
    TransferredToQueue {
        conversation: ConversationId,
        from: AgentId,
        queue: QueueName,
    },
    TransferredToAgent {
        conversation: ConversationId,
        from: AgentId,
        to: AgentId,
        deadline: Timestamp,
    },
    ConferenceRequested {
        conversation: ConversationId,
        by: AgentId,
        agent: AgentId,
        deadline: Timestamp,
    },
    ConferenceJoined {
        conversation: ConversationId,
        agent: AgentId,
    },
    ConferenceLeft {
        conversation: ConversationId,
        agent: AgentId,
        why: ConferenceExit,
    },
    Ended {
        conversation: ConversationId,
        agent: AgentId,
        auto_wrapup_at: Option<Timestamp>,
    },
    WrappedUp {
        conversation: ConversationId,
        reason: String,
    },
    /// The (entry, customer) pair may no longer be texted (`decide/compliance.rs`).
    OptedOut {
        entry: EntryNumber,
        customer: CustomerNumber,
        /// The customer's open conversation on that entry, if any.
        conversation: Option<ConversationId>,
        how: OptOutHow,
    },
    /// The pair may be texted again.
    OptedIn {
        entry: EntryNumber,
        customer: CustomerNumber,
        conversation: Option<ConversationId>,
    },
    /// A text smsdesk sends by itself; it goes through the outbox like a reply.
    AutoReplied {
        conversation: ConversationId,
        message_id: MessageId,
        kind: AutoText,
        body: String,
    },
    /// Closed without an agent (e.g. the customer opted out while waiting).
    Abandoned {
        conversation: ConversationId,
        reason: String,
        /// The agent it was being offered to, whose offer is void.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        offered_to: Option<AgentId>,
    },
    /// The customer was silent for the queue's `inactivity`: the owner's seat is free.
    Paused {
        conversation: ConversationId,
        owner: AgentId,
    },
    /// A returning customer's wait for their last agent ended (`sticky_wait`):
    /// the queue's router decides as usual.
    StickyWaitEnded {
        conversation: ConversationId,
    },
    /// The customer wrote again: back to the owner, or to the queue head.
    Resumed {
        conversation: ConversationId,
        owner: AgentId,
        requeued: bool,
    },
    /// A new conversation goes to the entry point's intake bot first.
    IntakeStarted {
        conversation: ConversationId,
        deadline: Timestamp,
    },
    /// The bot answered turn `turn` and waits for the customer's next SMS.
    IntakeTurned {
        conversation: ConversationId,
        turn: u32,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        state: Vec<u8>,
        deadline: Timestamp,
    },
    /// The intake is over: the conversation is queued, with what the bot collected.
    IntakeFinished {
        conversation: ConversationId,
        queue: QueueName,
        #[serde(default)]
        skills: std::collections::BTreeSet<String>,
        #[serde(default)]
        fields: Vec<(String, String)>,
        how: IntakeEnd,
    },
}

/// How an intake ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "kebab-case")]
pub enum IntakeEnd {
    /// The bot queued it.
    Bot,
    /// The customer did not answer within the entry point's `intake_timeout`.
    TimedOut,
    /// The bot failed (trap, timeout, bad answer) or asked for an unknown queue.
    Failed { reason: String },
}

impl Event {
    pub fn conversation(&self) -> Option<ConversationId> {
        use Event::*;
        match self {
            ConversationOpened { conversation, .. }
            | MessageReceived { conversation, .. }
            | Offered { conversation, .. }
            | OfferAccepted { conversation, .. }
            | OfferDeclined { conversation, .. }
            | OfferTimedOut { conversation, .. }
            | OfferWithdrawn { conversation, .. }
            | ReplyAccepted { conversation, .. }
            | NoteAdded { conversation, .. }
            | SmsSent { conversation, .. }
            | SmsFailed { conversation, .. }
            | DeliveryUpdated { conversation, .. }
            | TransferredToQueue { conversation, .. }
            | TransferredToAgent { conversation, .. }
            | ConferenceRequested { conversation, .. }
            | ConferenceJoined { conversation, .. }
            | ConferenceLeft { conversation, .. }
            | Ended { conversation, .. }
            | WrappedUp { conversation, .. }
            | AutoReplied { conversation, .. }
            | Abandoned { conversation, .. }
            | Paused { conversation, .. }
            | Resumed { conversation, .. }
            | StickyWaitEnded { conversation }
            | IntakeStarted { conversation, .. }
            | IntakeTurned { conversation, .. }
            | IntakeFinished { conversation, .. } => Some(*conversation),
            OptedOut { conversation, .. } | OptedIn { conversation, .. } => *conversation,
            AgentStatusChanged { .. } => None,
        }
    }

    /// A one-line human description, used as the "system note" in histories.
    pub fn describe(&self) -> String {
        use Event::*;
        match self {
            ConversationOpened { queue, entry, .. } => format!("conversation opened on {entry}, queued in {queue}"),
            MessageReceived { sms, .. } => format!("customer: {}", sms.body),
            AgentStatusChanged { agent, status } => format!("{agent} is now {status}"),
            Offered { agent, .. } => format!("offered to {agent}"),
            OfferAccepted { agent, .. } => format!("accepted by {agent}"),
            OfferDeclined { agent, .. } => format!("declined by {agent}; back in queue"),
            OfferTimedOut { agent, .. } => format!("{agent} did not answer (RONA); back at the head of the queue"),
            OfferWithdrawn { agent, .. } => format!("offer to {agent} withdrawn; back at the head of the queue"),
            ReplyAccepted { agent, body, media, .. } => format!("{agent}: {}", with_attachments(body, media.len())),
            NoteAdded { author, body, .. } => format!("note by {author} (not sent to the customer): {body}"),
            SmsSent { message_id, .. } => format!("reply {message_id} sent"),
            SmsFailed {
                message_id,
                code,
                reason,
                ..
            } => match code {
                Some(code) => format!("reply {message_id} failed: {reason} (carrier error {code})"),
                None => format!("reply {message_id} failed: {reason}"),
            },
            DeliveryUpdated {
                message_id,
                status,
                error_code,
                ..
            } => match error_code {
                Some(code) => format!("reply {message_id} {} (carrier error {code})", status.label()),
                None => format!("reply {message_id} {}", status.label()),
            },
            TransferredToQueue { from, queue, .. } => format!("{from} transferred the conversation to queue {queue}"),
            TransferredToAgent { from, to, .. } => format!("{from} transferred the conversation to {to}"),
            ConferenceRequested { by, agent, .. } => format!("{by} invited {agent} to a conference"),
            ConferenceJoined { agent, .. } => format!("{agent} joined the conference"),
            ConferenceLeft { agent, why, .. } => match why {
                ConferenceExit::Declined => format!("{agent} declined the conference"),
                ConferenceExit::Expired => format!("{agent} did not answer the conference invitation"),
                ConferenceExit::Ended => format!("{agent} left the conference"),
                ConferenceExit::ConversationMoved => {
                    format!("{agent} left the conference (conversation ended or moved)")
                }
                ConferenceExit::Withdrawn => format!("conference invitation to {agent} withdrawn"),
            },
            Ended { agent, .. } => format!("{agent} ended the conversation; wrap-up"),
            WrappedUp { reason, .. } => format!("closed: {reason}"),
            OptedOut {
                customer, entry, how, ..
            } => {
                format!("{customer} opted out of texts from {entry} ({})", how.describe())
            }
            OptedIn { customer, entry, .. } => format!("{customer} opted back in to texts from {entry}"),
            AutoReplied { kind, body, .. } => format!("smsdesk ({}): {body}", kind.label()),
            Abandoned { reason, .. } => format!("closed without an agent: {reason}"),
            Paused { owner, .. } => format!("paused: the customer went quiet; {owner}'s seat is free"),
            StickyWaitEnded { .. } => "the last agent did not take it in time; routed as usual".to_owned(),
            Resumed {
                owner, requeued: false, ..
            } => format!("the customer wrote again; back with {owner}"),
            Resumed { owner, .. } => {
                format!("the customer wrote again; {owner} has no room, back at the head of the queue")
            }
            IntakeStarted { .. } => "the intake bot answers first".to_owned(),
            IntakeTurned { turn, .. } => format!("intake: turn {turn} answered; waiting for the customer"),
            IntakeFinished { queue, fields, how, .. } => {
                let fields = if fields.is_empty() {
                    String::new()
                } else {
                    let list: Vec<String> = fields.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                    format!(" ({})", list.join(", "))
                };
                match how {
                    IntakeEnd::Bot => format!("intake done: queued in {queue}{fields}"),
                    IntakeEnd::TimedOut => {
                        format!("intake: the customer did not answer in time; queued in {queue}{fields}")
                    }
                    IntakeEnd::Failed { reason } => format!("intake failed ({reason}); queued in {queue}{fields}"),
                }
            }
        }
    }
}

/// An event as stored: numbered, timed and attributed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRecord {
    /// Global, gap-free sequence number; also the order of the history.
    pub seq: u64,
    pub at: Timestamp,
    pub actor: Actor,
    pub event: Event,
}

/// A history entry seen as a chat line: what a conversation room shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Message<'a> {
    /// From the customer.
    Inbound { body: &'a str, media: &'a [String] },
    /// From smsdesk itself to the customer (greeting, confirmations...).
    Automatic { message_id: MessageId, body: &'a str },
    /// From an agent to the customer.
    Outbound {
        agent: &'a AgentId,
        message_id: MessageId,
        body: &'a str,
        media: &'a [String],
    },
    /// A state change, described for humans.
    Note,
}

impl EventRecord {
    /// This record as a chat line; `Note`s are described by `Event::describe`.
    pub fn message(&self) -> Message<'_> {
        match &self.event {
            Event::MessageReceived { sms, .. } => Message::Inbound {
                body: &sms.body,
                media: &sms.media,
            },
            Event::ReplyAccepted {
                agent,
                message_id,
                body,
                media,
                ..
            } => Message::Outbound {
                agent,
                message_id: *message_id,
                body,
                media,
            },
            Event::AutoReplied { message_id, body, .. } => Message::Automatic {
                message_id: *message_id,
                body,
            },
            _ => Message::Note,
        }
    }
}

/// A line's text followed by "[+ N attachment(s)]" when it has any.
pub fn with_attachments(body: &str, n: usize) -> String {
    let count = match n {
        0 => return body.to_owned(),
        1 => "1 attachment".to_owned(),
        n => format!("{n} attachments"),
    };
    if body.is_empty() {
        format!("[{count}]")
    } else {
        format!("{body} [+ {count}]")
    }
}
