//! What the supervisor room answers, as pure functions of the engine's
//! figures and records: `!stats` and `!agents` as tables (HTML with a
//! plain twin), `!history` as a transcript with every state change.

use smsdesk_core::figures::{self, QueueFigures};
use smsdesk_core::model::Conversation;
use smsdesk_core::state::State;
use smsdesk_core::{EventRecord, QueueName, Timestamp};

use crate::format::{agent_counts, duration, percent, state_name};
use crate::i18n::Lang;
use crate::matrix::texts::events::{describe, status_text};
use crate::matrix::texts::notices::customer_line;
use crate::matrix::texts::refusals::phase;
use crate::matrix::texts::rich::{grid, Text};
use crate::tr;

/// `!stats`: one row per queue.
pub fn stats(lang: &Lang, figures: &[QueueFigures]) -> Text {
    let rows: Vec<Vec<String>> = figures
        .iter()
        .map(|f| {
            vec![
                f.queue.to_string(),
                f.waiting.to_string(),
                duration(lang, f.longest_wait),
                agent_counts(lang, &f.agents),
                f.accepted.to_string(),
                f.abandoned.to_string(),
                tr!(
                    lang,
                    "stats-service-level",
                    level = percent(lang, f.service_level),
                    sla = duration(lang, Some(f.sla))
                ),
                duration(lang, f.asa),
                duration(lang, f.aht),
            ]
        })
        .collect();
    let title = match figures.first() {
        Some(f) => tr!(lang, "stats-title", day = f.day.as_str(), zone = f.timezone.as_str()),
        None => lang.t("stats-title-empty"),
    };
    let columns = [
        lang.t("col-queue"),
        lang.t("col-waiting"),
        lang.t("col-longest"),
        lang.t("col-agents"),
        lang.t("col-accepted"),
        lang.t("col-abandoned"),
        lang.t("col-service-level"),
        lang.t("col-asa"),
        lang.t("col-aht"),
    ];
    grid(&title, &columns.each_ref().map(String::as_str), &rows)
}

/// `!agents [filter]`: the agents of `queues`, with state and time in state.
pub fn agents(lang: &Lang, state: &State, queues: &[QueueName], filter: Option<&str>, now: Timestamp) -> Text {
    let filter = filter.map(str::to_lowercase);
    let rows: Vec<Vec<String>> = state
        .setup
        .agents
        .values()
        .filter(|a| a.queues.iter().any(|q| queues.contains(q)))
        .filter_map(|a| {
            let label = figures::agent_state(state, &a.id);
            let status = state
                .agent(&a.id)
                .map(|s| status_text(lang, &s.status))
                .unwrap_or_default();
            let row = vec![
                a.name.clone(),
                a.id.to_string(),
                status,
                // An agent who never changed state has no "since" (it reads
                // as the Unix epoch): "—", not "offline for 499015h".
                duration(
                    lang,
                    state.agent(&a.id).filter(|s| s.since.0 > 0).map(|s| now.since(s.since)),
                ),
                format!("{}/{}", state.load(&a.id), a.capacity),
                a.queues.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
            ];
            // Found by the English state too, whatever the reader's language.
            let hay = format!("{} {label} {}", row.join(" "), state_name(lang, label)).to_lowercase();
            filter.as_ref().is_none_or(|f| hay.contains(f)).then_some(row)
        })
        .collect();
    if rows.is_empty() {
        return Text::from(match filter {
            Some(f) => tr!(lang, "supervisor-agents-none-match", filter = f),
            None => lang.t("supervisor-agents-none"),
        });
    }
    let columns = [
        lang.t("col-name"),
        lang.t("col-agent"),
        lang.t("col-state"),
        lang.t("col-for"),
        lang.t("col-load"),
        lang.t("col-queues"),
    ];
    grid(
        &lang.t("agents-table-title"),
        &columns.each_ref().map(String::as_str),
        &rows,
    )
}

/// The local time of `at` as `HH:MM:SS` in `zone`.
fn clock(at: Timestamp, zone: &jiff::tz::TimeZone) -> String {
    i64::try_from(at.0)
        .ok()
        .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .map(|t| t.to_zoned(zone.clone()).strftime("%H:%M:%S").to_string())
        .unwrap_or_default()
}

/// `!history`: a conversation's header, then every event of it, each
/// line with its local time in the conversation's queue's zone.
pub fn history(lang: &Lang, c: &Conversation, records: &[EventRecord], zone: &jiff::tz::TimeZone) -> Vec<String> {
    let day = i64::try_from(c.opened_at.0)
        .ok()
        .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .map(|t| t.to_zoned(zone.clone()).date().to_string())
        .unwrap_or_default();
    let lines: Vec<String> = records
        .iter()
        .map(|r| {
            let what = match &r.event {
                smsdesk_core::Event::MessageReceived { sms, .. } => customer_line(lang, sms),
                other => describe(lang, other),
            };
            format!("{} {what}", clock(r.at, zone))
        })
        .collect();
    let header = tr!(
        lang,
        "history-header",
        id = c.id.to_string(),
        customer = c.customer.to_string(),
        entry = c.entry.to_string(),
        carrier = c.carrier.to_string(),
        queue = c.queue.to_string(),
        day = day,
        phase = phase(lang, c.phase.label())
    );
    crate::matrix::texts::notices::chunked(
        header,
        &tr!(lang, "history-header-continued", id = c.id.to_string()),
        &lines,
        crate::matrix::texts::notices::HISTORY_NOTICE_BYTES,
    )
}

/// `!canned`: the canned replies of `queues` (those a supervisor watches),
/// as configured, with the queues each is for.
pub fn canned(lang: &Lang, canned: &[crate::config::CannedConfig], queues: &[QueueName]) -> String {
    let shown: Vec<String> = canned
        .iter()
        .filter(|c| queues.iter().any(|q| c.for_queue(q)))
        .map(|c| {
            let for_queues = if c.queues.is_empty() {
                lang.t("canned-every-queue")
            } else {
                c.queues.iter().map(QueueName::as_str).collect::<Vec<_>>().join(", ")
            };
            format!("{} ({for_queues}): {}", c.name, c.text)
        })
        .collect();
    if shown.is_empty() {
        return lang.t("canned-none-for-supervisor");
    }
    format!("{}\n{}", lang.t("canned-supervisor-title"), shown.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::CannedConfig;

    #[test]
    fn a_supervisor_sees_the_canned_replies_of_their_queues_only() {
        let canned = vec![
            CannedConfig {
                name: "thanks".into(),
                text: "Thanks {customer_first_name}".into(),
                queues: Vec::new(),
            },
            CannedConfig {
                name: "refund".into(),
                text: "Refund on its way".into(),
                queues: vec![QueueName::from("billing")],
            },
        ];
        let support = canned_list(&canned, "support");
        assert!(
            support.contains("thanks (every queue): Thanks {customer_first_name}"),
            "{support}"
        );
        assert!(!support.contains("refund"), "{support}");
        assert!(canned_list(&canned, "billing").contains("refund (billing): Refund on its way"));
        assert_eq!(
            super::canned(&Lang::default(), &[], &[QueueName::from("billing")]),
            "No canned replies are configured for your queues."
        );
    }

    fn canned_list(canned: &[CannedConfig], queue: &str) -> String {
        super::canned(&Lang::default(), canned, &[QueueName::from(queue)])
    }
}
