//! What one agent's desk shows, as JSON for the page: their state (and
//! the idle codes they may pick), and each conversation they hold or are
//! offered: queue, customer (masked when agents see masked numbers),
//! entry and its kind, what they are to it (offered, owner, invited to a
//! conference, in the conference), its timers, the wrap-up reasons when
//! it is in wrap-up, and its messages with each reply's delivery. Pure:
//! built from the engine's state and the conversations' histories, read
//! on the engine thread.

use std::collections::BTreeMap;

use serde::Serialize;
use smsdesk_core::model::{AgentStatus, Conferee, Conversation, Delivery, Phase};
use smsdesk_core::state::State;
use smsdesk_core::{AgentId, Event, EventRecord, MessageId};

use crate::i18n::Lang;
use crate::matrix::texts::events::describe;
use crate::tr;

/// The whole desk of one agent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeskView {
    pub agent: String,
    pub name: String,
    /// `available`, `idle`, `rona` or `offline`.
    pub state: &'static str,
    pub idle_code: Option<String>,
    pub idle_codes: Vec<String>,
    /// Milliseconds since the epoch when the state was entered.
    pub since: u64,
    pub capacity: u32,
    pub conversations: Vec<ConversationView>,
    /// Transfer targets: every queue.
    pub queues: Vec<String>,
    /// Transfer and conference targets: the other agents, with their state.
    pub colleagues: Vec<Colleague>,
}

/// Another agent, as a transfer or conference target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Colleague {
    pub id: String,
    pub name: String,
    pub state: &'static str,
}

/// One conversation as this agent sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConversationView {
    pub id: u64,
    pub queue: String,
    pub customer: String,
    pub entry: String,
    pub entry_kind: &'static str,
    /// `offered`, `transfer`, `conference-invited`, `owner`, `conference`, `wrapup`, `paused`.
    pub role: &'static str,
    /// Who offered or transferred it, for a transfer.
    pub from: Option<String>,
    pub opened_at: u64,
    /// When an offer or an invitation must be answered.
    pub answer_by: Option<u64>,
    pub fields: Vec<(String, String)>,
    pub wrapup_reasons: Vec<String>,
    pub messages: Vec<MessageView>,
    /// A returning customer's last conversation (`queues[].sticky`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub returning: Option<ReturningView>,
}

/// Who handled a returning customer's last conversation, when it closed and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReturningView {
    pub conversation: u64,
    pub agent: String,
    /// Whether that was the agent looking.
    pub you: bool,
    pub closed_at: u64,
    pub reason: String,
}

/// One line of a conversation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MessageView {
    pub at: u64,
    /// The event it comes from (a customer's attachments are
    /// `/desk/media?conversation=…&seq=…&k=…`).
    pub seq: u64,
    /// `customer`, `agent`, `smsdesk`, `note` or `event`.
    pub kind: &'static str,
    /// The agent who wrote it (`agent`, `note`).
    pub by: Option<String>,
    pub text: String,
    pub media: usize,
    /// A reply's delivery: `pending`, `sent`, `delivered`, `read`, `failed`.
    pub delivery: Option<&'static str>,
    /// A failed reply's reason, as the carrier gave it.
    pub error: Option<String>,
}

/// How numbers are shown: masked for agents when the config says so.
pub type Mask<'a> = &'a dyn Fn(&str) -> String;

/// The roster's names, by agent.
pub type Names<'a> = &'a dyn Fn(&AgentId) -> String;

fn label(status: Option<&AgentStatus>) -> (&'static str, Option<String>) {
    match status {
        Some(AgentStatus::Available) => ("available", None),
        Some(AgentStatus::Idle { code }) => ("idle", code.clone()),
        Some(AgentStatus::Rona) => ("rona", None),
        _ => ("offline", None),
    }
}

/// `agent`'s desk now; `histories` holds each held conversation's records.
pub fn desk(
    lang: &Lang,
    state: &State,
    agent: &AgentId,
    names: Names<'_>,
    histories: &BTreeMap<u64, Vec<EventRecord>>,
    mask: Mask<'_>,
) -> DeskView {
    let a = state.agent(agent);
    let (status, idle_code) = label(a.map(|a| &a.status));
    let mut colleagues: Vec<Colleague> = state
        .agents()
        .filter(|(id, _)| *id != agent)
        .map(|(id, a)| Colleague {
            id: id.to_string(),
            name: names(id),
            state: label(Some(&a.status)).0,
        })
        .collect();
    colleagues.sort_by(|a, b| a.name.cmp(&b.name));
    let mut conversations: Vec<ConversationView> = held(state, agent)
        .into_iter()
        .filter_map(|c| {
            let records = histories.get(&c.id.0).map_or(&[][..], Vec::as_slice);
            conversation(lang, state, agent, c, records, mask)
        })
        .collect();
    conversations.sort_by_key(|c| c.id);
    DeskView {
        agent: agent.to_string(),
        name: names(agent),
        state: status,
        idle_code,
        idle_codes: state.setup.idle_codes.clone(),
        since: a.map_or(0, |a| a.since.0),
        capacity: state.capacity(agent),
        conversations,
        queues: state.setup.queues.keys().map(ToString::to_string).collect(),
        colleagues,
    }
}

/// The conversations `agent` holds, is offered or is invited to, or has paused.
pub fn held<'s>(state: &'s State, agent: &AgentId) -> Vec<&'s Conversation> {
    let mut all: Vec<&Conversation> = state.holdings(agent).chain(state.paused_of(agent)).collect();
    all.sort_by_key(|c| c.id);
    all.dedup_by_key(|c| c.id);
    all
}

