//! What happened in a conversation, as its room shows it to agents, in the
//! reader's language (`locales/*/events.ftl`). The engine's own
//! `Event::describe` stays English, for logs and exports.

use smsdesk_core::event::{with_attachments, ConferenceExit, IntakeEnd};
use smsdesk_core::model::AgentStatus;
use smsdesk_core::Event;

use crate::i18n::Lang;
use crate::tr;

/// An agent state in `lang`.
pub fn status_text(lang: &Lang, status: &AgentStatus) -> String {
    match status {
        AgentStatus::Available => lang.t("status-available"),
        AgentStatus::Idle { code: Some(code) } => tr!(lang, "status-idle-code", code = code.as_str()),
        AgentStatus::Idle { code: None } => lang.t("status-idle"),
        AgentStatus::Rona => lang.t("status-rona"),
        AgentStatus::Offline => lang.t("status-offline"),
    }
}

/// How a customer came to be opted out, in `lang`.
pub fn opt_out_how(lang: &Lang, how: &smsdesk_core::model::OptOutHow) -> String {
    use smsdesk_core::model::OptOutHow;
    match how {
        OptOutHow::Keyword { word } => tr!(lang, "optout-how-keyword", word = word.as_str()),
        OptOutHow::Carrier { code: Some(code) } => tr!(lang, "optout-how-carrier-code", code = code.to_string()),
        OptOutHow::Carrier { code: None } => lang.t("optout-how-carrier"),
        OptOutHow::Supervisor { agent } => tr!(lang, "optout-how-supervisor", agent = agent.to_string()),
    }
}

/// " (account: 123, topic: billing)", or nothing.
fn fields_text(fields: &[(String, String)]) -> String {
    if fields.is_empty() {
        return String::new();
    }
    let list: Vec<String> = fields.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    format!(" ({})", list.join(", "))
}

/// `event` as a line for a reader of `lang`.
pub fn describe(lang: &Lang, event: &Event) -> String {
    use Event::*;
    let s = |v: &dyn std::fmt::Display| v.to_string();
    match event {
        ConversationOpened { queue, entry, .. } => tr!(lang, "event-opened", entry = s(entry), queue = s(queue)),
        MessageReceived { sms, .. } => tr!(lang, "event-customer", body = sms.body.as_str()),
        AgentStatusChanged { agent, status } => {
            tr!(
                lang,
                "event-status",
                agent = s(agent),
                status = status_text(lang, status)
            )
        }
        Offered { agent, .. } => tr!(lang, "event-offered", agent = s(agent)),
        OfferAccepted { agent, .. } => tr!(lang, "event-accepted", agent = s(agent)),
        OfferDeclined { agent, .. } => tr!(lang, "event-declined", agent = s(agent)),
        OfferTimedOut { agent, .. } => tr!(lang, "event-timed-out", agent = s(agent)),
        OfferWithdrawn { agent, .. } => tr!(lang, "event-withdrawn", agent = s(agent)),
        ReplyAccepted { agent, body, media, .. } => tr!(
            lang,
            "event-reply",
            agent = s(agent),
            body = with_attachments(body, media.len())
        ),
        NoteAdded { author, body, .. } => tr!(lang, "event-note", author = s(author), body = body.as_str()),
        SmsSent { message_id, .. } => tr!(lang, "event-sent", id = s(message_id)),
        SmsFailed { .. } | DeliveryUpdated { .. } => delivery(lang, event),
        TransferredToQueue { from, queue, .. } => tr!(lang, "event-to-queue", from = s(from), queue = s(queue)),
        TransferredToAgent { from, to, .. } => tr!(lang, "event-to-agent", from = s(from), to = s(to)),
        ConferenceRequested { by, agent, .. } => {
            tr!(lang, "event-conference-requested", by = s(by), agent = s(agent))
        }
        ConferenceJoined { agent, .. } => tr!(lang, "event-conference-joined", agent = s(agent)),
        ConferenceLeft { agent, why, .. } => conference_left(lang, agent, why),
        Ended { agent, .. } => tr!(lang, "event-ended", agent = s(agent)),
        WrappedUp { reason, .. } => tr!(lang, "event-closed", reason = reason.as_str()),
        OptedOut {
            customer, entry, how, ..
        } => tr!(
            lang,
            "event-opted-out",
            customer = s(customer),
            entry = s(entry),
            how = opt_out_how(lang, how)
        ),
        OptedIn { customer, entry, .. } => tr!(lang, "event-opted-in", customer = s(customer), entry = s(entry)),
        AutoReplied { kind, body, .. } => tr!(lang, "event-auto-replied", kind = kind.label(), body = body.as_str()),
        Abandoned { reason, .. } => tr!(lang, "event-abandoned", reason = s(reason)),
        Paused { owner, .. } => tr!(lang, "event-paused", owner = s(owner)),
        StickyWaitEnded { .. } => lang.t("event-sticky-ended"),
        Resumed {
            owner, requeued: false, ..
        } => tr!(lang, "event-resumed", owner = s(owner)),
        Resumed { owner, .. } => tr!(lang, "event-resumed-requeued", owner = s(owner)),
        IntakeStarted { .. } => lang.t("event-intake-started"),
        IntakeTurned { turn, .. } => tr!(lang, "event-intake-turned", turn = s(turn)),
        IntakeFinished { queue, fields, how, .. } => intake_finished(lang, &s(queue), fields, how),
    }
}

