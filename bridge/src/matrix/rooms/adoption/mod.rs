//! Rooms the bot is in but its store does not know: after `storage.path`
//! was wiped or restored from an older backup, the bot's store lost rooms
//! the agents still use. At each start, before any message is handled,
//! the bot lists its joined rooms (`/joined_rooms`, in bot and appservice
//! mode alike) and reads the marker (`rooms::marker`) of each one it does
//! not know:
//! - a desk or supervisor room of someone on the roster / in
//!   `[[supervisors]]` is taken up again (recorded in the bot's store), so
//!   no second desk room is made and the agent goes on where she was; the
//!   room is told, with her status now. A second one for the same person
//!   is left, pointing to the one in use;
//! - a conversation room is taken up again only if the engine knows that
//!   conversation (same store, same opening time: after an older backup a
//!   number can name another conversation) and it is still open; members
//!   without a role there are removed and the owner invited. Any other is
//!   left with a notice saying why (nothing written there reaches anyone);
//! - an unmarked room (made by an older smsdesk) is not guessed at (names
//!   are not unique, and an agent may have several such rooms from earlier
//!   wipes): the first message written there gets one notice pointing to
//!   the writer's room, and the bot leaves it (`inbound`). So no room the
//!   bot is in stays silent.
//!
//! Deciding is pure (`judge.rs`); notices and leaves wait until the rooms are
//! known to matrix-sdk (`follow_up`, at the start of posting).

use matrix_sdk::ruma::api::client::membership::{joined_rooms, leave_room};
use matrix_sdk::ruma::api::client::message::send_message_event;
use matrix_sdk::ruma::{OwnedRoomId, RoomId, UserId};
use smsdesk_core::model::AgentStatus;
use smsdesk_core::AgentId;
use smsdesk_engine::store::layout;

use crate::matrix::outgoing::send::{self, PostError};
use crate::matrix::store::RoomRole;
use crate::matrix::texts::events::status_text;
use crate::matrix::texts::refusals::phase;
use crate::matrix::texts::rich::Text;
use crate::matrix::Bot;

mod judge;

pub use judge::{conversation_adopted, desk_adopted, judge, leaving, Followup, Here, Verdict};

/// The store key of a room the bot decided to leave.
fn gone_key(room: &RoomId) -> String {
    format!("gone/{room}")
}

impl Bot {
    /// At start, before any message is handled: lists the joined rooms
    /// (retried until the homeserver answers, unless it refuses the login)
    /// and takes up or lets go of those the store does not know.
    pub(in crate::matrix) async fn adopt_rooms(&self) {
        let mut backoff = crate::backoff::Backoff::new(
            std::time::Duration::from_millis(200),
            std::time::Duration::from_secs(30),
        );
        let joined = loop {
            match self.client.send(joined_rooms::v3::Request::new()).await {
                Ok(r) => break r.joined_rooms,
                Err(error)
                    if error
                        .as_client_api_error()
                        .is_some_and(|e| e.status_code.as_u16() == 401) =>
                {
                    // The sync loop logs in again, and this runs again then.
                    tracing::warn!(%error, "cannot list the bot's rooms: the login was refused");
                    return;
                }
                Err(error) => {
                    tracing::warn!(%error, ?backoff, "cannot list the bot's rooms yet; retrying");
                    backoff.sleep().await;
                }
            }
        };
        self.adopt_among(&joined).await;
    }

    /// Takes up or lets go of the rooms of `joined` the store does not know.
    pub(in crate::matrix) async fn adopt_among(&self, joined: &[OwnedRoomId]) {
        let (mut adopted, mut leaving, mut unmarked, mut failed) = (0, 0, 0, 0);
        for room in joined {
            if !matches!(self.store.role(room), Ok(None)) {
                continue;
            }
            match self.consider(room, &|r| joined.iter().any(|j| j == r)).await {
                Ok(Some(Verdict::Adopt(_))) => adopted += 1,
                Ok(Some(Verdict::Keep)) => {}
                Ok(Some(_)) => leaving += 1,
                Ok(None) => unmarked += 1,
                Err(error) => {
                    failed += 1;
                    tracing::warn!(%room, %error, "cannot read the marker of a room the bot is in; it is looked at again when someone writes there");
                }
            }
        }
        if let Err(error) = self.store.flush().await {
            tracing::error!(%error, "cannot save the rooms taken up again");
        }
        if adopted + leaving + unmarked + failed > 0 {
            tracing::warn!(
                adopted,
                leaving,
                unmarked,
                failed,
                "the bot is in rooms its store did not know (storage restored or wiped?): took up its own, leaving the others"
            );
        }
    }