fn conversation(
    lang: &Lang,
    state: &State,
    agent: &AgentId,
    c: &Conversation,
    records: &[EventRecord],
    mask: Mask<'_>,
) -> Option<ConversationView> {
    let (role, from, answer_by) = match &c.phase {
        Phase::Offered {
            agent: a,
            deadline,
            transfer_from,
            ..
        } if a == agent => (
            if transfer_from.is_some() { "transfer" } else { "offered" },
            transfer_from.as_ref().map(ToString::to_string),
            Some(deadline.0),
        ),
        Phase::Active { owner, .. } if owner == agent => ("owner", None, None),
        Phase::Active { conference, owner, .. } => match conference.get(agent)? {
            Conferee::Requested { deadline } => ("conference-invited", Some(owner.to_string()), Some(deadline.0)),
            Conferee::Joined { .. } => ("conference", Some(owner.to_string()), None),
        },
        Phase::Wrapup { owner, .. } if owner == agent => ("wrapup", None, None),
        Phase::Paused { owner, .. } if owner == agent => ("paused", None, None),
        _ => return None,
    };
    let reasons = state
        .setup
        .queue(&c.queue)
        .map(|q| q.wrapup_reasons.clone())
        .unwrap_or_default();
    let kind = state.setup.entry_points.get(&c.entry).map_or("", |e| e.kind.label());
    let customer = c.customer.to_string();
    Some(ConversationView {
        id: c.id.0,
        queue: c.queue.to_string(),
        customer: mask(&customer),
        entry: c.entry.to_string(),
        entry_kind: kind,
        role,
        from,
        opened_at: c.opened_at.0,
        answer_by,
        fields: c.fields.iter().map(|(k, v)| (k.clone(), mask(v))).collect(),
        wrapup_reasons: if role == "wrapup" { reasons } else { Vec::new() },
        // Only what the agent may see: an offered agent sees the history too,
        // as the Matrix desk shows it when the room opens.
        messages: messages(lang, records, &|t: &str| mask_in(mask, &customer, t)),
        returning: c.sticky.as_ref().map(|s| ReturningView {
            conversation: s.conversation.0,
            agent: s.agent.to_string(),
            you: &s.agent == agent,
            closed_at: s.closed_at.0,
            reason: s.reason.clone(),
        }),
    })
}

/// `text` with the customer's own number masked wherever it shows.
fn mask_in(mask: Mask<'_>, customer: &str, text: &str) -> String {
    if mask(customer) == customer {
        return text.to_owned();
    }
    text.replace(customer, &mask(customer))
}

/// The lines of a history, each reply with its latest delivery.
pub fn messages(lang: &Lang, records: &[EventRecord], shown: &dyn Fn(&str) -> String) -> Vec<MessageView> {
    let mut lines: Vec<MessageView> = Vec::new();
    let mut replies: BTreeMap<MessageId, usize> = BTreeMap::new();
    for r in records {
        let line = |kind: &'static str, by: Option<String>, text: &str, media: usize| MessageView {
            at: r.at.0,
            seq: r.seq,
            kind,
            by,
            text: shown(text),
            media,
            delivery: None,
            error: None,
        };
        match &r.event {
            Event::MessageReceived { sms, .. } => lines.push(line("customer", None, &sms.body, sms.media.len())),
            Event::ReplyAccepted {
                agent,
                body,
                media,
                message_id,
                ..
            } => {
                replies.insert(*message_id, lines.len());
                lines.push(MessageView {
                    delivery: Some("pending"),
                    ..line("agent", Some(agent.to_string()), body, media.len())
                });
            }
            Event::AutoReplied { body, .. } => lines.push(line("smsdesk", None, body, 0)),
            Event::NoteAdded { author, body, .. } => lines.push(line("note", Some(author.to_string()), body, 0)),
            Event::SmsSent { message_id, .. } => set(&mut lines, &replies, *message_id, Delivery::Sent, None),
            Event::DeliveryUpdated {
                message_id,
                status,
                error_code,
                ..
            } => set(&mut lines, &replies, *message_id, *status, error_code.clone()),
            Event::SmsFailed {
                message_id,
                code,
                reason,
                ..
            } => {
                let why = code.as_ref().map_or(reason.clone(), |c| {
                    tr!(
                        lang,
                        "deskpage-carrier-error",
                        reason = reason.as_str(),
                        code = c.as_str()
                    )
                });
                set(&mut lines, &replies, *message_id, Delivery::Failed, Some(why));
            }
            Event::ConversationOpened { .. } => {}
            other => lines.push(line("event", None, &describe(lang, other), 0)),
        }
    }
    lines
}

fn set(
    lines: &mut [MessageView],
    replies: &BTreeMap<MessageId, usize>,
    id: MessageId,
    to: Delivery,
    error: Option<String>,
) {
    let Some(line) = replies.get(&id).and_then(|i| lines.get_mut(*i)) else {
        return;
    };
    let label = match to {
        Delivery::Pending => "pending",
        Delivery::Sent => "sent",
        Delivery::Delivered => "delivered",
        Delivery::Read => "read",
        Delivery::Failed => "failed",
    };
    // Later news never takes a reply back (a late "sent" after "delivered").
    let rank = |l: &str| {
        ["pending", "sent", "delivered", "read", "failed"]
            .iter()
            .position(|x| *x == l)
    };
    if rank(label) >= line.delivery.and_then(rank) {
        line.delivery = Some(label);
        if error.is_some() {
            line.error = error;
        }
    }
}
