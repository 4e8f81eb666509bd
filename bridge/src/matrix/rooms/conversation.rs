//! Conversation rooms: one per accepted conversation, named after the
//! customer and the queue. Created at the first accept with the history so
//! far; later owners are invited; the room follows who holds the
//! conversation (an agent who transferred it away or left the conference
//! is removed; everyone once it is closed, the bot last).

use std::sync::Arc;

use matrix_sdk::room::Room;
use matrix_sdk::ruma::api::client::membership::get_member_events;
use matrix_sdk::ruma::api::client::room::create_room::v3::{Request as CreateRoomRequest, RoomPreset};
use matrix_sdk::ruma::events::room::member::MembershipState;
use matrix_sdk::ruma::{OwnedUserId, UserId};
use smsdesk_core::model::Conversation;
use smsdesk_core::{AgentId, ConversationId, Event};
use smsdesk_engine::store::layout;

use crate::i18n::Lang;
use crate::matrix::media::from_customer::PendingMedia;
use crate::matrix::outgoing::send::{self, PostError, Txns};
use crate::matrix::store::RoomRole;
use crate::matrix::texts::{notices, returning};
use crate::matrix::Bot;
use crate::tr;

impl Bot {
    /// The conversation's room, if it has one and the bot is still in it.
    pub(in crate::matrix) fn conversation_room(&self, id: ConversationId) -> Result<Option<Room>, PostError> {
        Ok(self.store.conversation_room(id)?.and_then(|r| self.room(&r)))
    }

    /// The agent's Matrix id, from the roster.
    pub(in crate::matrix) fn user_of(&self, agent: &AgentId) -> Option<OwnedUserId> {
        self.app.config.agent(agent).map(|a| a.user.clone())
    }

    /// The conversation's room for `agent`, who just accepted it: created
    /// at the first accept with the history up to event `upto` (the
    /// accept, at `at`; later events are posted by the feed itself); a
    /// later owner is invited.
    pub(in crate::matrix) async fn open_conversation_room(
        self: &Arc<Self>,
        id: ConversationId,
        agent: &AgentId,
        conversation: Option<&Conversation>,
        (upto, at): (u64, smsdesk_core::Timestamp),
        txns: &Txns,
    ) -> Result<Room, PostError> {
        let user = self
            .user_of(agent)
            .ok_or_else(|| PostError::skip(anyhow::anyhow!("{agent} is not on the roster")))?;
        let room = match self.conversation_room(id)? {
            Some(room) => {
                if let Err(error) = room.invite_user_by_id(&user).await {
                    tracing::debug!(%agent, %error, "cannot invite the new owner (already in the room?)");
                }
                if self.store.history_posted(id)? {
                    send::notice(
                        &room,
                        &notices::now_owns(&self.lang_of(agent.as_str()), agent),
                        Some(txns.part("owns")),
                    )
                    .await?;
                    // The new owner may not see the room's past: its notes.
                    self.post_notes(&room, id, upto, txns).await?;
                    return Ok(room);
                }
                // Created by an earlier attempt whose history post failed.
                room
            }
            None => {
                let mut request = CreateRoomRequest::new();
                request.invite = vec![user];
                request.preset = Some(RoomPreset::PrivateChat);
                request.power_level_content_override = Some(crate::matrix::rooms::guard::power_levels());
                request.initial_state =
                    self.initial_state(&RoomRole::Conversation(id), conversation.map(|c| c.opened_at));
                request.name = conversation.map(|c| self.room_name(c));
                let room = self.client.create_room(request).await?;
                // The room exists now: remember it before anything else, so
                // a retry does not make a second one.
                self.store.set_conversation_room(id, room.room_id());
                self.store.flush().await?;
                self.just_made(room).await
            }
        };
        let history = self.app.read_store(move |s| layout::history(s, id)).await??;
        // In the language of whoever accepted it.
        let lang = self.lang_of(agent.as_str());
        // Text in notices of bounded size; a customer's attachments right
        // after their line, so the history reads in order.
        let (mut lines, mut posted) = (Vec::new(), 0);
        // Masked like everything else agents read: an intake field or the
        // customer's own words may hold their number.
        let customer = conversation.map(|c| c.customer.to_string()).unwrap_or_default();
        // A returning customer's: first, their last conversation.
        if let Some(last) = conversation.and_then(|c| c.sticky.as_ref()) {
            let queue = conversation.and_then(|c| self.app.config.queue(&c.queue));
            let when = returning::when(&lang, queue, last.closed_at);
            lines.push(returning::summary(&lang, last, &when, &self.app.config.public_url));
        }
        for r in history.iter().filter(|r| r.seq < upto) {
            lines.extend(notices::history_line(&lang, &r.event).map(|l| match &r.event {
                Event::MessageReceived { .. } => self.shown_words(&customer, &l),
                _ => self.shown_about(&customer, &l),
            }));
            let Event::MessageReceived { sms, .. } = &r.event else {
                continue;
            };
            if sms.media.is_empty() {
                continue;
            }
            posted = self
                .post_history(&room, (id, &lang), &std::mem::take(&mut lines), posted, txns)
                .await?;
            // In the background, like the feed's: a slow carrier must not
            // hold up the room's opening or anyone's offers.
            self.show_media_later(PendingMedia {
                room: room.room_id().to_owned(),
                seq: r.seq,
                sms: sms.clone(),
                txn_seq: upto,
                txn_at: at,
                prefix: format!("history.{}.", r.seq),
            });
        }
        if posted == 0 || !lines.is_empty() {
            self.post_history(&room, (id, &lang), &lines, posted, txns).await?;
        }
        self.store.set_history_posted(id);
        // At once, not with the feed's batch: after a takeover the new
        // leader posts as another device, whose repeat of the history the
        // homeserver would not recognise as the same request.
        self.store.flush().await?;
        Ok(room)
    }

