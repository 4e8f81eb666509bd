//! Why the engine refused what an agent did, in the agent's language
//! (`locales/*/refusals.ftl`): every `Rejection` has its message. The
//! engine's own `Display` stays English, for logs and the HTTP API.

use smsdesk_core::setup::{MAX_NOTE_CHARS, MAX_REPLY_CHARS, MAX_REPLY_MEDIA};
use smsdesk_core::{ConversationId, Rejection};

use crate::i18n::{Args, Lang};
use crate::tr;

/// "Not sent: <why>", for a reply or a file the engine refused.
pub fn reply_refused(lang: &Lang, r: &Rejection) -> String {
    tr!(lang, "refused-reply", why = reason(lang, r))
}

/// "Refused: <why>", for a command the engine refused.
pub fn command_refused(lang: &Lang, r: &Rejection) -> String {
    tr!(lang, "refused-command", why = reason(lang, r))
}

/// A list, or "(none configured)".
fn list(lang: &Lang, items: &[String]) -> String {
    if items.is_empty() {
        lang.t("none-configured")
    } else {
        items.join(", ")
    }
}

fn numbered(items: &[String]) -> String {
    let lines: Vec<String> = items
        .iter()
        .enumerate()
        .map(|(i, r)| format!("{}. {r}", i + 1))
        .collect();
    lines.join("; ")
}

/// A conversation's state, as a phase label (`Phase::label`) names it.
pub fn phase(lang: &Lang, label: &str) -> String {
    let id = match label {
        "intake" => "phase-intake",
        "queued" => "phase-queued",
        "offered" => "phase-offered",
        "active" => "phase-active",
        "conference" => "phase-conference",
        "conference requested" => "phase-conference-requested",
        "wrapup" => "phase-wrapup",
        "paused" => "phase-paused",
        "closed" => "phase-closed",
        other => return other.to_owned(),
    };
    lang.t(id)
}

/// Message `id` with one conversation number and maybe a phase.
fn about(lang: &Lang, id: &str, conversation: ConversationId, state: Option<&str>) -> String {
    let mut args = Args::new();
    args.set("id", conversation.to_string());
    if let Some(state) = state {
        args.set("phase", phase(lang, state));
    }
    lang.t_args(id, &args)
}

/// Why, in `lang`.
pub fn reason(lang: &Lang, r: &Rejection) -> String {
    use Rejection::*;
    let s = |v: &dyn std::fmt::Display| v.to_string();
    match r {
        OptedOut {
            customer,
            entry,
            at,
            how,
        } => tr!(
            lang,
            "reject-opted-out",
            customer = s(customer),
            entry = s(entry),
            at = s(at),
            how = how.as_str()
        ),
        NotOnRoster { user } => tr!(lang, "reject-not-on-roster", user = s(user)),
        UnknownConversation(id) => about(lang, "reject-unknown-conversation", *id, None),
        UnknownEntryPoint(entry) => tr!(lang, "reject-unknown-entry", entry = s(entry)),
        UnknownQueue { name, known } => tr!(lang, "reject-unknown-queue", name = s(name), known = list(lang, known)),
        UnknownIdleCode { code, known } => tr!(
            lang,
            "reject-unknown-idle-code",
            code = code.as_str(),
            known = list(lang, known)
        ),
        IdleCodeRequired { known } => tr!(lang, "reject-idle-code-required", known = list(lang, known)),
        NoPendingOffer => lang.t("reject-no-pending-offer"),
        AmbiguousOffer(ids) => {
            let all: Vec<String> = ids.iter().map(ToString::to_string).collect();
            let first = all.first().cloned().unwrap_or_default();
            tr!(lang, "reject-ambiguous-offer", ids = all.join(", "), first = first)
        }
        NotOfferedToYou(id) => about(lang, "reject-not-offered-to-you", *id, None),
        NotQueued(id, state) => about(lang, "reject-not-queued", *id, Some(state)),
        NotEligible {
            agent,
            conversation,
            why,
        } => tr!(
            lang,
            "reject-not-eligible",
            agent = s(agent),
            id = s(conversation),
            why = why.as_str()
        ),
        NotYourConversation(id) => about(lang, "reject-not-yours", *id, None),
        OwnerOnly(id) => about(lang, "reject-owner-only", *id, None),
        NotActive(id, state) => about(lang, "reject-not-active", *id, Some(state)),
        NotInWrapup(id, state) => about(lang, "reject-not-in-wrapup", *id, Some(state)),
        other => more(lang, other),
    }
}

