//! What the supervisor room answers, as pure functions of the engine's
//! figures and records: `!stats` and `!agents` as tables (HTML with a
//! plain twin), `!history` as a transcript with every state change.

use smsdesk_core::figures::{self, QueueFigures, AGENT_STATES};
use smsdesk_core::model::Conversation;
use smsdesk_core::state::State;
use smsdesk_core::{EventRecord, QueueName, Timestamp};

use crate::format::{duration, percent};
use crate::matrix::texts::rich::{grid, Text};

/// `!stats`: one row per queue.
pub fn stats(figures: &[QueueFigures]) -> Text {
    let rows: Vec<Vec<String>> = figures
        .iter()
        .map(|f| {
            let agents = AGENT_STATES
                .iter()
                .filter(|s| f.agents.get(*s).copied().unwrap_or(0) > 0)
                .map(|s| format!("{} {s}", f.agents[s]))
                .collect::<Vec<_>>()
                .join(", ");
            vec![
                f.queue.to_string(),
                f.waiting.to_string(),
                duration(f.longest_wait),
                if agents.is_empty() { "none".to_owned() } else { agents },
                f.accepted.to_string(),
                f.abandoned.to_string(),
                format!("{} (≤{})", percent(f.service_level), duration(Some(f.sla))),
                duration(f.asa),
                duration(f.aht),
            ]
        })
        .collect();
    let day = figures.first().map(|f| format!(" — today ({}, {})", f.day, f.timezone));
    grid(
        &format!("Queue figures{}", day.unwrap_or_default()),
        &[
            "queue",
            "waiting",
            "longest",
            "agents",
            "accepted",
            "abandoned",
            "service level",
            "ASA",
            "AHT",
        ],
        &rows,
    )
}

/// `!agents [filter]`: the agents of `queues`, with state and time in state.
pub fn agents(state: &State, queues: &[QueueName], filter: Option<&str>, now: Timestamp) -> Text {
    let filter = filter.map(str::to_lowercase);
    let rows: Vec<Vec<String>> = state
        .setup
        .agents
        .values()
        .filter(|a| a.queues.iter().any(|q| queues.contains(q)))
        .filter_map(|a| {
            let label = figures::agent_state(state, &a.id);
            let status = state.agent(&a.id).map(|s| s.status.to_string()).unwrap_or_default();
            let row = vec![
                a.name.clone(),
                a.id.to_string(),
                status,
                // An agent who never changed state has no "since" (it reads
                // as the Unix epoch): "—", not "offline for 499015h".
                duration(state.agent(&a.id).filter(|s| s.since.0 > 0).map(|s| now.since(s.since))),
                format!("{}/{}", state.load(&a.id), a.capacity),
                a.queues.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
            ];
            let hay = format!("{} {label}", row.join(" ")).to_lowercase();
            filter.as_ref().is_none_or(|f| hay.contains(f)).then_some(row)
        })
        .collect();
    if rows.is_empty() {
        return Text::from(match filter {
            Some(f) => format!("No agent of your queues matches {f:?}."),
            None => "Your queues have no agents on the roster.".to_owned(),
        });
    }
    grid("Agents", &["name", "agent", "state", "for", "load", "queues"], &rows)
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
pub fn history(c: &Conversation, records: &[EventRecord], zone: &jiff::tz::TimeZone) -> Vec<String> {
    let day = i64::try_from(c.opened_at.0)
        .ok()
        .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .map(|t| t.to_zoned(zone.clone()).date().to_string())
        .unwrap_or_default();
    let lines: Vec<String> = records
        .iter()
        .map(|r| {
            let what = match &r.event {
                smsdesk_core::Event::MessageReceived { sms, .. } => {
                    format!(
                        "customer: {}",
                        smsdesk_core::event::with_attachments(&sms.body, sms.media.len())
                    )
                }
                other => other.describe(),
            };
            format!("{} {what}", clock(r.at, zone))
        })
        .collect();
    let header = format!(
        "Conversation #{} — {} on {} ({}), queue {}, opened {day}, now {}:",
        c.id,
        c.customer,
        c.entry,
        c.carrier,
        c.queue,
        c.phase.label()
    );
    crate::matrix::texts::notices::chunked(
        header,
        &format!("Conversation #{}, continued:", c.id),
        &lines,
        crate::matrix::texts::notices::HISTORY_NOTICE_BYTES,
    )
}

/// `!canned`: the canned replies of `queues` (those a supervisor watches),
/// as configured, with the queues each is for.
pub fn canned(canned: &[crate::config::CannedConfig], queues: &[QueueName]) -> String {
    let shown: Vec<String> = canned
        .iter()
        .filter(|c| queues.iter().any(|q| c.for_queue(q)))
        .map(|c| {
            let for_queues = if c.queues.is_empty() {
                "every queue".to_owned()
            } else {
                c.queues.iter().map(QueueName::as_str).collect::<Vec<_>>().join(", ")
            };
            format!("{} ({for_queues}): {}", c.name, c.text)
        })
        .collect();
    if shown.is_empty() {
        return "No canned replies are configured for your queues.".to_owned();
    }
    format!(
        "Canned replies (agents send them with !c <name>):\n{}",
        shown.join("\n")
    )
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
            super::canned(&[], &[QueueName::from("billing")]),
            "No canned replies are configured for your queues."
        );
    }

    fn canned_list(canned: &[CannedConfig], queue: &str) -> String {
        super::canned(canned, &[QueueName::from(queue)])
    }
}
