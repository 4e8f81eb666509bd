//! A returning customer (`queues[].sticky`): what the offer card says about
//! their last conversation ("returning customer, last handled by you on
//! …"), and the summary that starts their new conversation room's history
//! (when, who, the wrap-up reason, and where to export it). Times are shown
//! in the queue's time zone, as the queue's hours are.

use smsdesk_core::model::Sticky;
use smsdesk_core::setup::QueueSetup;
use smsdesk_core::{AgentId, Timestamp};

/// `at` as "Sat 2026-12-05 14:05" in `queue`'s zone (UTC without a queue).
pub fn when(queue: Option<&QueueSetup>, at: Timestamp) -> String {
    let ts = i64::try_from(at.0)
        .ok()
        .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let zone = queue.map_or(jiff::tz::TimeZone::UTC, |q| q.timezone.clone());
    ts.to_zoned(zone).strftime("%a %Y-%m-%d %H:%M").to_string()
}

/// Why the card comes to `to`: the customer's last agent, named.
pub fn via(last: &Sticky, to: &AgentId, when: &str) -> String {
    if &last.agent == to {
        format!("returning customer, last handled by you on {when}")
    } else {
        format!("returning customer, last handled by {} on {when}", last.agent)
    }
}

/// The line that starts a returning customer's history: their last
/// conversation, and the export of it (for supervisors of the queue).
pub fn summary(last: &Sticky, when: &str, public_url: &str) -> String {
    format!(
        "Returning customer: their last conversation #{id} closed on {when} with {agent} (wrap-up: {reason}). \
         Its transcript: {public_url}/supervisor/export?conversation={id}&format=csv",
        id = last.conversation,
        agent = last.agent,
        reason = last.reason,
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
        let when = when(Some(&queue), last().closed_at);
        assert_eq!(when, "Fri 2025-12-05 15:05");
        assert_eq!(
            via(&last(), &AgentId::from("@alice:example.com"), &when),
            "returning customer, last handled by you on Fri 2025-12-05 15:05"
        );
        assert_eq!(
            via(&last(), &AgentId::from("@bob:example.com"), &when),
            "returning customer, last handled by @alice:example.com on Fri 2025-12-05 15:05"
        );
        assert_eq!(
            summary(&last(), &when, "https://desk.example.com"),
            "Returning customer: their last conversation #12 closed on Fri 2025-12-05 15:05 with \
             @alice:example.com (wrap-up: Resolved). Its transcript: \
             https://desk.example.com/supervisor/export?conversation=12&format=csv"
        );
    }
}
