//! Offer cards in the desk room (what one shows: `card`): an offer, a
//! transfer or a conference invitation. While open, its waiting time is
//! edited in place every `OFFER_TICK`; when answered, it is edited once
//! more to say how it ended. Each card has its own lock, so a refresh
//! never lands after the closing edit and one slow card holds up no other
//! (a refresh gives up after `REFRESH_LIMIT`, so the closing edit never
//! waits long for one).
//! Refreshers belong to the login that started them (`Bot::spawn`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use matrix_sdk::room::Room;
use matrix_sdk::ruma::{OwnedEventId, OwnedTransactionId};
use smsdesk_core::model::{Conferee, Conversation, Phase};
use smsdesk_core::{AgentId, ConversationId, Timestamp};

use crate::matrix::outgoing::send::{self, PostError, Txns};
use crate::matrix::store::StoredOffer;
use crate::matrix::texts::buttons::{Button, ACCEPT, DECLINE};
use crate::matrix::texts::card::OfferCard;
use crate::matrix::texts::returning;
use crate::matrix::Bot;

/// How often an open offer's waiting time is refreshed in place.
pub const OFFER_TICK: Duration = Duration::from_secs(5);
/// Longest a refresh may take (it holds the card's lock).
const REFRESH_LIMIT: Duration = Duration::from_secs(3);

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

/// How an offer ended, as its card says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(in crate::matrix) enum Outcome<'a> {
    /// An `outcome-…` catalog message without placeholders.
    Said(&'static str),
    /// Closed without an agent, for `reason` (`outcome-closed`).
    Closed { reason: &'a str },
}

impl Outcome<'_> {
    fn text(self, lang: &crate::i18n::Lang) -> String {
        match self {
            Outcome::Said(id) => lang.t(id),
            Outcome::Closed { reason } => crate::tr!(lang, "outcome-closed", reason = reason.to_owned()),
        }
    }
}

impl Bot {
    /// Posts an offer card in the agent's desk room and keeps it current.
    pub(in crate::matrix) async fn post_offer(
        self: &Arc<Self>,
        at: Timestamp,
        c: &Conversation,
        agent: &AgentId,
        deadline: Timestamp,
        via: Option<String>,
        txn: OwnedTransactionId,
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
            customer: self.shown(c.customer.as_str()),
            entry: c.entry.to_string(),
            kind: kind.to_owned(),
            opened_at: c.opened_at,
            deadline,
            // Routed to a returning customer's last agent (or after them).
            via: via.or_else(|| {
                let last = c.sticky.as_ref()?;
                let lang = self.lang_of(agent.as_str());
                let when = returning::when(&lang, self.app.config.queue(&c.queue), last.closed_at);
                Some(returning::via(&lang, last, agent, &when))
            }),
            // An intake field may hold the customer's number (given to the bot).
            fields: c
                .fields
                .iter()
                .map(|(k, v)| {
                    let customer = c.customer.as_str();
                    (self.shown_about(customer, k), self.shown_about(customer, v))
                })
                .collect(),
            lang: self.lang_of(agent.as_str()),
        };
        let room = self.desk_room(agent)?;
        // An alert: the agent hears it even away from the desk room.
        let to = self.user_of(agent);
        let event = send::alert(&room, card.open_text(at), to, Some(txn.clone())).await?;
        let button = Button::Card {
            conversation: c.id,
            agent: agent.clone(),
            closed: None,
        };
        // Again on a retry: the same transaction ids make them one reaction each.
        self.add_buttons(&room, &event, &button, &[ACCEPT, DECLINE], &txn)
            .await?;
        // A retry of the same post gets the same event back: it already
        // has its refresher.
        if matches!(self.store.offer(c.id, agent)?, Some(o) if o.event == event) {
            return Ok(());
        }
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
            // Bounded: the lock is held, and the closing edit waits for it.
            let text = card.open_text(smsdesk_engine::clock::now());
            let edit = send::send_edit(&room, event.clone(), &text, None);
            match tokio::time::timeout(REFRESH_LIMIT, edit).await {
                Ok(Ok(())) => {}
                Ok(Err(error)) => {
                    tracing::debug!(%error, "cannot refresh an offer's waiting time; trying again at the next tick");
                }
                Err(_) => {
                    tracing::debug!("refreshing an offer's waiting time timed out; trying again at the next tick")
                }
            }
        }
    }

    /// After a start: goes on refreshing the cards of offers that are still
    /// open. When the bot's store was new or rebuilt (cards were lost with
    /// it), an open offer without a card gets one; otherwise a missing card
    /// is one the feed has yet to post.
    pub(in crate::matrix) async fn resume_offers(self: Arc<Self>) {
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
                Ok(None) if self.store.was_rebuilt() => {
                    if let Err(error) = self.repost_offer(id, &agent).await {
                        tracing::warn!(%agent, conversation = %id, %error, "cannot post the card of an open offer");
                    }
                }
                Ok(None) => {}
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
            } => (
                *deadline,
                transfer_from
                    .as_ref()
                    .map(|f| crate::tr!(self.lang_of(agent.as_str()), "via-transfer", from = f.to_string())),
            ),
            Phase::Active { owner, conference, .. } => match conference.get(agent) {
                Some(Conferee::Requested { deadline }) => (
                    *deadline,
                    Some(crate::tr!(
                        self.lang_of(agent.as_str()),
                        "via-conference",
                        by = owner.to_string()
                    )),
                ),
                _ => return Ok(()),
            },
            _ => return Ok(()),
        };
        let txns = Txns::for_event(&format!("{}.resume", self.app.store_identity), id.0, c.opened_at);
        let txn = txns.part(&format!("card.{agent}"));
        self.post_offer(smsdesk_engine::clock::now(), &c, agent, deadline, via, txn)
            .await
    }

    /// Edits an answered offer's card to say how it ended (so no stale
    /// "reply within N s" stays in the desk room), in the card's language.
    /// Best effort.
    pub(in crate::matrix) async fn close_offer(
        &self,
        id: ConversationId,
        agent: &AgentId,
        outcome: Outcome<'_>,
        txn: OwnedTransactionId,
    ) {
        let lock = self.cards.get(id, agent);
        let guard = lock.lock().await;
        match self.store.offer(id, agent) {
            Ok(Some(o)) => {
                let outcome = outcome.text(&o.card.lang);
                let outcome = outcome.as_str();
                self.store.remove_offer(id, agent);
                // A late ✅ or ❌ is told how it ended.
                let closed = Button::Card {
                    conversation: id,
                    agent: agent.clone(),
                    closed: Some(outcome.to_owned()),
                };
                self.store.set_button(&o.event, &closed);
                if let Some(room) = self.room(&o.room) {
                    if let Err(error) = send::send_edit(&room, o.event, o.card.closed_text(outcome), Some(txn)).await {
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
    use super::Outcome;
    use crate::i18n::Lang;

    #[test]
    fn a_card_says_how_it_ended_in_its_own_language() {
        let (en, de) = (Lang::new("en"), Lang::new("de"));
        assert_eq!(Outcome::Said("outcome-accepted").text(&en), "accepted");
        let closed = Outcome::Closed { reason: "opted out" };
        assert_eq!(closed.text(&en), "withdrawn: the conversation closed (opted out)");
        assert_eq!(
            closed.text(&de),
            "zurückgezogen: die Konversation wurde geschlossen (opted out)"
        );
    }
}
