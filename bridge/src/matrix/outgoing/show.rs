//! Where each engine event is shown: desk notices, offer cards, the
//! conversation room, delivery reactions. One agent action gets one
//! answer, and it comes from here (the command handler says nothing on
//! success): `!available` → one desk notice; an accept → the card edited
//! and the room invitation; a decline → the card edited; a transfer, an
//! end, a wrap-up → one notice in the conversation room. The conversation
//! record is read only for the events that need it.

use std::sync::Arc;

use smsdesk_core::model::Conversation;
use smsdesk_core::{ConversationId, Event, EventRecord, MessageId};
use smsdesk_engine::store::layout;

use crate::matrix::media::from_customer::PendingMedia;
use crate::matrix::outgoing::send::{self, PostError, Txns};
use crate::matrix::store::ReplyRef;
use crate::matrix::texts::buttons::{Button, NUMBERS};
use crate::matrix::texts::offer_card::Outcome;
use crate::matrix::texts::rich::Text;
use crate::matrix::texts::{events, notices};
use crate::matrix::Bot;

impl Bot {
    /// The conversation record, open or closed.
    async fn record_of(&self, id: ConversationId) -> Result<Option<Conversation>, PostError> {
        Ok(self.app.read_store(move |s| layout::conversation(s, id)).await??)
    }

    /// The language of conversation `id`'s room: its owner's (whoever holds
    /// it reads the room), while it is offered on transfer the transferring
    /// agent's (still in the room), else the last agent's, else the default.
    pub(in crate::matrix) async fn room_lang(&self, id: ConversationId) -> Result<crate::i18n::Lang, PostError> {
        let who = self.record_of(id).await?.and_then(|c| {
            let transferring = match &c.phase {
                smsdesk_core::model::Phase::Offered { transfer_from, .. } => transfer_from.clone(),
                _ => None,
            };
            c.phase.owner().cloned().or(transferring).or(c.last_agent)
        });
        Ok(match who {
            Some(agent) => self.lang_of(agent.as_str()),
            None => self.app.config.lang_of(""),
        })
    }

    /// `text` about conversation `id` as agents may see it (`shown_about`
    /// with its customer; the record is read only when masking is on).
    async fn shown_for(&self, id: ConversationId, text: &str) -> Result<String, PostError> {
        if !self.app.config.supervisor.mask_customer_numbers {
            return Ok(text.to_owned());
        }
        Ok(match self.record_of(id).await? {
            Some(c) => self.shown_about(c.customer.as_str(), text),
            None => self.shown_text(text),
        })
    }

    /// Shows one engine event where agents need to see it, by group:
    /// the desk and offer cards, conferences, the conversation room,
    /// delivery news.
    pub(in crate::matrix) async fn show(self: &Arc<Self>, record: &EventRecord) -> Result<(), PostError> {
        let txns = &Txns::for_event(&self.app.store_identity, record.seq, record.at);
        match &record.event {
            Event::AgentStatusChanged { .. }
            | Event::Offered { .. }
            | Event::TransferredToAgent { .. }
            | Event::OfferAccepted { .. }
            | Event::OfferDeclined { .. }
            | Event::OfferTimedOut { .. }
            | Event::OfferWithdrawn { .. } => self.show_offer(record, txns).await,
            Event::ConferenceRequested { .. } | Event::ConferenceJoined { .. } | Event::ConferenceLeft { .. } => {
                self.show_conference(record, txns).await
            }
            Event::MessageReceived { .. }
            | Event::Ended { .. }
            | Event::TransferredToQueue { .. }
            | Event::WrappedUp { .. }
            | Event::Paused { .. }
            | Event::Resumed { .. }
            | Event::OptedIn { .. }
            | Event::AutoReplied { .. }
            | Event::IntakeStarted { .. }
            | Event::IntakeTurned { .. }
            | Event::IntakeFinished { .. }
            | Event::OptedOut { .. }
            | Event::Abandoned { .. } => self.show_in_conversation(record, txns).await,
            Event::SmsSent { .. }
            | Event::DeliveryUpdated { .. }
            | Event::SmsFailed { .. }
            | Event::ReplyAccepted { .. } => self.show_delivery(record, txns).await,
            Event::NoteAdded { .. } => self.show_note(record, txns).await,
            Event::ConversationOpened { .. } | Event::StickyWaitEnded { .. } => Ok(()),
        }
    }

