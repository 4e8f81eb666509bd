//! Desk rooms: one direct room per roster agent, where offers arrive and
//! desk commands are typed. Created (and the agent invited) at start and
//! checked every 30 s; an agent who leaves it goes offline and is invited
//! back once; a roster agent who invites the bot is invited to it (the way
//! back for someone who rejected or lost it). Invitations to anything else
//! are declined.

use std::sync::{Arc, Weak};
use std::time::Duration;

use matrix_sdk::event_handler::Ctx;
use matrix_sdk::room::Room;
use matrix_sdk::ruma::api::client::membership::leave_room;
use matrix_sdk::ruma::api::client::room::create_room::v3::{Request as CreateRoomRequest, RoomPreset};
use matrix_sdk::ruma::events::room::member::{MembershipState, OriginalSyncRoomMemberEvent, StrippedRoomMemberEvent};
use matrix_sdk::ruma::{RoomId, UserId};
use smsdesk_core::{AgentId, Command};

use crate::config::AgentConfig;
use crate::matrix::outgoing::send::{self, PostError};
use crate::matrix::store::RoomRole;
use crate::matrix::texts::notices;
use crate::matrix::Bot;

/// How often missing desk rooms are looked for.
const DESK_CHECK: Duration = Duration::from_secs(30);

/// The agent has no desk room (their Matrix account could not be invited):
/// nothing can be shown to them, and waiting would stall every other notice.
#[derive(Debug, thiserror::Error)]
#[error("{0} has no desk room")]
pub struct NoDeskRoom(pub AgentId);

impl Bot {
    /// The agent's desk room, if the bot is in it.
    pub(in crate::matrix) fn desk_room(&self, agent: &AgentId) -> Result<Room, PostError> {
        match self.store.desk_room(agent)?.and_then(|r| self.room(&r)) {
            Some(room) => Ok(room),
            None => Err(PostError::skip(NoDeskRoom(agent.clone()))),
        }
    }

    /// Creates missing desk (and supervisor) rooms every 30 s (after the first pass at
    /// start), off the sync loop: an agent on an unreachable server must
    /// not stall it.
    pub(in crate::matrix) async fn desk_rooms_loop(self: Arc<Self>) {
        loop {
            tokio::time::sleep(DESK_CHECK).await;
            self.ensure_desk_rooms().await;
            self.ensure_supervisor_rooms().await;
        }
    }

    pub(in crate::matrix) async fn ensure_desk_rooms(&self) {
        for agent in &self.app.config.roster {
            // A desk room the bot is no longer in (removed, or the room is
            // gone) is as good as none: make a new one.
            if let Some(room) = self
                .store
                .desk_room(agent.id())
                .ok()
                .flatten()
                .and_then(|r| self.room(&r))
            {
                self.ensure_desk_widget(&room, &self.lang_of(agent.user.as_str())).await;
                continue;
            }
            if !self.has_account(agent).await {
                continue;
            }
            self.create_desk_room(agent).await;
        }
    }

    /// Whether the agent's Matrix account exists (a room invitation to one
    /// that does not would look fine and reach nobody). A missing one is
    /// warned about once, naming the roster key, and asked again at every
    /// check; a homeserver that cannot say is given the benefit of the doubt.
    async fn has_account(&self, agent: &AgentConfig) -> bool {
        let missing = match self.client.account().fetch_user_profile_of(&agent.user).await {
            Ok(_) => false,
            Err(error) => error
                .as_client_api_error()
                .is_some_and(|e| e.status_code.as_u16() == 404),
        };
        let mut warned = self
            .missing_agents
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !missing {
            warned.remove(agent.id());
            return true;
        }
        if warned.insert(agent.id().clone()) {
            tracing::warn!(
                key = %format!("{}.matrix_id", agent.key),
                agent = %agent.user,
                "this agent has no account on the homeserver: no desk room until it exists (checked every 30 s)"
            );
        }
        false
    }

    async fn create_desk_room(&self, agent: &AgentConfig) {
        let mut request = CreateRoomRequest::new();
        request.invite = vec![agent.user.clone()];
        request.is_direct = true;
        // A direct chat, but one the agent cannot reconfigure (power level
        // 0): no renaming, and above all no turning on encryption, which
        // this bot cannot read yet.
        request.preset = Some(RoomPreset::PrivateChat);
        request.power_level_content_override = Some(crate::matrix::rooms::guard::power_levels());
        let lang = self.lang_of(agent.user.as_str());
        request.initial_state = self.initial_state(&RoomRole::Desk(agent.id().clone()), None);
        request.initial_state.extend(self.desk_widget_state(&lang));
        request.name = Some(crate::tr!(lang, "desk-room-name", name = agent.name()));
        let room = match tokio::time::timeout(Duration::from_secs(15), self.client.create_room(request)).await {
            Err(_) => {
                tracing::warn!(agent = %agent.user, "creating the desk room timed out; will retry");
                return;
            }
            Ok(Err(error)) => {
                tracing::warn!(agent = %agent.user, %error, "cannot create the desk room yet");
                return;
            }
            Ok(Ok(room)) => room,
        };
        // The room exists now: remember it before anything else.
        self.store.set_desk_room(agent.id(), room.room_id());
        if let Err(error) = self.store.flush().await {
            tracing::error!(agent = %agent.user, %error, "cannot save the new desk room");
        }
        let room = self.just_made(room).await;
        if let Err(error) = send::notice(
            &room,
            &notices::desk_welcome(&self.lang_of(agent.user.as_str()), agent.name()),
            None,
        )
        .await
        {
            tracing::warn!(agent = %agent.user, %error, "cannot greet in the new desk room");
        }
        tracing::info!(agent = %agent.user, room = %room.room_id(), "desk room created");
    }
}

