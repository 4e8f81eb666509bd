//! Who may be in the bot's rooms. Every room the bot makes (desk,
//! supervisor, conversation) lets only the bot invite (power level 100),
//! so an agent cannot bring an outsider into a customer's conversation.
//! At each start the bot's live rooms are checked (one request each) and
//! rooms made before that rule get it. Anyone who still joins one of these
//! rooms without a role there is removed at once, the room is told why,
//! and its invitation level is raised again:
//! - a desk room belongs to its agent, a supervisor room to its supervisor;
//! - a conversation room holds the agents who hold the conversation (the
//!   owner, conference agents, the one it is offered to), the supervisors
//!   who watch its queue, and the customer's ghost in appservice mode.

use std::sync::Weak;

use matrix_sdk::event_handler::Ctx;
use matrix_sdk::room::Room;
use matrix_sdk::ruma::api::client::room::create_room::RoomPowerLevelsContentOverride;
use matrix_sdk::ruma::api::client::state::{get_state_event_for_key, send_state_event};
use matrix_sdk::ruma::events::room::member::{MembershipState, OriginalSyncRoomMemberEvent};
use matrix_sdk::ruma::events::{AnyStateEventContent, StateEventType};
use matrix_sdk::ruma::serde::Raw;
use matrix_sdk::ruma::{OwnedRoomId, UserId};
use smsdesk_core::model::Phase;
use smsdesk_core::{AgentId, ConversationId};
use smsdesk_engine::store::layout;

use crate::matrix::outgoing::send;
use crate::matrix::rooms::marker::Marker;
use crate::matrix::store::RoomRole;
use crate::matrix::Bot;

/// The power level an invitation needs in the bot's rooms: the bot's own.
pub const INVITE_LEVEL: i64 = 100;

/// What `createRoom` puts over the preset's power levels: only the bot
/// (level 100, the creator) invites.
pub fn power_levels() -> Raw<RoomPowerLevelsContentOverride> {
    Raw::from_json(
        serde_json::value::to_raw_value(&serde_json::json!({ "invite": INVITE_LEVEL }))
            .expect("a JSON literal serializes"),
    )
}

/// The notice a room reads when someone without a role there is removed.
pub fn removed_notice(lang: &crate::i18n::Lang, user: &UserId) -> String {
    crate::tr!(lang, "removed-no-role", user = user.to_string())
}

/// Handles a member event in any room: someone joining one of the bot's
/// rooms without a role there is removed.
pub(in crate::matrix) async fn on_member(event: OriginalSyncRoomMemberEvent, room: Room, Ctx(bot): Ctx<Weak<Bot>>) {
    // The login ended (its Bot is gone): nothing to do.
    let Some(bot) = bot.upgrade() else {
        return;
    };
    if event.content.membership != MembershipState::Join {
        return;
    }
    let Ok(user) = UserId::parse(event.state_key.as_str()) else {
        return;
    };
    bot.guard(&room, &user).await;
}

impl Bot {
    /// Removes `user`, who joined `room`, if they have no role there.
    async fn guard(&self, room: &Room, user: &UserId) {
        let role = match self.store.role(room.room_id()) {
            Ok(Some(role)) => role,
            Ok(None) => return,
            Err(error) => {
                tracing::warn!(room = %room.room_id(), %error, "cannot tell what room someone joined");
                return;
            }
        };
        match self.belongs(&role, user).await {
            Ok(true) => return,
            Ok(false) => {}
            Err(error) => {
                // Unsure: leave them, and say so in the log.
                tracing::warn!(room = %room.room_id(), %user, %error, "cannot check whether a joiner belongs here");
                return;
            }
        }
        tracing::warn!(room = %room.room_id(), %user, "someone without a role joined one of the bot's rooms; removing them");
        let lang = self.language_of_room(room.room_id()).await;
        if let Err(error) = room.kick_user(user, Some(&lang.t("kick-no-role"))).await {
            tracing::warn!(room = %room.room_id(), %user, %error, "cannot remove a joiner without a role");
            return;
        }
        if let Err(error) = send::notice(room, &removed_notice(&lang, user), None).await {
            tracing::debug!(room = %room.room_id(), %error, "cannot say why a joiner was removed");
        }
        // Someone could invite them: the room's levels were changed, or it
        // is older than the rule.
        if let Err(error) = self.raise_invite_level(&room.room_id().to_owned()).await {
            tracing::warn!(room = %room.room_id(), %error, "cannot restrict invitations in a room");
        }
    }

    /// Whether `user` has a role in a room of role `role`.
    pub(in crate::matrix) async fn belongs(&self, role: &RoomRole, user: &UserId) -> anyhow::Result<bool> {
        if self.is_us(user) {
            return Ok(true);
        }
        Ok(match role {
            RoomRole::Desk(owner) => owner.as_str() == user.as_str(),
            RoomRole::Supervisor(owner) => owner.as_str() == user.as_str(),
            RoomRole::Conversation(id) => self.is_ghost(user) || self.holds(*id, user).await?,
        })
    }

    /// Whether `user` is an agent who holds conversation `id`, or a
    /// supervisor who watches its queue.
    async fn holds(&self, id: ConversationId, user: &UserId) -> anyhow::Result<bool> {
        let Some(c) = self.app.read_store(move |s| layout::conversation(s, id)).await?? else {
            return Ok(false);
        };
        let agent = AgentId::new(user.to_string());
        let holder = c.phase.owner() == Some(&agent) || c.phase.holders().contains(&&agent);
        let supervisor = self
            .app
            .config
            .supervisors
            .iter()
            .any(|s| s.user == user && s.watches(&c.queue));
        Ok(holder || supervisor)
    }