    /// An agent's status (a desk notice) and offers: a card posted,
    /// edited with how it ended; an accept opens the conversation room.
    async fn show_offer(self: &Arc<Self>, record: &EventRecord, txns: &Txns) -> Result<(), PostError> {
        match &record.event {
            Event::AgentStatusChanged { agent, status } => {
                let room = self.desk_room(agent)?;
                let lang = self.lang_of(agent.as_str());
                send::notice(
                    &room,
                    &notices::status_changed(&lang, status),
                    Some(txns.part("status")),
                )
                .await?;
            }
            Event::Offered {
                conversation: id,
                agent,
                deadline,
            } => {
                let Some(c) = self.record_of(*id).await? else {
                    return Ok(());
                };
                self.post_offer(record.at, &c, agent, *deadline, None, txns.part("card"))
                    .await?;
            }
            Event::TransferredToAgent {
                conversation: id,
                from,
                to,
                deadline,
            } => {
                if let Some(room) = self.conversation_room(*id)? {
                    // Read by the agent who transfers it, in the room.
                    let text = Text::mentioning(events::describe(&self.lang_of(from.as_str()), &record.event));
                    send::notice(&room, text, Some(txns.part("room"))).await?;
                    self.release_room(&room, &record.event).await;
                }
                let Some(c) = self.record_of(*id).await? else {
                    return Ok(());
                };
                let via = Some(crate::tr!(
                    self.lang_of(to.as_str()),
                    "via-transfer",
                    from = from.to_string()
                ));
                self.post_offer(record.at, &c, to, *deadline, via, txns.part("card"))
                    .await?;
            }
            Event::OfferAccepted {
                conversation: id,
                agent,
            } => {
                let c = self.record_of(*id).await?;
                self.open_conversation_room(*id, agent, c.as_ref(), (record.seq, record.at), txns)
                    .await?;
                self.close_offer(*id, agent, Outcome::Said("outcome-accepted"), txns.part("close"))
                    .await;
            }
            Event::OfferDeclined {
                conversation: id,
                agent,
            } => {
                self.close_offer(*id, agent, Outcome::Said("outcome-declined"), txns.part("close"))
                    .await;
            }
            Event::OfferTimedOut {
                conversation: id,
                agent,
            } => {
                self.close_offer(*id, agent, Outcome::Said("outcome-expired"), txns.part("close"))
                    .await;
                // The agent is away until they say otherwise: an alert.
                let room = self.desk_room(agent)?;
                let to = self.user_of(agent);
                let text = notices::offer_timed_out(&self.lang_of(agent.as_str()), *id);
                send::alert(&room, &text, to, Some(txns.part("timeout"))).await?;
            }
            Event::OfferWithdrawn {
                conversation: id,
                agent,
            } => {
                self.close_offer(
                    *id,
                    agent,
                    Outcome::Said("outcome-withdrawn-unavailable"),
                    txns.part("close"),
                )
                .await;
            }
            // Another group's (`show` routes each event to its group).
            _ => {}
        }
        Ok(())
    }

    /// A conference: the invited agent's card, the room told, the agent
    /// invited once they join.
    async fn show_conference(self: &Arc<Self>, record: &EventRecord, txns: &Txns) -> Result<(), PostError> {
        match &record.event {
            Event::ConferenceRequested {
                conversation: id,
                by,
                agent,
                deadline,
            } => {
                if let Some(c) = self.record_of(*id).await? {
                    let via = Some(crate::tr!(
                        self.lang_of(agent.as_str()),
                        "via-conference",
                        by = by.to_string()
                    ));
                    self.post_offer(record.at, &c, agent, *deadline, via, txns.part("card"))
                        .await?;
                }
                if let Some(room) = self.conversation_room(*id)? {
                    let lang = self.room_lang(*id).await?;
                    let text = Text::mentioning(notices::conference_requested(&lang, agent));
                    send::notice(&room, text, Some(txns.part("room"))).await?;
                }
            }
            Event::ConferenceJoined {
                conversation: id,
                agent,
            } => {
                self.close_offer(*id, agent, Outcome::Said("outcome-accepted"), txns.part("close"))
                    .await;
                if let Some(room) = self.conversation_room(*id)? {
                    if let Some(user) = self.user_of(agent) {
                        if let Err(error) = room.invite_user_by_id(&user).await {
                            tracing::debug!(%agent, %error, "cannot invite a conference agent (already in the room?)");
                        }
                    }
                    let lang = self.room_lang(*id).await?;
                    let text = Text::mentioning(notices::conference_joined(&lang, agent));
                    send::notice(&room, text, Some(txns.part("room"))).await?;
                }
            }
            Event::ConferenceLeft {
                conversation: id,
                agent,
                why,
            } => {
                // An invitation not answered yet is closed with how it ended.
                self.close_offer(
                    *id,
                    agent,
                    Outcome::Said(notices::conference_outcome(why)),
                    txns.part("close"),
                )
                .await;
                self.in_room(record, txns).await?;
            }
            // Another group's (`show` routes each event to its group).
            _ => {}
        }
        Ok(())
    }

