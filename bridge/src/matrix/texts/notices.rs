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

/// How many SMS `text` takes, e.g. "2 segments · GSM-7", in `lang`.
pub fn segments(lang: &Lang, size: &smsdesk_core::segments::Segments) -> String {
    tr!(lang, "segments", count = size.count, encoding = size.encoding.label())
}

/// `!canned`'s list: number, name, the text as it would be sent, and
/// how many SMS it takes.
pub fn canned_list(lang: &Lang, choices: &[(String, String)]) -> String {
    let mut lines = vec![lang.t("canned-list-title")];
    for (i, (name, text)) in choices.iter().enumerate() {
        let size = segments(lang, &smsdesk_core::segments::segments(text));
        lines.push(tr!(
            lang,
            "canned-list-line",
            n = i + 1,
            name = name.as_str(),
            size = size,
            text = text.as_str()
        ));
    }
    lines.join("\n")
}

/// `!canned` found none.
pub fn no_canned(lang: &Lang, filter: Option<&str>) -> String {
    match filter {
        Some(f) => tr!(lang, "canned-none-matches", filter = f),
        None => lang.t("canned-none"),
    }
}

/// `!c` with a name this conversation does not have.
pub fn unknown_canned(lang: &Lang, name: &str, names: &[&str]) -> String {
    if names.is_empty() {
        return tr!(lang, "canned-unknown-none", name = name);
    }
    tr!(lang, "canned-unknown", name = name, names = names.join(", "))
}

/// What a canned reply sends, shown before it goes (its delivery shows here).
pub fn canned_sending(lang: &Lang, name: &str, text: &str) -> String {
    tr!(lang, "canned-sending", name = name, text = text)
}

/// A canned reply the engine refused, and why.
pub fn canned_refused(lang: &Lang, name: &str, why: &str) -> String {
    tr!(lang, "canned-refused", name = name, why = why)
}

/// What the bot reacts with on a message it kept as an internal note.
pub const NOTED: &str = "📝";

/// A note as a history line.
pub fn note_line(lang: &Lang, author: &str, body: &str) -> String {
    tr!(lang, "note-line", author = author, body = body)
}

/// A customer's attachment that cannot be shown, and why.
pub fn customer_media_refused(lang: &Lang, index: usize, why: &str) -> String {
    tr!(lang, "customer-media-refused", index = index, why = why)
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
pub fn masked_history_header(lang: &Lang, id: ConversationId) -> String {
    tr!(lang, "history-masked", id = id.to_string())
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
        Event::NoteAdded { author, body, .. } => Some(note_line(lang, author.as_str(), body)),
        Event::AutoReplied { .. } | Event::IntakeFinished { .. } => Some(events::describe(lang, event)),
        _ => None,
    }
}

/// The first words in a new desk room.
/// A message the bot could not decrypt in time (`sent_at`: its time, UTC).
pub fn undecryptable(lang: &Lang, sent_at: &str) -> String {
    tr!(lang, "undecryptable", at = sent_at)
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

/// The reaction a reply's delivery news puts on the agent's message
/// (`mark-*`, in the language of the room it is put in).
pub fn delivery_mark(lang: &Lang, event: &Event) -> Option<String> {
    Some(lang.t(match event {
        Event::SmsSent { .. } => "mark-sent",
        Event::DeliveryUpdated {
            status: Delivery::Delivered | Delivery::Read,
            ..
        } => "mark-delivered",
        Event::DeliveryUpdated {
            status: Delivery::Failed,
            ..
        }
        | Event::SmsFailed { .. } => "mark-failed",
        _ => return None,
    }))
}

/// A failure of a reply whose conversation room is closed, for its author's desk.
pub fn late_failure(lang: &Lang, id: ConversationId, customer: Option<&str>, event: &Event) -> String {
    let what = events::describe(lang, event);
    match customer {
        Some(c) => tr!(
            lang,
            "late-failure-with",
            id = id.to_string(),
            customer = c,
            what = what
        ),
        None => tr!(lang, "late-failure", id = id.to_string(), what = what),
    }
}

/// The reaction that tells an agent a reply takes more than one SMS or
/// needs UCS-2, e.g. `📏 3 segments · UCS-2`.
pub fn segments_mark(lang: &Lang, size: &smsdesk_core::segments::Segments) -> String {
    format!("📏 {}", segments(lang, size))
}

/// Plain text in the desk room.
pub fn desk_plain_text(lang: &Lang) -> String {
    lang.t("desk-plain-text")
}

/// A message SMS cannot carry; `what` is its catalog id (`unsupported-*`).
pub fn unsupported(lang: &Lang, what: &str) -> String {
    tr!(lang, "unsupported", what = lang.t(what))
}

pub fn not_on_roster(lang: &Lang, sender: &str) -> String {
    tr!(lang, "not-on-roster", sender = sender)
}

/// An agent's picture or file that was not sent, and why.
pub fn attachment_refused(lang: &Lang, why: &str) -> String {
    tr!(lang, "attachment-refused", why = why)
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