    /// At start: raises the invitation level of every live room the bot
    /// made (desk and supervisor rooms, open conversations' rooms) where
    /// it is lower, as in rooms made by an older smsdesk, sets their
    /// `m.room.retention` to the config's (see `rooms::retention`) and their
    /// marker (`rooms::marker`) to their role and this store. Closed
    /// conversations' rooms are skipped (the bot left them).
    pub(in crate::matrix) async fn secure_rooms(&self) {
        let rooms = match self.store.rooms() {
            Ok(rooms) => rooms,
            Err(error) => {
                tracing::warn!(%error, "cannot list the bot's rooms to restrict invitations");
                return;
            }
        };
        let (mut checked, mut raised, mut failed, mut marked) = (0, 0, 0, 0);
        for (room, role) in rooms {
            let mut opened_at = None;
            if let RoomRole::Conversation(id) = role {
                let open = self.app.read_store(move |s| layout::conversation(s, id)).await;
                match open {
                    Ok(Ok(Some(c))) if !matches!(c.phase, Phase::Closed { .. }) => {
                        opened_at = Some(c.opened_at);
                        // Masking switched on since: the old name shows the number.
                        if let Err(error) = self.align_name(&room, &c).await {
                            tracing::warn!(%room, %error, "cannot rename a conversation room");
                        }
                    }
                    _ => continue,
                }
            }
            checked += 1;
            if let Err(error) = self.align_retention(&room).await {
                tracing::warn!(%room, %error, "cannot set the retention of one of the bot's rooms");
            }
            if let Some(marker) = Marker::for_role(&role, &self.app.store_identity, opened_at) {
                match self.mark(&room, &marker).await {
                    Ok(true) => marked += 1,
                    Ok(false) => {}
                    Err(error) => tracing::warn!(%room, %error, "cannot mark one of the bot's rooms"),
                }
            }
            match self.raise_invite_level(&room).await {
                Ok(true) => raised += 1,
                Ok(false) => {}
                Err(error) => {
                    failed += 1;
                    tracing::warn!(%room, %error, "cannot restrict invitations in one of the bot's rooms");
                }
            }
        }
        tracing::info!(
            checked,
            raised,
            failed,
            marked,
            "only the bot invites to its rooms; each is marked with its role"
        );
    }

    /// Sets `room`'s invitation level to `INVITE_LEVEL`; false if it already was.
    async fn raise_invite_level(&self, room: &OwnedRoomId) -> anyhow::Result<bool> {
        let mut content = self
            .state_content(room, StateEventType::RoomPowerLevels)
            .await?
            .unwrap_or_default();
        if content.get("invite").and_then(serde_json::Value::as_i64) == Some(INVITE_LEVEL) {
            return Ok(false);
        }
        content["invite"] = INVITE_LEVEL.into();
        self.put_state(room, StateEventType::RoomPowerLevels, &content).await?;
        Ok(true)
    }

    /// A room just made (and remembered): noted as made by this login (it
    /// cannot have missed messages); in appservice mode, if it is
    /// encrypted, the twin joins and its view is the room from now on.
    pub(in crate::matrix) async fn just_made(&self, room: Room) -> Room {
        self.made
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(room.room_id().to_owned());
        if self.twin.is_none() {
            return room;
        }
        if let Err(error) = self.twin_joins(room.room_id()).await {
            tracing::warn!(room = %room.room_id(), %error, "the twin cannot join a new encrypted room of the desk");
        }
        self.room(room.room_id()).unwrap_or(room)
    }

    /// Gives `user` (the bot's twin) the bot's power level in `room`.
    pub(in crate::matrix) async fn level_of_the_bot(&self, room: &OwnedRoomId, user: &UserId) -> anyhow::Result<()> {
        let mut content = self
            .state_content(room, StateEventType::RoomPowerLevels)
            .await?
            .unwrap_or_default();
        let bots = content["users"][self.me.as_str()].as_i64().unwrap_or(INVITE_LEVEL);
        if content["users"][user.as_str()].as_i64() == Some(bots) {
            return Ok(());
        }
        content["users"][user.as_str()] = bots.into();
        self.put_state(room, StateEventType::RoomPowerLevels, &content).await
    }

    /// The content of `room`'s state event `kind` (empty state key);
    /// `None` when the room has none. For the start-time alignments
    /// (invitations, retention, names), which read, compare and write.
    pub(in crate::matrix) async fn state_content(
        &self,
        room: &OwnedRoomId,
        kind: StateEventType,
    ) -> anyhow::Result<Option<serde_json::Value>> {
        let request = get_state_event_for_key::v3::Request::new(room.clone(), kind, String::new());
        match self.client.send(request).await {
            Ok(response) => Ok(Some(serde_json::from_str(response.event_or_content.get())?)),
            Err(error) if error.client_api_error_kind() == Some(&matrix_sdk::ruma::api::error::ErrorKind::NotFound) => {
                Ok(None)
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Sets `room`'s state event `kind` (empty state key) to `content`.
    pub(in crate::matrix) async fn put_state(
        &self,
        room: &OwnedRoomId,
        kind: StateEventType,
        content: &serde_json::Value,
    ) -> anyhow::Result<()> {
        let body: Raw<AnyStateEventContent> = Raw::from_json(serde_json::value::to_raw_value(content)?);
        let request = send_state_event::v3::Request::new_raw(room.clone(), kind, String::new(), body);
        self.client.send(request).await?;
        Ok(())
    }
}