    /// What happens in a conversation room: the customer's messages, the
    /// wrap-up list when it ends, a queue transfer's new name, and the
    /// notices of everything else.
    async fn show_in_conversation(self: &Arc<Self>, record: &EventRecord, txns: &Txns) -> Result<(), PostError> {
        match &record.event {
            Event::MessageReceived { conversation: id, sms } => {
                if let Some(room) = self.conversation_room(*id)? {
                    let to = self.holders(self.record_of(*id).await?.as_ref());
                    self.customer_says(&room, sms, record.at, to, txns).await?;
                    self.show_media_later(PendingMedia {
                        room: room.room_id().to_owned(),
                        seq: record.seq,
                        sms: sms.clone(),
                        txn_seq: record.seq,
                        txn_at: record.at,
                        prefix: String::new(),
                    });
                }
            }
            Event::Ended {
                conversation: id,
                agent,
                ..
            } => {
                if let Some(room) = self.conversation_room(*id)? {
                    let c = self.record_of(*id).await?;
                    let reasons = self
                        .app
                        .config
                        .queues
                        .iter()
                        .find(|q| c.as_ref().is_some_and(|c| c.queue == q.setup.name))
                        .map(|q| q.setup.wrapup_reasons.clone())
                        .unwrap_or_default();
                    // The owner must choose: an alert.
                    let to = self.user_of(agent);
                    let lang = self.lang_of(agent.as_str());
                    let list = send::alert(
                        &room,
                        notices::wrapup_list(&lang, &reasons),
                        to,
                        Some(txns.part("room")),
                    )
                    .await?;
                    let button = Button::Wrapup {
                        conversation: *id,
                        owner: agent.clone(),
                    };
                    let keys = &NUMBERS[..reasons.len().min(NUMBERS.len())];
                    self.add_buttons(&room, &list, &button, keys, &txns.part("numbers"))
                        .await?;
                }
            }
            Event::TransferredToQueue {
                conversation: id,
                queue,
                ..
            } => {
                // The room's name says the queue: keep it true (before the
                // agent is removed, so they see it too).
                if let (Some(room), Some(c)) = (self.conversation_room(*id)?, self.record_of(*id).await?) {
                    if let Err(error) = room
                        .set_name(format!("{} · {queue}", self.shown(c.customer.as_str())))
                        .await
                    {
                        tracing::warn!(room = %room.room_id(), %error, "cannot rename a conversation room");
                    }
                }
                self.in_room(record, txns).await?;
            }
            Event::OptedOut { conversation, .. } => {
                if let (Some(room), Some(id)) = (self.in_room(record, txns).await?, conversation) {
                    let lang = self.room_lang(*id).await?;
                    send::notice(&room, lang.t("opted-out-hint"), Some(txns.part("hint"))).await?;
                }
            }
            Event::Abandoned {
                conversation: id,
                reason,
                offered_to,
            } => {
                if let Some(agent) = offered_to {
                    let outcome = Outcome::Closed { reason };
                    self.close_offer(*id, agent, outcome, txns.part("close")).await;
                }
                self.in_room(record, txns).await?;
            }
            // The rest of this group (wrap-up, pause and resume, START,
            // automatic replies, intake turns) is a line in the room;
            // `show` routes only this group's events here.
            _ => {
                self.in_room(record, txns).await?;
            }
        }
        Ok(())
    }