/// A reply's fate with the carrier.
fn delivery(lang: &Lang, event: &Event) -> String {
    use Event::*;
    let s = |v: &dyn std::fmt::Display| v.to_string();
    match event {
        SmsFailed {
            message_id,
            code,
            reason,
            ..
        } => match code {
            Some(code) => tr!(
                lang,
                "event-failed-code",
                id = s(message_id),
                reason = reason.as_str(),
                code = code.as_str()
            ),
            None => tr!(lang, "event-failed", id = s(message_id), reason = reason.as_str()),
        },
        DeliveryUpdated {
            message_id,
            status,
            error_code,
            ..
        } => match error_code {
            Some(code) => tr!(
                lang,
                "event-delivery-code",
                id = s(message_id),
                status = status.label(),
                code = code.as_str()
            ),
            None => tr!(lang, "event-delivery", id = s(message_id), status = status.label()),
        },
        _ => String::new(),
    }
}

/// A conference member leaving, and why.
fn conference_left(lang: &Lang, agent: &smsdesk_core::AgentId, why: &ConferenceExit) -> String {
    let id = match why {
        ConferenceExit::Declined => "event-conference-declined",
        ConferenceExit::Expired => "event-conference-expired",
        ConferenceExit::Ended => "event-conference-left",
        ConferenceExit::ConversationMoved => "event-conference-moved",
        ConferenceExit::Withdrawn => "event-conference-withdrawn",
    };
    let mut args = crate::i18n::Args::new();
    args.set("agent", agent.to_string());
    lang.t_args(id, &args)
}

/// How the intake bot handed the conversation on.
fn intake_finished(lang: &Lang, queue: &str, fields: &[(String, String)], how: &IntakeEnd) -> String {
    let fields = fields_text(fields);
    match how {
        IntakeEnd::Bot => tr!(lang, "event-intake-done", queue = queue, fields = fields),
        IntakeEnd::TimedOut => tr!(lang, "event-intake-timed-out", queue = queue, fields = fields),
        IntakeEnd::Failed { reason } => tr!(
            lang,
            "event-intake-failed",
            reason = reason.as_str(),
            queue = queue,
            fields = fields
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use smsdesk_core::{AgentId, ConversationId};

    /// Every line in English is what the engine says of the event (the
    /// English catalog changed nothing agents knew).
    #[test]
    fn english_says_what_the_engine_says_and_german_its_own() {
        let events = [
            Event::WrappedUp {
                conversation: ConversationId(3),
                reason: "Resolved".into(),
            },
            Event::TransferredToAgent {
                conversation: ConversationId(3),
                from: AgentId::from("@a:hs"),
                to: AgentId::from("@b:hs"),
                deadline: smsdesk_core::Timestamp(0),
            },
            Event::Ended {
                conversation: ConversationId(3),
                agent: AgentId::from("@a:hs"),
                auto_wrapup_at: None,
            },
        ];
        for e in &events {
            assert_eq!(describe(&Lang::default(), e), e.describe());
        }
        assert_eq!(describe(&Lang::new("de"), &events[0]), "geschlossen: Resolved");
        assert_eq!(
            describe(&Lang::new("de"), &events[1]),
            "@a:hs hat die Konversation an @b:hs übertragen"
        );
    }
}