    /// Reads `room`'s marker and acts on it (recorded now, said later);
    /// `None` when it has none.
    /// `joined` says whether the bot is in a room (the role's room in the
    /// store may be one it left).
    async fn consider(
        &self,
        room: &RoomId,
        joined: &(dyn Fn(&RoomId) -> bool + Sync),
    ) -> Result<Option<Verdict>, PostError> {
        let Some(marker) = self.read_marker(room).await? else {
            return Ok(None);
        };
        let role = marker.role();
        let in_use = self.room_of(&role)?.filter(|r| r != room && joined(r));
        let conversation = match role {
            RoomRole::Conversation(id) => self.app.read_store(move |s| layout::conversation(s, id)).await??,
            _ => None,
        };
        let configured = match &role {
            RoomRole::Desk(agent) => self.app.config.agent(agent).is_some(),
            RoomRole::Supervisor(user) => self.supervisor(user).is_some(),
            RoomRole::Conversation(_) => true,
        };
        let verdict = judge(
            &marker,
            &Here {
                store: &self.app.store_identity,
                taken: in_use.is_some(),
                configured,
                conversation: conversation.as_ref(),
            },
        );
        match &verdict {
            Verdict::Adopt(role) => {
                self.record(role, room);
                tracing::info!(%room, ?role, "took up one of the bot's rooms again");
                self.followup(room, Followup::Adopted(role.clone()));
            }
            Verdict::Keep => {}
            other => {
                tracing::info!(%room, verdict = ?other, "leaving a room that is no longer one of the bot's");
                // What is still written there before the bot is out (a
                // sync replayed from a restored token) is not for it.
                self.store.put(&gone_key(room), &true);
                let lang = self.app.config.default_lang();
                self.followup(room, Followup::Leave(leaving(&lang, other, in_use.as_deref())));
            }
        }
        Ok(Some(verdict))
    }

    /// The room the store has for `role`, if any.
    fn room_of(&self, role: &RoomRole) -> Result<Option<OwnedRoomId>, PostError> {
        Ok(match role {
            RoomRole::Desk(agent) => self.store.desk_room(agent)?,
            RoomRole::Supervisor(user) => self.store.supervisor_room(user)?,
            RoomRole::Conversation(id) => self.store.conversation_room(*id)?,
        })
    }

    fn record(&self, role: &RoomRole, room: &RoomId) {
        match role {
            RoomRole::Desk(agent) => self.store.set_desk_room(agent, room),
            RoomRole::Supervisor(user) => self.store.set_supervisor_room(user, room),
            RoomRole::Conversation(id) => self.store.set_conversation_room(*id, room),
        }
    }

    fn followup(&self, room: &RoomId, followup: Followup) {
        self.adoption
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((room.to_owned(), followup));
    }