    /// Delivery news as reactions on the agent's message; a reply's Matrix
    /// reference remembered (a reply without one shows nothing).
    async fn show_delivery(self: &Arc<Self>, record: &EventRecord, txns: &Txns) -> Result<(), PostError> {
        match &record.event {
            Event::SmsSent { message_id, .. }
            | Event::DeliveryUpdated { message_id, .. }
            | Event::SmsFailed { message_id, .. } => {
                self.delivery(record, *message_id, txns).await?;
            }
            Event::ReplyAccepted {
                conversation: id,
                message_id,
                reference: Some(reference),
                body,
                ..
            } => {
                // Remembered in log order, so it is known before any delivery news.
                match ReplyRef::parse(reference) {
                    Some(reply) => {
                        self.store.set_reply_event(*message_id, &reply);
                        // What it costs on the air, where the agent may not expect it.
                        let size = smsdesk_core::segments::segments(body);
                        if let (true, Some(room)) = (size.worth_showing(), self.room(&reply.room)) {
                            let lang = self.room_lang(*id).await?;
                            send::react(
                                &room,
                                reply.event,
                                &notices::segments_mark(&lang, &size),
                                txns.part("segments"),
                            )
                            .await?;
                        }
                    }
                    // Sent from the desk page: shown in the room, under
                    // the agent's name, and its delivery shows there.
                    None => self.echo_desk_reply(record, txns).await?,
                }
            }
            // Another group's (`show` routes each event to its group).
            _ => {}
        }
        Ok(())
    }

    /// The Matrix users of the agents who hold `c` (owner, conference
    /// agents): whom a customer's message alerts.
    fn holders(&self, c: Option<&smsdesk_core::model::Conversation>) -> Vec<matrix_sdk::ruma::OwnedUserId> {
        let Some(c) = c else {
            return Vec::new();
        };
        let mut agents: Vec<&smsdesk_core::AgentId> = c.phase.owner().into_iter().collect();
        agents.extend(c.phase.holders());
        let mut users: Vec<_> = agents.into_iter().filter_map(|a| self.user_of(a)).collect();
        users.sort();
        users.dedup();
        users
    }

    /// Describes the event in its conversation's room and removes whoever
    /// it takes out of the conversation; the room, if there is one.
    async fn in_room(&self, record: &EventRecord, txns: &Txns) -> Result<Option<matrix_sdk::Room>, PostError> {
        let Some(id) = record.event.conversation() else {
            return Ok(None);
        };
        let Some(room) = self.conversation_room(id)? else {
            return Ok(None);
        };
        let lang = self.room_lang(id).await?;
        let text = self.shown_for(id, &events::describe(&lang, &record.event)).await?;
        send::notice(&room, Text::mentioning(text), Some(txns.part("room"))).await?;
        self.release_room(&room, &record.event).await;
        Ok(Some(room))
    }

    /// A reply's delivery news as a reaction on the agent's message (and a
    /// notice saying why when it failed). When the conversation's room is
    /// closed, a failure still reaches its author, in their desk room.
    async fn delivery(&self, record: &EventRecord, message: MessageId, txns: &Txns) -> Result<(), PostError> {
        let lang = match record.event.conversation() {
            Some(id) => self.room_lang(id).await?,
            None => self.app.config.lang_of(""),
        };
        let Some(mark) = notices::delivery_mark(&lang, &record.event) else {
            return Ok(());
        };
        let failed = mark.starts_with('❌');
        let target = self
            .store
            .reply_event(message)?
            .and_then(|reply| Some((self.room(&reply.room)?, reply.event)));
        if let Some((room, event)) = target {
            send::react(&room, event, &mark, txns.part("react")).await?;
            if failed {
                // A carrier's error may quote the number in any format.
                let text = match record.event.conversation() {
                    Some(id) => self.shown_for(id, &events::describe(&lang, &record.event)).await?,
                    None => self.shown_text(&events::describe(&lang, &record.event)),
                };
                send::notice(&room, &text, Some(txns.part("failure"))).await?;
            }
            return Ok(());
        }
        if !failed {
            return Ok(());
        }
        let Some(id) = record.event.conversation() else {
            return Ok(());
        };
        let history = self.app.read_store(move |s| layout::history(s, id)).await??;
        let author = history.into_iter().find_map(|r| match r.event {
            Event::ReplyAccepted { message_id, agent, .. } if message_id == message => Some(agent),
            _ => None,
        });
        let Some(agent) = author else { return Ok(()) };
        let customer = self.record_of(id).await?.map(|c| self.shown(c.customer.as_str()));
        let room = self.desk_room(&agent)?;
        let lang = self.lang_of(agent.as_str());
        let text = self
            .shown_for(
                id,
                &notices::late_failure(&lang, id, customer.as_deref(), &record.event),
            )
            .await?;
        send::notice(&room, &text, Some(txns.part("late"))).await?;
        Ok(())
    }
}
