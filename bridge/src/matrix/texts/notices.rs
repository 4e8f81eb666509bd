//! What the bot says, as pure functions of engine events and facts: no
//! Matrix, no store, no engine. Everything an agent reads in a notice is
//! worded here, so it can be read (and tested) in one place.

use smsdesk_core::event::ConferenceExit;
use smsdesk_core::model::{AgentStatus, Delivery};
use smsdesk_core::{AgentId, ConversationId, Event, InboundSms};

use crate::i18n::Lang;
use crate::matrix::texts::events;
use crate::tr;

/// Bytes of history per notice: well under Synapse's 64 KiB event limit.
pub const HISTORY_NOTICE_BYTES: usize = 16 * 1024;

/// A customer's SMS as agents see it; its attachments (MMS) are counted
/// here and posted right after it (`media::from_customer`).
pub fn customer_line(lang: &Lang, sms: &InboundSms) -> String {
    tr!(
        lang,
        "event-customer",
        body = smsdesk_core::event::with_attachments(&sms.body, sms.media.len())
    )
}

/// `!canned`'s list: number, name, the text as it would be sent, and
/// how many SMS it takes.
pub fn canned_list(choices: &[(String, String)]) -> String {
    let mut lines = vec!["Canned replies (react with a number to send one, or !c <name>):".to_owned()];
    for (i, (name, text)) in choices.iter().enumerate() {
        let parts = smsdesk_core::segments::segments(text);
        lines.push(format!("{}. {name} ({parts}): {text}", i + 1));
    }
    lines.join("\n")
}

/// `!canned` found none.
pub fn no_canned(filter: Option<&str>) -> String {
    match filter {
        Some(f) => format!("No canned reply for this conversation matches {f:?}; !canned lists them all."),
        None => "No canned replies are configured for this conversation's queue.".to_owned(),
    }
}

/// `!c` with a name this conversation does not have.
pub fn unknown_canned(name: &str, names: &[&str]) -> String {
    if names.is_empty() {
        return format!("No canned reply {name:?}: none are configured for this conversation's queue.");
    }
    format!("No canned reply {name:?} here; try one of: {}.", names.join(", "))
}

/// What a canned reply sends, shown before it goes (its delivery shows here).
pub fn canned_sending(name: &str, text: &str) -> String {
    format!("Canned reply {name} to the customer: {text}")
}

/// A canned reply the engine refused, and why.
pub fn canned_refused(name: &str, why: &str) -> String {
    format!("Canned reply {name} was not sent: {why}")
}

/// A supervisor's note in a room of a queue they do not watch.
pub const NOT_YOUR_QUEUE_NOTE: &str = "Not noted: you do not supervise this conversation's queue.";

/// What the bot reacts with on a message it kept as an internal note.
pub const NOTED: &str = "📝";

/// A customer's attachment that cannot be shown, and why.
pub fn customer_media_refused(index: usize, why: &str) -> String {
    format!("The customer's attachment {index} cannot be shown: {why}.")
}

/// The "history so far" (or, when not `first`, "continued") as notices of
/// at most about `max` bytes each (a long history would be one event too
/// big for the homeserver).
pub fn history_notices(lang: &Lang, id: ConversationId, lines: &[String], max: usize, first: bool) -> Vec<String> {
    let id = id.to_string();
    let continued = tr!(lang, "history-continued", id = id.as_str());
    let header = if first {
        tr!(lang, "history-so-far", id = id.as_str())
    } else {
        continued.clone()
    };
    chunked(header, &continued, lines, max)
}

/// The first line of a conversation's history posted again when its room
/// moved to the customer's opaque ghost (masking switched on).
pub fn masked_history_header(id: ConversationId) -> String {
    format!(
        "Conversation #{id} — history so far, posted again with the customer's number masked \
         (the customer now speaks as a new member of this room):"
    )
}

/// `lines` under `header`, split into notices of about `max` bytes; each
/// later notice starts with `continued`.
pub fn chunked(header: String, continued: &str, lines: &[String], max: usize) -> Vec<String> {
    let mut notices = vec![header];
    for line in lines {
        let last = notices.last_mut().expect("one notice at least");
        if last.len() + 1 + line.len() > max && last.contains('\n') {
            notices.push(format!("{continued}\n{line}"));
        } else {
            last.push('\n');
            last.push_str(line);
        }
    }
    notices
}