/// The rest of `reason`: replies, transfers and conferences, wrap-up, the engine's own.
fn more(lang: &Lang, r: &Rejection) -> String {
    use Rejection::*;
    let s = |v: &dyn std::fmt::Display| v.to_string();
    match r {
        EmptyReply => lang.t("reject-empty-reply"),
        EmptyNote => lang.t("reject-empty-note"),
        NoteTooLong { chars } => tr!(lang, "reject-note-too-long", chars = s(chars), max = s(&MAX_NOTE_CHARS)),
        ReplyTooLong { chars } => tr!(
            lang,
            "reject-reply-too-long",
            chars = s(chars),
            max = s(&MAX_REPLY_CHARS)
        ),
        TooManyAttachments { count } => tr!(
            lang,
            "reject-too-many-attachments",
            count = s(count),
            max = s(&MAX_REPLY_MEDIA)
        ),
        NoMmsFrom { entry, kind } => tr!(lang, "reject-no-mms", entry = s(entry), kind = *kind),
        TargetIsSelf { what } if *what == "invite" => lang.t("reject-self-invite"),
        TargetIsSelf { .. } => lang.t("reject-self-transfer"),
        TargetNotAvailable { agent, status } => tr!(
            lang,
            "reject-target-not-available",
            agent = s(agent),
            status = status.as_str()
        ),
        TargetAtCapacity { agent, capacity } => tr!(
            lang,
            "reject-target-at-capacity",
            agent = s(agent),
            capacity = s(capacity)
        ),
        AlreadyParticipant(agent) => tr!(lang, "reject-already-participant", agent = s(agent)),
        NotInConference(agent) => tr!(lang, "reject-not-in-conference", agent = s(agent)),
        NoConference(id) => about(lang, "reject-no-conference", *id, None),
        WrongCarrier { entry, expected, got } => tr!(
            lang,
            "reject-wrong-carrier",
            entry = s(entry),
            expected = expected.as_str(),
            got = got.as_str()
        ),
        OnlyOwnerRemovesOthers => lang.t("reject-only-owner-removes"),
        WrapupReasonRequired { reasons } => tr!(lang, "reject-wrapup-required", reasons = numbered(reasons)),
        WrapupNumberOutOfRange { number, reasons } => tr!(
            lang,
            "reject-wrapup-out-of-range",
            number = s(number),
            reasons = numbered(reasons)
        ),
        WrapupNoMatch { text, reasons } => tr!(
            lang,
            "reject-wrapup-no-match",
            text = text.as_str(),
            reasons = numbered(reasons)
        ),
        WrapupAmbiguous { text, matches } => tr!(
            lang,
            "reject-wrapup-ambiguous",
            text = text.as_str(),
            matches = matches.join(", ")
        ),
        UnknownMessage(id) => tr!(lang, "reject-unknown-message", id = id.as_str()),
        TimerNotDue(id) => about(lang, "reject-timer-not-due", *id, None),
        IntakeTurnNotDue(id, turn) => tr!(lang, "reject-intake-not-due", id = s(id), turn = s(turn)),
        // `reason` answers the others.
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use smsdesk_core::AgentId;

    /// In English, every refusal reads as the engine words it.
    #[test]
    fn english_reads_as_the_engine_and_german_as_german() {
        let samples = [
            Rejection::NoPendingOffer,
            Rejection::NotActive(ConversationId(4), "wrapup"),
            Rejection::ReplyTooLong { chars: 1001 },
            Rejection::TargetIsSelf { what: "transfer to" },
            Rejection::TargetIsSelf { what: "invite" },
            Rejection::UnknownIdleCode {
                code: "Nap".into(),
                known: vec![],
            },
            Rejection::WrapupNumberOutOfRange {
                number: 4,
                reasons: vec!["Resolved".into(), "Spam".into()],
            },
            Rejection::AlreadyParticipant(AgentId::from("@b:hs")),
            Rejection::AmbiguousOffer(vec![ConversationId(2), ConversationId(3)]),
        ];
        for r in &samples {
            assert_eq!(reason(&Lang::default(), r), r.to_string());
        }
        let de = Lang::new("de");
        assert_eq!(
            reply_refused(&de, &samples[2]),
            "Nicht gesendet: Antwort zu lang: 1001 Zeichen, erlaubt sind 1000; nichts wurde gesendet"
        );
        assert_eq!(
            command_refused(&de, &samples[1]),
            "Abgelehnt: Konversation 4 ist nicht aktiv (sie ist in der Nachbearbeitung)"
        );
        assert_eq!(
            reason(&de, &samples[5]),
            "unbekannter Pausengrund \"Nap\"; Pausengründe: (keine eingerichtet)"
        );
    }
}
