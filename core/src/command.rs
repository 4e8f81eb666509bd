//! Commands: what someone asks the engine to do, named in the imperative.
//! A command is a request that may be refused; `decide` turns it into events
//! or a `Rejection`. Parsing user text into commands is the front end's job.

use serde::{Deserialize, Serialize};

use crate::ids::{
    AgentId, CarrierMessageId, CarrierName, ConversationId, CustomerNumber, EntryNumber, MessageId, QueueName,
};
use crate::model::Delivery;

/// Who caused a change; recorded with every event for the history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "kebab-case")]
pub enum Actor {
    Agent(AgentId),
    Customer(CustomerNumber),
    /// Timers and the router.
    System,
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Actor::Agent(a) => write!(f, "{a}"),
            Actor::Customer(c) => write!(f, "customer {c}"),
            Actor::System => f.write_str("smsdesk"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboundSms {
    pub carrier: CarrierName,
    pub carrier_message_id: CarrierMessageId,
    pub from: CustomerNumber,
    pub to: EntryNumber,
    pub body: String,
    /// Media URLs (MMS), kept for the history; not relayed yet.
    #[serde(default)]
    pub media: Vec<String>,
}

/// How handing a reply to the carrier ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum SendOutcome {
    Sent {
        provider_id: String,
    },
    /// Permanent: the carrier refused it (with its code), or retries ran out.
    Failed {
        code: Option<String>,
        reason: String,
    },
    /// Permanent, and the carrier says the customer opted out on its side
    /// (e.g. Twilio 21610): the pair is opted out here too.
    OptedOut {
        code: Option<String>,
        reason: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "kebab-case")]
pub enum Command {
    /// A customer SMS arrived (already verified by the carrier plugin).
    ReceiveSms(InboundSms),

    SetAvailable {
        agent: AgentId,
    },
    SetIdle {
        agent: AgentId,
        code: Option<String>,
    },
    SetOffline {
        agent: AgentId,
    },

    /// Offer a queued conversation to an agent (issued by routing).
    Offer {
        conversation: ConversationId,
        agent: AgentId,
    },
    /// Accept an offer, transfer or conference invitation; `None` = the only pending one.
    Accept {
        agent: AgentId,
        conversation: Option<ConversationId>,
    },
    Decline {
        agent: AgentId,
        conversation: Option<ConversationId>,
    },

    Reply {
        agent: AgentId,
        conversation: ConversationId,
        body: String,
        /// The front end's own name for this reply (the bot uses the Matrix
        /// room and event), echoed in `ReplyAccepted` so that delivery news
        /// can be shown on the right message, in log order, even after a crash.
        reference: Option<String>,
        /// Attachments (MMS), as the front end names them (the bot: media
        /// tokens it serves at `/media/<token>`); the engine keeps them and
        /// hands them to the outbox unread. At most `MAX_REPLY_MEDIA`.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        media: Vec<String>,
        /// The canned reply (`[[canned]]` name) this text came from, if
        /// any: kept for the export.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        canned: Option<String>,
    },
    /// An internal note on a conversation, for the agents and supervisors
    /// who see it: never sent to the customer. `supervisor` says the front
    /// end checked that `author` is a supervisor who watches the
    /// conversation's queue (the core knows agents, not supervisors); else
    /// the author must hold the conversation. `reference` as for `Reply`:
    /// the same note handed in again is not added twice.
    AddNote {
        author: AgentId,
        conversation: ConversationId,
        body: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        #[serde(default)]
        supervisor: bool,
    },
    TransferToQueue {
        agent: AgentId,
        conversation: ConversationId,
        queue: QueueName,
    },
    TransferToAgent {
        agent: AgentId,
        conversation: ConversationId,
        target: AgentId,
    },
    RequestConference {
        agent: AgentId,
        conversation: ConversationId,
        target: AgentId,
    },
    /// Owner: remove `target` (or everyone). Conference agent: leave.
    EndConference {
        agent: AgentId,
        conversation: ConversationId,
        target: Option<AgentId>,
    },
    End {
        agent: AgentId,
        conversation: ConversationId,
    },
    /// Pick a wrap-up reason by 1-based number or by a filter text matching exactly one.
    Wrapup {
        agent: AgentId,
        conversation: ConversationId,
        choice: Option<String>,
    },

