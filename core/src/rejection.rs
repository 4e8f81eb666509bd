//! Refusals. Every way a command can be refused is a variant here, and its
//! message is written for the agent who will read it in their Matrix room:
//! it says what was wrong and, where it helps, what to do instead.

use crate::ids::{AgentId, ConversationId, CustomerNumber, EntryNumber, QueueName, Timestamp};
use crate::setup::{MAX_NOTE_CHARS, MAX_REPLY_CHARS, MAX_REPLY_MEDIA};

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "(none configured)".to_owned()
    } else {
        items.join(", ")
    }
}

fn numbered(items: &[String]) -> String {
    items
        .iter()
        .enumerate()
        .map(|(i, r)| format!("{}. {r}", i + 1))
        .collect::<Vec<_>>()
        .join("; ")
}

fn ids(items: &[ConversationId]) -> String {
    items.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ")
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error(
        "not sent: {customer} opted out of texts from {entry} at {at} ({how}); they can text START to opt back in"
    )]
    OptedOut {
        customer: CustomerNumber,
        entry: EntryNumber,
        at: Timestamp,
        how: String,
    },
    #[error("{user} is not on the agent roster")]
    NotOnRoster { user: AgentId },
    #[error("there is no open conversation {0}")]
    UnknownConversation(ConversationId),
    #[error("no entry point is configured for number {0}")]
    UnknownEntryPoint(EntryNumber),
    #[error("unknown queue \"{name}\"; queues: {}", list(known))]
    UnknownQueue { name: QueueName, known: Vec<String> },
    #[error("unknown idle code {code:?}; idle codes: {}", list(known))]
    UnknownIdleCode { code: String, known: Vec<String> },
    #[error("say which idle code: {}", list(known))]
    IdleCodeRequired { known: Vec<String> },

    #[error("you have no pending offer")]
    NoPendingOffer,
    #[error("you have several pending offers ({}); say which, e.g. !accept {}", ids(.0), .0.first().map(|i| i.to_string()).unwrap_or_default())]
    AmbiguousOffer(Vec<ConversationId>),
    #[error("conversation {0} is not offered to you")]
    NotOfferedToYou(ConversationId),
    #[error("conversation {0} is not waiting in a queue (it is {1})")]
    NotQueued(ConversationId, &'static str),
    #[error("{agent} cannot take conversation {conversation}: {why}")]
    NotEligible {
        agent: AgentId,
        conversation: ConversationId,
        why: String,
    },

    #[error("conversation {0} is not yours")]
    NotYourConversation(ConversationId),
    #[error("only the owner can do that in conversation {0}")]
    OwnerOnly(ConversationId),
    #[error("conversation {0} is not active (it is {1})")]
    NotActive(ConversationId, &'static str),
    #[error("conversation {0} is not in wrap-up (it is {1})")]
    NotInWrapup(ConversationId, &'static str),

    #[error("empty reply: nothing was sent")]
    EmptyReply,
    #[error("empty note: nothing was noted")]
    EmptyNote,
    #[error("note too long: {chars} characters, the limit is {MAX_NOTE_CHARS}; nothing was noted")]
    NoteTooLong { chars: usize },
    #[error("reply too long: {chars} characters, the limit is {MAX_REPLY_CHARS}; nothing was sent")]
    ReplyTooLong { chars: usize },
    #[error("{count} attachments in one reply; at most {MAX_REPLY_MEDIA}; nothing was sent")]
    TooManyAttachments { count: usize },
    #[error("{entry} is {kind}, which cannot send pictures or files (MMS); nothing was sent")]
    NoMmsFrom { entry: EntryNumber, kind: &'static str },

    #[error("you cannot {what} yourself")]
    TargetIsSelf { what: &'static str },
    #[error("{agent} is {status}, not available")]
    TargetNotAvailable { agent: AgentId, status: String },
    #[error("{agent} is at capacity ({capacity} conversations)")]
    TargetAtCapacity { agent: AgentId, capacity: u32 },
    #[error("{0} is already in this conversation")]
    AlreadyParticipant(AgentId),
    #[error("{0} is not in the conference")]
    NotInConference(AgentId),
    #[error("conversation {0} has no conference")]
    NoConference(ConversationId),
    #[error("number {entry} belongs to carrier {expected}, but the message came from {got}")]
    WrongCarrier {
        entry: EntryNumber,
        expected: String,
        got: String,
    },
    #[error("only the owner can remove another agent from the conference")]
    OnlyOwnerRemovesOthers,

    #[error("pick a wrap-up reason by number or name: {}", numbered(reasons))]
    WrapupReasonRequired { reasons: Vec<String> },
    #[error("no wrap-up reason number {number}; reasons: {}", numbered(reasons))]
    WrapupNumberOutOfRange { number: usize, reasons: Vec<String> },
    #[error("no wrap-up reason matches {text:?}; reasons: {}", numbered(reasons))]
    WrapupNoMatch { text: String, reasons: Vec<String> },
    #[error("{text:?} matches several wrap-up reasons: {}; be more precise", matches.join(", "))]
    WrapupAmbiguous { text: String, matches: Vec<String> },

    #[error("no reply {0} is known")]
    UnknownMessage(String),
    #[error("the timer for conversation {0} is not due yet")]
    TimerNotDue(ConversationId),
    #[error("conversation {0} has no intake turn {1} to answer (not in intake, or answered already)")]
    IntakeTurnNotDue(ConversationId, u32),
}