/// The history line of a past event, if it is a chat line: what the
/// customer, agents and smsdesk itself (greeting, intake bot) said, and
/// what the intake bot collected.
pub fn history_line(lang: &Lang, event: &Event) -> Option<String> {
    match event {
        Event::MessageReceived { sms, .. } => Some(customer_line(lang, sms)),
        Event::ReplyAccepted { agent, body, .. } => Some(format!("{agent}: {body}")),
        Event::NoteAdded { author, body, .. } => Some(format!("📝 {author} (note, not sent): {body}")),
        Event::AutoReplied { .. } | Event::IntakeFinished { .. } => Some(events::describe(lang, event)),
        _ => None,
    }
}

/// The first words in a new desk room.
/// A message the bot could not decrypt in time (`sent_at`: its time, UTC).
pub fn undecryptable(sent_at: &str) -> String {
    format!(
        "I could not read your message sent at {sent_at} UTC (it is encrypted and its key did not reach me); nothing was sent to the customer. Please send it again."
    )
}

pub fn desk_welcome(lang: &Lang, name: &str) -> String {
    tr!(lang, "desk-welcome", name = name)
}

/// The agent's own state changed (their answer to `!available`, `!idle`, `!offline`).
pub fn status_changed(lang: &Lang, status: &AgentStatus) -> String {
    tr!(lang, "status-changed", status = events::status_text(lang, status))
}

pub fn offer_timed_out(lang: &Lang, id: ConversationId) -> String {
    tr!(lang, "offer-timed-out", id = id.to_string())
}

/// How an offer or conference invitation ended, for its card: a catalog id.
pub fn conference_outcome(why: &ConferenceExit) -> &'static str {
    match why {
        ConferenceExit::Declined => "outcome-declined",
        ConferenceExit::Expired => "outcome-expired",
        ConferenceExit::Withdrawn => "outcome-withdrawn-unavailable",
        ConferenceExit::ConversationMoved => "outcome-withdrawn-moved",
        ConferenceExit::Ended => "outcome-ended",
    }
}

/// After `!end`: the queue's wrap-up reasons, numbered.
pub fn wrapup_prompt(lang: &Lang, reasons: &[String]) -> String {
    let list: Vec<String> = reasons
        .iter()
        .enumerate()
        .map(|(i, r)| format!("{}. {r}", i + 1))
        .collect();
    tr!(lang, "wrapup-prompt", list = list.join("; "))
}

/// The wrap-up list with its HTML twin (a numbered list).
pub fn wrapup_list(lang: &Lang, reasons: &[String]) -> crate::matrix::texts::rich::Text {
    let html = format!(
        "<p>{}</p>{}",
        lang.t("wrapup-prompt-html"),
        crate::matrix::texts::rich::numbered(reasons)
    );
    crate::matrix::texts::rich::Text::rich(wrapup_prompt(lang, reasons), html)
}

/// The answer to a ✅ or ❌ on a card that is no longer open.
pub fn card_no_longer_open(lang: &Lang, id: ConversationId, outcome: &str) -> String {
    tr!(lang, "offer-no-longer-open", id = id.to_string(), outcome = outcome)
}

pub fn conference_requested(lang: &Lang, agent: &AgentId) -> String {
    tr!(lang, "conference-requested", agent = agent.to_string())
}

pub fn conference_joined(lang: &Lang, agent: &AgentId) -> String {
    tr!(lang, "conference-joined", agent = agent.to_string())
}

pub fn now_owns(lang: &Lang, agent: &AgentId) -> String {
    tr!(lang, "now-owns", agent = agent.to_string())
}

/// The reaction a reply's delivery news puts on the agent's message.
pub fn delivery_mark(event: &Event) -> Option<&'static str> {
    Some(match event {
        Event::SmsSent { .. } => "✓ sent",
        Event::DeliveryUpdated {
            status: Delivery::Delivered | Delivery::Read,
            ..
        } => "✅ delivered",
        Event::DeliveryUpdated {
            status: Delivery::Failed,
            ..
        }
        | Event::SmsFailed { .. } => "❌ failed",
        _ => return None,
    })
}

