//! Offer cards: an offer (or a transfer, or a conference invitation) as
//! the agent sees it in their desk room. While open, its waiting time is
//! edited in place every `OFFER_TICK`; when answered, it is edited once
//! more to say how it ended. Each card has its own lock, so a refresh
//! never lands after the closing edit and one slow card holds up no other.
//! Refreshers belong to the login that started them (`Bot::spawn`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use matrix_sdk::room::Room;
use matrix_sdk::ruma::OwnedEventId;
use serde::{Deserialize, Serialize};
use smsdesk_core::model::{Conferee, Conversation, Phase};
use smsdesk_core::{AgentId, ConversationId, Timestamp};

use super::send::{self, PostError, Txns};
use super::store::StoredOffer;
use super::Bot;

/// How often an open offer's waiting time is refreshed in place.
pub const OFFER_TICK: Duration = Duration::from_secs(5);

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
            "{}, waiting {}:{:02}. Reply !accept {id} or !decline {id} within {left} s.",
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

/// One card's lock.
type CardLock = Arc<tokio::sync::Mutex<()>>;

/// One lock per open card.
#[derive(Debug, Default)]
pub struct CardLocks(Mutex<HashMap<(ConversationId, AgentId), CardLock>>);

impl CardLocks {
    fn get(&self, id: ConversationId, agent: &AgentId) -> CardLock {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry((id, agent.clone()))
            .or_default()
            .clone()
    }

    fn forget(&self, id: ConversationId, agent: &AgentId) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&(id, agent.clone()));
    }
}

impl Bot {
    /// Posts an offer card in the agent's desk room and keeps it current.
    pub(super) async fn post_offer(
        self: &Arc<Self>,
        at: Timestamp,
        c: &Conversation,
        agent: &AgentId,
        deadline: Timestamp,
        via: Option<String>,
        txns: &mut Txns,
    ) -> Result<(), PostError> {
        let kind = self
            .app
            .config
            .entry_points
            .iter()
            .find(|e| e.entry.number == c.entry)
            .map_or("", |e| e.entry.kind.label());
        let card = OfferCard {
            id: c.id,
            queue: c.queue.to_string(),
            customer: c.customer.to_string(),
            entry: c.entry.to_string(),
            kind: kind.to_owned(),
            opened_at: c.opened_at,
            deadline,
            via,
        };
        let room = self.desk_room(agent)?;
        let event = send::notice(&room, &card.open(at), Some(txns)).await?;
        let stored = StoredOffer {
            room: room.room_id().to_owned(),
            event: event.clone(),
            card: card.clone(),
        };
        self.store.set_offer(c.id, agent, &stored);
        self.spawn(self.clone().watch_offer(card, agent.clone(), room, event));
        Ok(())
    }

    /// Edits an open offer's waiting time in place every `OFFER_TICK` until it is answered.
    async fn watch_offer(self: Arc<Self>, card: OfferCard, agent: AgentId, room: Room, event: OwnedEventId) {
        loop {
            tokio::time::sleep(OFFER_TICK).await;
            let lock = self.cards.get(card.id, &agent);
            let _card = lock.lock().await;
            // Still the current card? (Not closed, nor replaced by a new offer to the same agent.)
            if !matches!(self.store.offer(card.id, &agent), Ok(Some(o)) if o.event == event) {
                return;
            }
            let (a, id) = (agent.clone(), card.id);
            let open = self
                .app
                .read(move |e| {
                    smsdesk_core::decide::pending_for(e.state(), &a)
                        .iter()
                        .any(|(c, _)| *c == id)
                })
                .await
                .unwrap_or(false);
            if !open {
                return;
            }
            if let Err(error) = send::send_edit(&room, event.clone(), &card.open(Timestamp::now()), None).await {
                tracing::debug!(%error, "cannot refresh an offer's waiting time; trying again at the next tick");
            }
        }
    }

    /// After a start: goes on refreshing the cards of offers that are still
    /// open, and posts one for an open offer that has none (its card was
    /// lost with a bot store that was rebuilt).
    pub(super) async fn resume_offers(self: Arc<Self>) {
        let agents: Vec<AgentId> = self.app.config.roster.iter().map(|a| a.id().clone()).collect();
        let open = self
            .app
            .read(move |e| {
                agents
                    .into_iter()
                    .flat_map(|a| {
                        smsdesk_core::decide::pending_for(e.state(), &a)
                            .into_iter()
                            .map(move |(c, _)| (c, a.clone()))
                    })
                    .collect::<Vec<_>>()
            })
            .await
            .unwrap_or_default();
        for (id, agent) in open {
            match self.store.offer(id, &agent) {
                Ok(Some(o)) => {
                    if let Some(room) = self.room(&o.room) {
                        self.spawn(self.clone().watch_offer(o.card, agent, room, o.event));
                    }
                }
                Ok(None) => {
                    if let Err(error) = self.repost_offer(id, &agent).await {
                        tracing::warn!(%agent, conversation = %id, %error, "cannot post the card of an open offer");
                    }
                }
                Err(error) => tracing::warn!(%agent, conversation = %id, %error, "cannot read an offer card"),
            }
        }
        if let Err(error) = self.store.flush().await {
            tracing::error!(%error, "cannot save the offer cards");
        }
    }

    async fn repost_offer(self: &Arc<Self>, id: ConversationId, agent: &AgentId) -> Result<(), PostError> {
        let Some(c) = self.app.read(move |e| e.state().conversation(id).cloned()).await? else {
            return Ok(());
        };
        let (deadline, via) = match &c.phase {
            Phase::Offered {
                deadline,
                transfer_from,
                ..
            } => (*deadline, transfer_from.as_ref().map(|f| format!("transfer from {f}"))),
            Phase::Active { owner, conference, .. } => match conference.get(agent) {
                Some(Conferee::Requested { deadline }) => (*deadline, Some(format!("conference: {owner} invites you"))),
                _ => return Ok(()),
            },
            _ => return Ok(()),
        };
        let mut txns = Txns::for_event(&format!("{}.resume", self.app.store_identity), id.0);
        self.post_offer(Timestamp::now(), &c, agent, deadline, via, &mut txns)
            .await
    }

    /// Edits an answered offer's card to say how it ended (so no stale
    /// "reply within N s" stays in the desk room). Best effort.
    pub(super) async fn close_offer(&self, id: ConversationId, agent: &AgentId, outcome: &str, txns: &mut Txns) {
        let lock = self.cards.get(id, agent);
        let guard = lock.lock().await;
        match self.store.offer(id, agent) {
            Ok(Some(o)) => {
                self.store.remove_offer(id, agent);
                if let Some(room) = self.room(&o.room) {
                    if let Err(error) = send::send_edit(&room, o.event, &o.card.closed(outcome), Some(txns)).await {
                        tracing::warn!(%error, %agent, conversation = %id, "cannot mark an offer card {outcome}");
                    }
                }
            }
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, %agent, conversation = %id, "cannot read an offer card"),
        }
        drop(guard);
        self.cards.forget(id, agent);
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
             Reply !accept 4 or !decline 4 within 0 s."
        );
        let mut transfer = card();
        transfer.via = Some("transfer from @a:hs".into());
        assert_eq!(
            transfer.closed("accepted"),
            "Offer #4 (transfer from @a:hs): queue billing, customer +15557770001, to +15550001111 (long code) — accepted."
        );
    }
}
