//! What an offer card shows: an offer (or a transfer, or a conference
//! invitation) as the agent sees it in their desk room, while open and once
//! answered. Pure: data in, text out; stored with the card's event so a
//! restart can go on refreshing it (`store`), posted by `offer_card`.

use serde::{Deserialize, Serialize};
use smsdesk_core::{ConversationId, Timestamp};

use crate::i18n::Lang;
use crate::matrix::texts::rich::{self, Text};
use crate::tr;

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
    /// What the intake bot collected (e.g. account, topic).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<(String, String)>,
    /// The agent's language (cards stored before languages: English).
    #[serde(default)]
    pub lang: Lang,
}

impl OfferCard {
    fn headline(&self) -> String {
        let via = self.via.as_ref().map(|v| format!(" ({v})")).unwrap_or_default();
        tr!(
            self.lang,
            "offer-headline",
            id = self.id.to_string(),
            via = via,
            queue = self.queue.as_str(),
            customer = self.customer.as_str(),
            entry = self.entry.as_str(),
            kind = self.kind.as_str()
        )
    }

    /// The intake fields as "; account: 123, topic: billing", or nothing.
    fn fields_text(&self) -> String {
        if self.fields.is_empty() {
            return String::new();
        }
        let list: Vec<String> = self.fields.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        format!("; {}", list.join(", "))
    }

    /// While open: how long the customer has waited, and how to answer.
    /// One catalog message (the card is rendered again at every refresh).
    pub fn open(&self, now: Timestamp) -> String {
        let waited = now.since(self.opened_at).as_secs();
        let left = self.deadline.since(now).as_secs();
        let via = self.via.as_ref().map(|v| format!(" ({v})")).unwrap_or_default();
        tr!(
            self.lang,
            "offer-open",
            id = self.id.to_string(),
            via = via,
            queue = self.queue.as_str(),
            customer = self.customer.as_str(),
            entry = self.entry.as_str(),
            kind = self.kind.as_str(),
            fields = self.fields_text(),
            waited = format!("{}:{:02}", waited / 60, waited % 60),
            left = left.to_string()
        )
    }

    /// Once answered: how it ended.
    pub fn closed(&self, outcome: &str) -> String {
        tr!(self.lang, "offer-closed", headline = self.headline(), outcome = outcome)
    }

    /// "Offer #4" with why it comes, as HTML.
    fn title_html(&self) -> String {
        let via = self
            .via
            .as_ref()
            .map(|v| format!(" ({})", rich::mention_users(&rich::escape(v))))
            .unwrap_or_default();
        tr!(self.lang, "offer-title-html", id = self.id.to_string(), via = via)
    }

    /// While open, as a small table, with the plain text beside it.
    pub fn open_text(&self, now: Timestamp) -> Text {
        let waited = now.since(self.opened_at).as_secs();
        let left = self.deadline.since(now).as_secs();
        let lang = &self.lang;
        let labels = [
            lang.t("offer-row-queue"),
            lang.t("offer-row-customer"),
            lang.t("offer-row-to"),
            lang.t("offer-row-waiting"),
            lang.t("offer-row-answer-within"),
        ];
        let rows: Vec<(&str, String)> = [
            (labels[0].as_str(), rich::escape(&self.queue)),
            (labels[1].as_str(), rich::escape(&self.customer)),
            (
                labels[2].as_str(),
                rich::escape(&format!("{} ({})", self.entry, self.kind)),
            ),
        ]
        .into_iter()
        .chain(self.fields.iter().map(|(k, v)| (k.as_str(), rich::escape(v))))
        .chain([
            (labels[3].as_str(), format!("{}:{:02}", waited / 60, waited % 60)),
            (labels[4].as_str(), format!("{left} {}", lang.t("offer-seconds-unit"))),
        ])
        .collect();
        let html = format!(
            "<p>{}</p>{}<p>{}</p>",
            self.title_html(),
            rich::table(&rows),
            tr!(lang, "offer-react-html", id = self.id.to_string())
        );
        Text::rich(self.open(now), html)
    }

    /// Once answered, with the plain text beside it.
    pub fn closed_text(&self, outcome: &str) -> Text {
        let html = tr!(
            self.lang,
            "offer-closed-html",
            title = self.title_html(),
            queue = rich::escape(&self.queue),
            customer = rich::escape(&self.customer),
            entry = rich::escape(&self.entry),
            kind = rich::escape(&self.kind),
            outcome = rich::escape(outcome)
        );
        Text::rich(self.closed(outcome), format!("<p>{html}</p>"))
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
            fields: vec![("account".into(), "12345".into())],
            lang: Lang::default(),
        }
    }

    #[test]
    fn a_german_agent_reads_the_card_in_german() {
        let card = OfferCard {
            lang: Lang::new("de"),
            ..card()
        };
        assert_eq!(
            card.open(Timestamp(61_000)),
            "Angebot #4: Warteschlange billing, Kunde +15557770001, an +15550001111 (long code); account: 12345, \
             wartet seit 1:00. Reagiere mit ✅ zum Annehmen oder ❌ zum Ablehnen (oder !accept 4 / !decline 4), noch 0 s."
        );
        let html = card.open_text(Timestamp(61_000)).html.unwrap();
        assert!(html.contains("<th align=\"left\">Quellnummer</th>"), "{html}");
        assert!(!html.contains("Queue") && !html.contains("Answer within"), "{html}");
    }

    #[test]
    fn an_open_card_says_how_long_and_how_to_answer() {
        assert_eq!(
            card().open(Timestamp(76_000 - 15_000)),
            "Offer #4: queue billing, customer +15557770001, to +15550001111 (long code); account: 12345, waiting 1:00. \
             React ✅ to accept or ❌ to decline (or !accept 4 / !decline 4) within 0 s."
        );
        let mut transfer = card();
        transfer.via = Some("transfer from @a:hs".into());
        assert_eq!(
            transfer.closed("accepted"),
            "Offer #4 (transfer from @a:hs): queue billing, customer +15557770001, to +15550001111 (long code) — accepted."
        );
    }

    #[test]
    fn the_html_card_is_a_table_saying_the_same() {
        let mut transfer = card();
        transfer.via = Some("transfer from @a:hs".into());
        let open = transfer.open_text(Timestamp(61_000));
        assert_eq!(open.plain, transfer.open(Timestamp(61_000)));
        let html = open.html.unwrap();
        assert!(html.starts_with(
            "<p><b>Offer #4</b> (transfer from <a href=\"https://matrix.to/#/@a:hs\">@a:hs</a>)</p><table>"
        ));
        for cell in [
            "<td>billing</td>",
            "<td>+15557770001</td>",
            "<td>+15550001111 (long code)</td>",
            "<th align=\"left\">account</th><td>12345</td>",
            "<td>1:00</td>",
            "<td>0 s</td>",
        ] {
            assert!(html.contains(cell), "{cell} in {html}");
        }
        let closed = transfer.closed_text("accepted");
        assert!(closed.html.unwrap().ends_with(" — <b>accepted</b>.</p>"));
    }
}