    /// The outbox worker's verdict on sending one reply.
    RecordSendOutcome {
        message: MessageId,
        outcome: SendOutcome,
    },
    /// A carrier's delivery status callback.
    RecordDelivery {
        carrier: CarrierName,
        provider_id: String,
        status: Delivery,
        error_code: Option<String>,
        /// The carrier says the recipient opted out (e.g. Telnyx 40300 in a
        /// failed delivery report): the pair is opted out here too.
        #[serde(default)]
        opted_out: bool,
    },

    /// Timer commands, issued by the driver when a deadline has passed.
    ExpireOffer {
        conversation: ConversationId,
    },
    ExpireConferenceRequest {
        conversation: ConversationId,
        agent: AgentId,
    },
    AutoWrapup {
        conversation: ConversationId,
    },
    /// The queue's busy reply is due for a conversation still waiting.
    SendBusyReply {
        conversation: ConversationId,
    },
    /// A returning customer waited `sticky_wait` for their last agent.
    EndStickyWait {
        conversation: ConversationId,
    },
    /// An active conversation's customer stayed quiet for the queue's `inactivity`.
    PauseInactive {
        conversation: ConversationId,
    },

    /// The intake bot's answer to turn `turn` of a conversation in intake.
    IntakeAnswer {
        conversation: ConversationId,
        turn: u32,
        /// Texts for the customer, in order.
        texts: Vec<String>,
        /// The bot's state for its next turn.
        #[serde(default)]
        state: Vec<u8>,
        next: IntakeNext,
    },
    /// The intake bot failed on turn `turn` (trap, timeout, bad answer):
    /// the conversation is queued to the entry point's queue.
    IntakeFailed {
        conversation: ConversationId,
        turn: u32,
        reason: String,
    },
    /// The customer did not answer the intake bot within `intake_timeout`.
    ExpireIntake {
        conversation: ConversationId,
    },
}

/// What comes after an intake turn.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "next", rename_all = "kebab-case")]
pub enum IntakeNext {
    Wait,
    /// `queue: None` is the entry point's own queue.
    Queue {
        queue: Option<QueueName>,
        #[serde(default)]
        skills: Vec<String>,
        #[serde(default)]
        fields: Vec<(String, String)>,
    },
    Close {
        reason: String,
    },
}

impl Command {
    pub fn actor(&self) -> Actor {
        match self {
            Command::ReceiveSms(sms) => Actor::Customer(sms.from.clone()),
            Command::SetAvailable { agent }
            | Command::SetIdle { agent, .. }
            | Command::SetOffline { agent }
            | Command::Accept { agent, .. }
            | Command::Decline { agent, .. }
            | Command::Reply { agent, .. }
            | Command::TransferToQueue { agent, .. }
            | Command::TransferToAgent { agent, .. }
            | Command::RequestConference { agent, .. }
            | Command::EndConference { agent, .. }
            | Command::End { agent, .. }
            | Command::Wrapup { agent, .. }
            | Command::AddNote { author: agent, .. } => Actor::Agent(agent.clone()),
            Command::Offer { .. }
            | Command::RecordSendOutcome { .. }
            | Command::RecordDelivery { .. }
            | Command::ExpireOffer { .. }
            | Command::ExpireConferenceRequest { .. }
            | Command::AutoWrapup { .. }
            | Command::SendBusyReply { .. }
            | Command::PauseInactive { .. }
            | Command::EndStickyWait { .. }
            | Command::IntakeAnswer { .. }
            | Command::IntakeFailed { .. }
            | Command::ExpireIntake { .. } => Actor::System,
        }
    }
}