    /// Says what was decided at start in each room concerned (the rooms
    /// are known now), and leaves those that are not the bot's any more.
    pub(in crate::matrix) async fn follow_up(&self) {
        let pending = std::mem::take(&mut *self.adoption.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        for (room, followup) in pending {
            match followup {
                Followup::Adopted(role) => self.welcome_back(&room, &role).await,
                Followup::Leave(text) => self.leave_with(&room, text).await,
            }
        }
    }

    async fn welcome_back(&self, room_id: &RoomId, role: &RoomRole) {
        let Some(room) = self.room(room_id) else { return };
        let text = match role {
            RoomRole::Desk(agent) => {
                let lang = self.lang_of(agent.as_str());
                let agent = agent.clone();
                let status = self
                    .app
                    .read(move |e| e.state().agent(&agent).map(|a| a.status.clone()))
                    .await
                    .ok()
                    .flatten()
                    .unwrap_or(AgentStatus::Offline);
                desk_adopted(&lang, &status_text(&lang, &status), status == AgentStatus::Available)
            }
            RoomRole::Supervisor(user) => self.lang_of(user).t("adopted-supervisor"),
            RoomRole::Conversation(id) => {
                let id = *id;
                let lang = self.language_of_room(room_id).await;
                let label = match self.app.read_store(move |s| layout::conversation(s, id)).await {
                    Ok(Ok(Some(c))) => phase(&lang, c.phase.label()),
                    _ => phase(&lang, "active"),
                };
                self.set_members(&room, role).await;
                conversation_adopted(&lang, id, &label)
            }
        };
        if let Err(error) = send::notice(&room, text, None).await {
            tracing::warn!(room = %room_id, %error, "cannot say that a room was taken up again");
        }
    }

    /// An adopted conversation room holds who holds the conversation now:
    /// others are removed, the owner invited.
    async fn set_members(&self, room: &matrix_sdk::room::Room, role: &RoomRole) {
        let RoomRole::Conversation(id) = role else { return };
        let members = match self.members(room).await {
            Ok(m) => m,
            Err(error) => {
                tracing::warn!(room = %room.room_id(), %error, "cannot list an adopted room's members");
                return;
            }
        };
        for user in &members {
            match self.belongs(role, user).await {
                Ok(false) => {
                    if let Err(error) = room
                        .kick_user(user, Some(&self.lang_of(user.as_str()).t("kick-no-role-restored")))
                        .await
                    {
                        tracing::warn!(room = %room.room_id(), %user, %error, "cannot remove a member without a role");
                    }
                }
                Ok(true) => {}
                Err(error) => tracing::warn!(room = %room.room_id(), %user, %error, "cannot check a member's role"),
            }
        }
        let id = *id;
        let owner = match self.app.read_store(move |s| layout::conversation(s, id)).await {
            Ok(Ok(Some(c))) => c.phase.owner().and_then(|o| self.user_of(o)),
            _ => None,
        };
        if let Some(owner) = owner.filter(|o| !members.contains(o)) {
            if let Err(error) = room.invite_user_by_id(&owner).await {
                tracing::warn!(room = %room.room_id(), %owner, %error, "cannot invite the owner to an adopted room");
            }
        }
    }

    /// Says `text` in `room` (best effort) and leaves it.
    async fn leave_with(&self, room_id: &RoomId, text: Text) {
        // By id, here and below: matrix-sdk may not know the room.
        let txn = matrix_sdk::ruma::TransactionId::new();
        match send_message_event::v3::Request::new(room_id.to_owned(), txn, &send::notice_content(&text)) {
            Ok(request) => {
                if let Err(error) = self.client.send(request).await {
                    tracing::warn!(room = %room_id, %error, "cannot say why the bot leaves a room");
                }
            }
            Err(error) => tracing::warn!(room = %room_id, %error, "cannot write why the bot leaves a room"),
        }
        if let Err(error) = self.client.send(leave_room::v3::Request::new(room_id.to_owned())).await {
            tracing::warn!(room = %room_id, %error, "cannot leave a room that is no longer the bot's");
        }
    }

    /// A message in a joined room the store does not know (its marker
    /// could not be read at start, or it has none): the room is looked at
    /// again; if it is ours it is taken up and its role returned, else the
    /// writer is told once where to go, and the bot leaves.
    pub(in crate::matrix) async fn stranger_room(
        &self,
        room: &matrix_sdk::room::Room,
        sender: &UserId,
    ) -> Result<Option<RoomRole>, PostError> {
        let room_id = room.room_id().to_owned();
        if self.store.get::<bool>(&gone_key(&room_id))?.is_some() {
            return Ok(None);
        }
        let verdict = self.consider(&room_id, &|r| self.room(r).is_some()).await?;
        self.store.flush().await?;
        if let Some(Verdict::Adopt(role)) = verdict {
            self.follow_up().await;
            return Ok(Some(role));
        }
        if verdict.is_some() {
            // A marked room: `consider` queued its notice and leave.
            self.follow_up().await;
            return Ok(None);
        }
        if !self.store.first_sight(&gone_key(&room_id))? {
            return Ok(None);
        }
        let agent = AgentId::new(sender.to_string());
        let theirs = match self.store.desk_room(&agent)? {
            Some(desk) => Some(desk),
            None => self.store.supervisor_room(sender.as_str())?,
        };
        tracing::info!(room = %room_id, %sender, "a message in a room the bot does not know; pointing to their room and leaving");
        let lang = self.lang_of(sender.as_str());
        self.leave_with(&room_id, leaving(&lang, &Verdict::Keep, theirs.as_deref()))
            .await;
        self.store.flush().await?;
        Ok(None)
    }
}
