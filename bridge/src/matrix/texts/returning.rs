//! A returning customer (`queues[].sticky`): what the offer card says about
//! their last conversation ("returning customer, last handled by you on
//! …"), and the summary that starts their new conversation room's history
//! (when, who, the wrap-up reason, and where to export it). Times are shown
//! in the queue's time zone, as the queue's hours are.

use smsdesk_core::model::Sticky;
use smsdesk_core::setup::QueueSetup;
use smsdesk_core::{AgentId, Timestamp};

use crate::i18n::Lang;
use crate::tr;

/// `at` in `queue`'s zone (UTC without a queue), for a reader of `lang`:
/// "Sat 2026-12-05 14:05", "Samstag, 2026-12-05 14:05" (the weekday's
/// name from the catalog, a 24-hour clock).
pub fn when(lang: &Lang, queue: Option<&QueueSetup>, at: Timestamp) -> String {
    let ts = i64::try_from(at.0)
        .ok()
        .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let zone = queue.map_or(jiff::tz::TimeZone::UTC, |q| q.timezone.clone());
    let local = ts.to_zoned(zone);
    let weekday = lang.t(&format!("weekday-{}", local.weekday().to_monday_one_offset()));
    tr!(
        lang,
        "time-day-and-time",
        weekday = weekday,
        date = local.strftime("%Y-%m-%d").to_string(),
        time = local.strftime("%H:%M").to_string()
    )
}

/// Why the card comes to `to`: the customer's last agent, named.
pub fn via(lang: &Lang, last: &Sticky, to: &AgentId, when: &str) -> String {
    if &last.agent == to {
        tr!(lang, "via-returning-you", when = when)
    } else {
        tr!(lang, "via-returning-other", agent = last.agent.to_string(), when = when)
    }
}

/// The line that starts a returning customer's history: their last
/// conversation, and the export of it (for supervisors of the queue).
pub fn summary(lang: &Lang, last: &Sticky, when: &str, public_url: &str) -> String {
    tr!(
        lang,
        "returning-summary",
        id = last.conversation.to_string(),
        when = when,
        agent = last.agent.to_string(),
        reason = last.reason.as_str(),
        link = format!(
            "{public_url}/supervisor/export?conversation={}&format=csv",
            last.conversation
        )
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use smsdesk_core::ConversationId;

    fn last() -> Sticky {
        Sticky {
            agent: AgentId::from("@alice:example.com"),
            conversation: ConversationId(12),
            closed_at: Timestamp(1_764_943_500_000),
            reason: "Resolved".into(),
            until: None,
        }
    }

    #[test]
    fn the_card_and_the_summary_name_the_last_agent_and_the_time_in_the_queues_zone() {
        let mut queue = QueueSetup::new("billing");
        queue.timezone = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
        let when = when(&Lang::default(), Some(&queue), last().closed_at);
        assert_eq!(when, "Fri 2025-12-05 15:05");
        assert_eq!(
            via(&Lang::default(), &last(), &AgentId::from("@alice:example.com"), &when),
            "returning customer, last handled by you on Fri 2025-12-05 15:05"
        );
        assert_eq!(
            via(&Lang::default(), &last(), &AgentId::from("@bob:example.com"), &when),
            "returning customer, last handled by @alice:example.com on Fri 2025-12-05 15:05"
        );
        assert_eq!(
            summary(&Lang::default(), &last(), &when, "https://desk.example.com"),
            "Returning customer: their last conversation #12 closed on Fri 2025-12-05 15:05 with \
             @alice:example.com (wrap-up: Resolved). Its transcript: \
             https://desk.example.com/supervisor/export?conversation=12&format=csv"
        );
        let de = Lang::new("de");
        assert_eq!(when_de(&de, &queue), "Freitag, 2025-12-05 15:05");
    }

    fn when_de(de: &Lang, queue: &QueueSetup) -> String {
        when(de, Some(queue), last().closed_at)
    }
}