/// A failure of a reply whose conversation room is closed, for its author's desk.
pub fn late_failure(id: ConversationId, customer: Option<&str>, event: &Event) -> String {
    let with = customer.map(|c| format!(" with {c}")).unwrap_or_default();
    format!("Conversation #{id}{with} (closed): {}", event.describe())
}

/// The reaction that tells an agent a reply takes more than one SMS or
/// needs UCS-2, e.g. `📏 3 segments · UCS-2`.
pub fn segments_mark(size: &smsdesk_core::segments::Segments) -> String {
    format!("📏 {size}")
}

/// Said after an opt-out, in the conversation room.
pub const OPTED_OUT_HINT: &str = "Your replies are refused from now on and nothing reaches the customer. \
     You can still !end and wrap up; if they text START, replies work again.";

pub const MISSED: &str = "smsdesk was away and could read only the latest messages sent here meanwhile. \
     Older ones without a ✓ reaction did not reach the customer, and older commands \
     were not done: please send them again.";

pub const LEFT_DESK: &str =
    "You left your desk room, so you are offline. Say !available here when you want offers again.";

pub const EDIT_REFUSED: &str =
    "Not sent: an SMS cannot be changed once sent, so edits do not reach the customer. Send a new message instead.";

/// Plain text in the desk room.
pub fn desk_plain_text(lang: &Lang) -> String {
    lang.t("desk-plain-text")
}

pub fn unsupported(what: &str) -> String {
    format!("Not sent: {what} cannot be sent by SMS; only plain text reaches the customer.")
}

pub fn not_on_roster(sender: &str) -> String {
    format!("{sender} is not on the agent roster: nothing was sent.")
}

/// An agent's picture or file that was not sent, and why.
pub fn attachment_refused(why: &str) -> String {
    format!("Not sent: {why}. Nothing reached the customer.")
}

pub use crate::matrix::texts::refusals::{command_refused, reply_refused};

/// A command that changed nothing.
pub fn nothing_to_change(lang: &Lang) -> String {
    lang.t("nothing-to-change")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_customer_mms_shows_its_text_and_counts_its_attachments() {
        let mut sms = InboundSms {
            carrier: "twilio".into(),
            carrier_message_id: "SM1".into(),
            from: "+15557770001".into(),
            to: smsdesk_core::EntryNumber::parse("+15550001111").expect("entry"),
            body: "here is the receipt".into(),
            media: Vec::new(),
        };
        assert_eq!(customer_line(&Lang::default(), &sms), "customer: here is the receipt");
        sms.media = vec!["https://api.twilio.com/m/1".into(), "https://api.twilio.com/m/2".into()];
        assert_eq!(
            customer_line(&Lang::default(), &sms),
            "customer: here is the receipt [+ 2 attachments]"
        );
    }

    #[test]
    fn a_long_history_is_split_into_notices_the_homeserver_accepts() {
        let lines: Vec<String> = (0..100).map(|i| format!("customer: {i} {}", "x".repeat(900))).collect();
        let notices = history_notices(&Lang::default(), ConversationId(7), &lines, HISTORY_NOTICE_BYTES, true);
        assert!(notices.len() > 1, "{}", notices.len());
        assert!(notices[0].starts_with("Conversation #7 — history so far:\ncustomer: 0 "));
        assert!(notices[1].starts_with("Conversation #7 — history, continued:\n"));
        // Every line once, in order; no notice much over the limit.
        let all: Vec<&str> = notices.iter().flat_map(|n| n.lines().skip(1)).collect();
        assert_eq!(all, lines.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(notices.iter().all(|n| n.len() <= HISTORY_NOTICE_BYTES + 1_000));
        // A short one stays one notice.
        let short = history_notices(
            &Lang::default(),
            ConversationId(7),
            &["customer: hi".to_owned()],
            HISTORY_NOTICE_BYTES,
            true,
        );
        assert_eq!(short, ["Conversation #7 — history so far:\ncustomer: hi"]);
    }

    #[test]
    fn the_wrapup_prompt_numbers_the_reasons() {
        assert_eq!(
            wrapup_prompt(&Lang::default(), &["Resolved".into(), "Wrong number".into()]),
            "Conversation ended. Wrap up by reacting with the reason's number, or with !wrapup <number or text>: 1. Resolved; 2. Wrong number"
        );
    }
}
