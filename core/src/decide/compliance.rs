//! Keywords and opt-outs (docs/configuration.md, `[compliance]`). A customer's keyword message is
//! stored like any SMS first (`inbound`); this decides what else follows:
//! the opt-out or opt-in, the confirmation or help text where smsdesk is the
//! one to send it, replies still in the outbox failed rather than sent, and
//! what becomes of the conversation.

use crate::command::InboundSms;
use crate::event::Event;
use crate::ids::ConversationId;
use crate::keywords::{Keyword, KeywordMode};
use crate::model::{AutoText, Conversation, Delivery, OptOutHow, Phase};
use crate::rejection::Rejection;
use crate::setup::EntryPoint;
use crate::state::State;

use super::automation::auto_text;

/// The reason recorded for a conversation closed by a keyword alone.
pub const OPTED_OUT_REASON: &str = "opted out";
pub const OPTED_IN_REASON: &str = "opted in";

/// What a keyword changes. `existing` is the conversation the SMS appended
/// to (`None` when it just opened `conversation`).
pub(super) fn keyword(
    state: &State,
    entry: &EntryPoint,
    sms: &InboundSms,
    keyword: Keyword,
    conversation: ConversationId,
    existing: Option<&Conversation>,
) -> Vec<Event> {
    let smsdesk_answers = entry.keywords == KeywordMode::Smsdesk;
    let compliance = &state.setup.compliance;
    let opted_out = state.opt_out(&entry.number, &sms.from).is_some();
    let mut events = Vec::new();
    match keyword {
        Keyword::OptOut => {
            if !opted_out {
                events.push(Event::OptedOut {
                    entry: entry.number.clone(),
                    customer: sms.from.clone(),
                    conversation: Some(conversation),
                    how: OptOutHow::Keyword {
                        word: sms.body.trim().to_uppercase(),
                    },
                });
                let why = format!("the customer texted {}", sms.body.trim());
                for c in state.conversations_of(&entry.number, &sms.from) {
                    events.extend(fail_pending(c, &why));
                }
                if smsdesk_answers {
                    events.extend(auto_text(
                        state,
                        conversation,
                        AutoText::OptOutConfirmation,
                        compliance.opt_out_reply.as_deref(),
                    ));
                }
            }
            events.extend(close_if_waiting(conversation, existing, OPTED_OUT_REASON));
        }
        Keyword::OptIn if opted_out => {
            events.push(Event::OptedIn {
                entry: entry.number.clone(),
                customer: sms.from.clone(),
                conversation: Some(conversation),
            });
            if smsdesk_answers {
                events.extend(auto_text(
                    state,
                    conversation,
                    AutoText::OptInConfirmation,
                    compliance.opt_in_reply.as_deref(),
                ));
            }
            if existing.is_none() {
                events.extend(close_if_waiting(conversation, None, OPTED_IN_REASON));
            }
        }
        // "Yes" from a customer who never opted out is just an answer.
        Keyword::OptIn => {}
        Keyword::Help => {
            // Nothing goes to an opted-out customer but the opt-out confirmation.
            if smsdesk_answers && !opted_out {
                events.extend(auto_text(
                    state,
                    conversation,
                    AutoText::Help,
                    compliance.help_reply.as_deref(),
                ));
            }
        }
    }
    events
}

/// A waiting conversation is closed (no agent will ever be able to
/// answer); one an agent holds stays with them.
fn close_if_waiting(conversation: ConversationId, existing: Option<&Conversation>, reason: &str) -> Vec<Event> {
    let offered_to = match existing.map(|c| &c.phase) {
        None | Some(Phase::Queued { .. } | Phase::Intake { .. }) => None,
        Some(Phase::Offered { agent, .. }) => Some(agent.clone()),
        Some(_) => return Vec::new(),
    };
    vec![Event::Abandoned {
        conversation,
        reason: reason.to_owned(),
        offered_to,
    }]
}

/// Every reply of `c` still in the outbox, failed instead of sent.
pub(super) fn fail_pending(c: &Conversation, why: &str) -> Vec<Event> {
    c.outbound
        .iter()
        .filter(|(_, o)| o.status == Delivery::Pending)
        .map(|(m, _)| Event::SmsFailed {
            conversation: c.id,
            message_id: *m,
            code: None,
            reason: format!("not sent: the customer opted out ({why})"),
        })
        .collect()
}

/// Refuses a text to an opted-out customer, saying since when and why.
pub(super) fn check_not_opted_out(state: &State, c: &Conversation) -> Result<(), Rejection> {
    match state.opt_out(&c.entry, &c.customer) {
        Some(o) => Err(Rejection::OptedOut {
            customer: c.customer.clone(),
            entry: c.entry.clone(),
            at: o.at,
            how: o.how.describe(),
        }),
        None => Ok(()),
    }
}

/// The carrier refused a reply because the customer opted out on its side:
/// opt the pair out here too, and fail what else waits for them.
pub(super) fn carrier_opt_out(
    state: &State,
    c: &Conversation,
    message: crate::ids::MessageId,
    code: Option<&String>,
) -> Vec<Event> {
    let mut events = Vec::new();
    if state.opt_out(&c.entry, &c.customer).is_none() {
        events.push(Event::OptedOut {
            entry: c.entry.clone(),
            customer: c.customer.clone(),
            conversation: Some(c.id),
            how: OptOutHow::Carrier { code: code.cloned() },
        });
    }
    let why = match code {
        Some(code) => format!("the carrier refused with error {code}"),
        None => "the carrier says so".to_owned(),
    };
    for other in state.conversations_of(&c.entry, &c.customer) {
        events.extend(fail_pending(other, &why).into_iter().filter(|e| match e {
            Event::SmsFailed { message_id, .. } => *message_id != message,
            _ => true,
        }));
    }
    events
}
