//! What an offer card shows: an offer (or a transfer, or a conference
//! invitation) as the agent sees it in their desk room, while open and once
//! answered. Pure: data in, text out; stored with the card's event so a
//! restart can go on refreshing it (`store`), posted by `offer_card`.

use serde::{Deserialize, Serialize};
use smsdesk_core::{ConversationId, Timestamp};

/// An offer as the agent sees it. Stored with the card's event, so that a
/// restart can go on refreshing it without reading the engine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferCard {
    pub id: ConversationId,
    pub queue: String,
    pub customer: String,
    pub entry: String,
    pub kind: String,
    pub opened_at: Timestamp,
    pub deadline: Timestamp,
    /// Why it comes to this agent, when not routed: "transfer from @a:hs",
    /// "conference: @a:hs invites you".
    pub via: Option<String>,
}

impl OfferCard {
    fn headline(&self) -> String {
        let via = self.via.as_ref().map(|v| format!(" ({v})")).unwrap_or_default();
        format!(
            "Offer #{}{via}: queue {}, customer {}, to {} ({})",
            self.id, self.queue, self.customer, self.entry, self.kind
        )
    }

    /// While open: how long the customer has waited, and how to answer.
    pub fn open(&self, now: Timestamp) -> String {
        let waited = now.since(self.opened_at).as_secs();
        let left = self.deadline.since(now).as_secs();
        let id = self.id;
        format!(
            "{}, waiting {}:{:02}. React ✅ to accept or ❌ to decline (or !accept {id} / !decline {id}) within {left} s.",
            self.headline(),
            waited / 60,
            waited % 60
        )
    }

    /// Once answered: how it ended.
    pub fn closed(&self, outcome: &str) -> String {
        format!("{} — {outcome}.", self.headline())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card() -> OfferCard {
        OfferCard {
            id: ConversationId(4),
            queue: "billing".into(),
            customer: "+15557770001".into(),
            entry: "+15550001111".into(),
            kind: "long code".into(),
            opened_at: Timestamp(1_000),
            deadline: Timestamp(61_000),
            via: None,
        }
    }

    #[test]
    fn an_open_card_says_how_long_and_how_to_answer() {
        assert_eq!(
            card().open(Timestamp(76_000 - 15_000)),
            "Offer #4: queue billing, customer +15557770001, to +15550001111 (long code), waiting 1:00. \
             React ✅ to accept or ❌ to decline (or !accept 4 / !decline 4) within 0 s."
        );
        let mut transfer = card();
        transfer.via = Some("transfer from @a:hs".into());
        assert_eq!(
            transfer.closed("accepted"),
            "Offer #4 (transfer from @a:hs): queue billing, customer +15557770001, to +15550001111 (long code) — accepted."
        );
    }
}