/// An agent who leaves their desk room can get no offers: they go offline,
/// and are invited back once so they can return. (A rejected invitation is
/// not re-sent, so a client that rejects invitations cannot make a loop;
/// such an agent gets their invitation again by inviting the bot anywhere.)
pub(in crate::matrix) async fn on_member(event: OriginalSyncRoomMemberEvent, room: Room, Ctx(bot): Ctx<Weak<Bot>>) {
    // The login ended (its Bot is gone): nothing to do.
    let Some(bot) = bot.upgrade() else {
        return;
    };
    let was_joined = event
        .unsigned
        .prev_content
        .as_ref()
        .is_some_and(|c| c.membership == MembershipState::Join);
    if event.content.membership != MembershipState::Leave || event.sender != event.state_key || !was_joined {
        return;
    }
    let owner = match bot.store.role(room.room_id()) {
        Ok(Some(RoomRole::Desk(owner))) if owner.as_str() == event.state_key.as_str() => owner,
        Ok(_) => return,
        Err(error) => {
            tracing::warn!(room = %room.room_id(), %error, "cannot tell what room a member left");
            return;
        }
    };
    // Each leave once: the same event can come again (in a state section,
    // after a restart's full-state sync), and must not invite again.
    match bot.store.first_sight(&format!("left/{}", event.event_id)) {
        Ok(true) => {}
        Ok(false) => return,
        Err(error) => {
            tracing::warn!(%error, "cannot record a desk-room leave; ignoring it");
            return;
        }
    }
    tracing::info!(agent = %owner, room = %room.room_id(), "an agent left their desk room; setting them offline");
    match bot.app.execute(Command::SetOffline { agent: owner.clone() }).await {
        Ok(Ok(_)) => {}
        Ok(Err(rejection)) => tracing::warn!(agent = %owner, %rejection, "cannot set an agent offline"),
        Err(error) => tracing::warn!(agent = %owner, %error, "cannot set an agent offline"),
    }
    let lang = bot.lang_of(owner.as_str());
    if let Err(error) = send::notice(&room, lang.t("left-desk"), None).await {
        tracing::debug!(agent = %owner, %error, "cannot say why the agent is offline");
    }
    if let Err(error) = room.invite_user_by_id(&event.state_key).await {
        tracing::warn!(agent = %owner, %error, "cannot invite an agent back to their desk room");
    }
}

/// The bot creates its own rooms; invitations from anyone are declined. A
/// roster agent who invites the bot is invited (again) to their desk room.
pub(in crate::matrix) async fn on_invite(event: StrippedRoomMemberEvent, room: Room, Ctx(bot): Ctx<Weak<Bot>>) {
    // The login ended (its Bot is gone): nothing to do.
    let Some(bot) = bot.upgrade() else {
        return;
    };
    if event.state_key != bot.me {
        return;
    }
    bot.invited(room.room_id(), &event.sender).await;
}

impl Bot {
    /// The bot was invited to `room` by `sender`: declined; a roster agent
    /// is invited (again) to their desk room.
    pub(in crate::matrix) async fn invited(&self, room: &RoomId, sender: &UserId) {
        tracing::info!(%room, from = %sender, "declining an invitation");
        // By id: in appservice mode the bot has no state of a room it is
        // only invited to.
        if let Err(error) = self.client.send(leave_room::v3::Request::new(room.to_owned())).await {
            tracing::warn!(%room, %error, "cannot decline an invitation");
        }
        let agent = AgentId::new(sender.to_string());
        if self.app.config.agent(&agent).is_none() {
            return;
        }
        match self.desk_room(&agent) {
            Ok(desk) => {
                if let Err(error) = desk.invite_user_by_id(sender).await {
                    tracing::info!(%agent, %error, "cannot invite an agent to their desk room (already in it?)");
                }
            }
            Err(error) => tracing::warn!(%agent, %error, "an agent asked for their desk room, but there is none yet"),
        }
    }
}