    /// Posts history `lines` as notices numbered from `posted` (the first
    /// says "history so far", later ones "continued"); returns the next number.
    async fn post_history(
        &self,
        room: &Room,
        (id, lang): (ConversationId, &crate::i18n::Lang),
        lines: &[String],
        posted: usize,
        txns: &Txns,
    ) -> Result<usize, PostError> {
        let texts = notices::history_notices(lang, id, lines, notices::HISTORY_NOTICE_BYTES, posted == 0);
        for (i, text) in texts.iter().enumerate() {
            send::notice(room, text, Some(txns.part(&format!("history.{}", posted + i)))).await?;
        }
        Ok(posted + texts.len())
    }

    /// Removes from the room whoever `event` takes out of the conversation.
    /// Best effort: a failure is logged, the feed goes on.
    pub(in crate::matrix) async fn release_room(&self, room: &Room, event: &Event) {
        // Asked afresh: in appservice mode nothing keeps matrix-sdk's lists current.
        let members = match self.members(room).await {
            Ok(m) => m,
            Err(error) => {
                tracing::warn!(room = %room.room_id(), %error, "cannot list a conversation room's members");
                return;
            }
        };
        // The reason each removed agent reads, in their language: a catalog
        // id, and the wrap-up reason when closed.
        let (who, reason, closed): (Vec<OwnedUserId>, &str, Option<&str>) = match event {
            Event::TransferredToQueue { from, .. } | Event::TransferredToAgent { from, .. } => {
                (self.user_of(from).into_iter().collect(), "kick-transferred", None)
            }
            Event::Resumed {
                owner, requeued: true, ..
            } => (self.user_of(owner).into_iter().collect(), "kick-requeued", None),
            Event::ConferenceLeft { agent, .. } => {
                (self.user_of(agent).into_iter().collect(), "kick-left-conference", None)
            }
            Event::WrappedUp { reason, .. } => (
                members.iter().filter(|u| !self.is_us(u)).cloned().collect(),
                "kick-closed",
                Some(reason.as_str()),
            ),
            _ => return,
        };
        let reason = |lang: &Lang| match closed {
            Some(r) => tr!(lang, "kick-closed", reason = r),
            None => lang.t(reason),
        };
        // Only members: an invited agent who never joined has nothing to leave.
        for user in who.iter().filter(|u| members.contains(u)) {
            if self.is_ghost(user) {
                self.ghost_leaves(room, user).await;
            } else if let Err(error) = room.kick_user(user, Some(&reason(&self.lang_of(user.as_str())))).await {
                tracing::warn!(room = %room.room_id(), %user, %error, "cannot remove an agent from a conversation room");
            }
        }
        // A closed conversation's room is done with: the bot leaves too, so
        // its rooms stay few (and its start-up sync small).
        // In appservice mode its twin (in an encrypted room) leaves first.
        if matches!(event, Event::WrappedUp { .. }) {
            let id = room.room_id();
            let twins = self.twin.as_ref().and_then(|t| t.get_room(id));
            for room in twins.into_iter().chain(self.client.get_room(id)) {
                if room.state() != matrix_sdk::RoomState::Joined {
                    continue;
                }
                if let Err(error) = room.leave().await {
                    tracing::warn!(room = %room.room_id(), %error, "cannot leave a closed conversation's room");
                }
            }
        }
    }
}

impl Bot {
    /// Who is joined to or invited to `room` now, as the homeserver says.
    pub(in crate::matrix) async fn members(&self, room: &Room) -> Result<Vec<OwnedUserId>, matrix_sdk::HttpError> {
        let request = get_member_events::v3::Request::new(room.room_id().to_owned());
        let response = self.client.send(request).await?;
        Ok(response
            .chunk
            .iter()
            .filter_map(|raw| raw.deserialize().ok())
            .filter(|m| matches!(m.membership(), MembershipState::Join | MembershipState::Invite))
            .filter_map(|m| UserId::parse(m.state_key().as_str()).ok())
            .collect())
    }
}

impl Bot {
    /// A conversation room's name: the customer as agents see them, and the queue.
    pub(in crate::matrix) fn room_name(&self, c: &Conversation) -> String {
        format!("{} · {}", self.shown(c.customer.as_str()), c.queue)
    }

    /// At start: a live conversation room named otherwise (masking was
    /// switched on since, so the old name shows the number) is renamed;
    /// false if its name was right.
    pub(in crate::matrix) async fn align_name(
        &self,
        room: &matrix_sdk::ruma::OwnedRoomId,
        c: &Conversation,
    ) -> anyhow::Result<bool> {
        use matrix_sdk::ruma::events::StateEventType;
        let wanted = self.room_name(c);
        let current = self.state_content(room, StateEventType::RoomName).await?;
        if current
            .as_ref()
            .and_then(|n| n.get("name"))
            .and_then(serde_json::Value::as_str)
            == Some(wanted.as_str())
        {
            return Ok(false);
        }
        self.put_state(room, StateEventType::RoomName, &serde_json::json!({ "name": wanted }))
            .await?;
        Ok(true)
    }
}
