//! Rooms the bot is in but its store does not know: after `storage.path`
//! was wiped or restored from an older backup, the bot's store lost rooms
//! the agents still use. At each start, before any message is handled,
//! the bot lists its joined rooms (`/joined_rooms`, in bot and appservice
//! mode alike) and reads the marker (`room_marker`) of each one it does
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
//! Deciding is pure (`judge`); notices and leaves wait until the rooms are
//! known to matrix-sdk (`follow_up`, at the start of posting).

use matrix_sdk::ruma::api::client::membership::{joined_rooms, leave_room};
use matrix_sdk::ruma::api::client::message::send_message_event;
use matrix_sdk::ruma::{OwnedRoomId, RoomId, UserId};
use smsdesk_core::model::{Conversation, Phase};
use smsdesk_core::store::layout;
use smsdesk_core::{AgentId, ConversationId};

use super::rich::Text;
use super::room_marker::Marker;
use super::send::{self, PostError};
use super::store::RoomRole;
use super::Bot;

/// What is done with a joined room the bot's store does not know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Ours: recorded with this role.
    Adopt(RoomRole),
    /// The role already has a room in use (`Followup::Leave` points to it).
    Duplicate(RoomRole),
    /// A conversation this engine store does not know (another store, an
    /// older backup, or the same number for another conversation).
    UnknownConversation(ConversationId),
    /// A conversation that is closed here.
    Closed(ConversationId),
    /// A conversation no agent has accepted here yet (an older backup):
    /// it gets a room of its own when one does.
    NotAccepted(ConversationId),
    /// Not for this desk to decide (someone no longer configured): left as it is.
    Keep,
}

/// What the bot knows about a marker's role, for `judge`.
#[derive(Debug)]
pub struct Here<'a> {
    /// This engine store's identity.
    pub store: &'a str,
    /// The role already has a joined room in the bot's store.
    pub taken: bool,
    /// The marker's agent is on the roster, or its supervisor configured.
    pub configured: bool,
    /// The engine's conversation with the marker's number, if any.
    pub conversation: Option<&'a Conversation>,
}

/// What to do with a room marked `marker`.
pub fn judge(marker: &Marker, here: &Here<'_>) -> Verdict {
    let role = marker.role();
    match marker {
        Marker::Desk { .. } | Marker::Supervisor { .. } if !here.configured => Verdict::Keep,
        Marker::Desk { .. } | Marker::Supervisor { .. } if here.taken => Verdict::Duplicate(role),
        Marker::Desk { .. } | Marker::Supervisor { .. } => Verdict::Adopt(role),
        Marker::Conversation {
            conversation,
            opened_at,
            store,
        } => {
            let id = ConversationId(*conversation);
            match here.conversation {
                _ if store != here.store => Verdict::UnknownConversation(id),
                Some(c) if c.opened_at.0 != *opened_at => Verdict::UnknownConversation(id),
                None => Verdict::UnknownConversation(id),
                Some(c) if matches!(c.phase, Phase::Closed { .. }) => Verdict::Closed(id),
                Some(c) if c.first_accepted_at.is_none() => Verdict::NotAccepted(id),
                Some(_) if here.taken => Verdict::Duplicate(role),
                Some(_) => Verdict::Adopt(role),
            }
        }
    }
}

/// What is said (and done) in a room once the rooms are known.
#[derive(Clone, Debug)]
pub enum Followup {
    /// Taken up again: say so (and for a conversation, set its members right).
    Adopted(RoomRole),
    /// Not ours any more: say this, and leave.
    Leave(Text),
}

/// Said in a desk room taken up again.
pub fn desk_adopted(status: &str) -> String {
    let hint = if status == "available" {
        ""
    } else {
        " Say !available here when you want offers."
    };
    format!(
        "smsdesk's storage was restored from a backup (or started afresh) and it has taken this room up again: this is still your desk room. Your status is now {status}.{hint}"
    )
}

/// Said in a conversation room taken up again.
pub fn conversation_adopted(id: ConversationId, label: &str) -> String {
    format!("smsdesk's storage was restored from a backup and it has taken this room up again: this is conversation #{id} ({label}).")
}

/// Said in a room the bot leaves because it is not (or no longer) one of its rooms.
pub fn leaving(verdict: &Verdict, in_use: Option<&RoomId>) -> Text {
    let why = match verdict {
        Verdict::UnknownConversation(id) => format!(
            "smsdesk's storage was restored from a backup made before this room (or started afresh): it does not know conversation #{id}, so nothing written here reaches the customer."
        ),
        Verdict::Closed(id) => {
            format!("Conversation #{id} is closed in smsdesk's restored storage: nothing written here reaches the customer.")
        }
        Verdict::NotAccepted(id) => format!(
            "smsdesk's storage was restored from a backup made before conversation #{id} was accepted: it waits to be accepted again and gets a new room then. Nothing written here reaches the customer."
        ),
        Verdict::Duplicate(_) => "This room is no longer used: smsdesk uses another room for it.".to_owned(),
        Verdict::Adopt(_) | Verdict::Keep => {
            "smsdesk does not know this room (its storage was restored from a backup or started afresh): nothing written here reaches anyone.".to_owned()
        }
    };
    pointing(&why, in_use)
}

/// `why`, then where to go instead, and that the bot leaves.
fn pointing(why: &str, in_use: Option<&RoomId>) -> Text {
    let leave = "The bot leaves this room.";
    match in_use {
        Some(room) => Text::rich(
            format!("{why} Your room with smsdesk: https://matrix.to/#/{room} — {leave}"),
            format!(
                "{} Your room with smsdesk: {} — {leave}",
                super::rich::escape(why),
                super::rich::mention(room.as_str())
            ),
        ),
        None => format!("{why} {leave}").into(),
    }
}

/// The store key of a room the bot decided to leave.
fn gone_key(room: &RoomId) -> String {
    format!("gone/{room}")
}

impl Bot {
    /// At start, before any message is handled: lists the joined rooms
    /// (retried until the homeserver answers, unless it refuses the login)
    /// and takes up or lets go of those the store does not know.
    pub(super) async fn adopt_rooms(&self) {
        let mut backoff = std::time::Duration::from_millis(200);
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
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(std::time::Duration::from_secs(30));
                }
            }
        };
        self.adopt_among(&joined).await;
    }

    /// Takes up or lets go of the rooms of `joined` the store does not know.
    pub(super) async fn adopt_among(&self, joined: &[OwnedRoomId]) {
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
            RoomRole::Conversation(id) => self.app.read(move |e| layout::conversation(e.store(), id)).await??,
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
                self.followup(room, Followup::Leave(leaving(other, in_use.as_deref())));
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
    pub(super) async fn follow_up(&self) {
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
                let agent = agent.clone();
                let status = self
                    .app
                    .read(move |e| e.state().agent(&agent).map(|a| a.status.to_string()))
                    .await
                    .ok()
                    .flatten()
                    .unwrap_or_else(|| "offline".to_owned());
                desk_adopted(&status)
            }
            RoomRole::Supervisor(_) => {
                "smsdesk's storage was restored from a backup (or started afresh) and it has taken this room up again: this is still your supervisor room.".to_owned()
            }
            RoomRole::Conversation(id) => {
                let id = *id;
                let label = match self.app.read(move |e| layout::conversation(e.store(), id)).await {
                    Ok(Ok(Some(c))) => c.phase.label(),
                    _ => "open",
                };
                self.set_members(&room, role).await;
                conversation_adopted(id, label)
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
                        .kick_user(
                            user,
                            Some("no role in this conversation since smsdesk's storage was restored"),
                        )
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
        let owner = match self.app.read(move |e| layout::conversation(e.store(), id)).await {
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
    pub(super) async fn stranger_room(
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
        self.leave_with(&room_id, leaving(&Verdict::Keep, theirs.as_deref()))
            .await;
        self.store.flush().await?;
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use smsdesk_core::{CarrierName, CustomerNumber, EntryNumber, QueueName, Timestamp};

    fn conversation(opened_at: u64, phase: Phase) -> Conversation {
        Conversation {
            id: ConversationId(3),
            entry: EntryNumber::parse("+15550001111").expect("entry"),
            customer: CustomerNumber::from("+15557770001"),
            carrier: CarrierName::from("twilio"),
            queue: QueueName::from("support"),
            opened_at: Timestamp(opened_at),
            skills: Default::default(),
            phase,
            declined_by: Default::default(),
            last_agent: None,
            inbound_count: 1,
            outbound_count: 0,
            outbound: Default::default(),
            busy_at: None,
            inactive_at: None,
            fields: Vec::new(),
            queued_at: None,
            first_accepted_at: Some(Timestamp(opened_at + 1)),
            ended_at: None,
        }
    }

    fn here<'a>(conversation: Option<&'a Conversation>, taken: bool) -> Here<'a> {
        Here {
            store: "s1",
            taken,
            configured: true,
            conversation,
        }
    }

    #[test]
    fn a_desk_room_is_taken_up_unless_one_is_in_use_or_the_agent_left_the_roster() {
        let alice = AgentId::new("@alice:hs");
        let marker = Marker::for_role(&RoomRole::Desk(alice.clone()), "old-store", None).expect("desk");
        // Another store's desk room is still her desk room.
        assert_eq!(
            judge(&marker, &here(None, false)),
            Verdict::Adopt(RoomRole::Desk(alice.clone()))
        );
        assert_eq!(
            judge(&marker, &here(None, true)),
            Verdict::Duplicate(RoomRole::Desk(alice))
        );
        let gone = Here {
            configured: false,
            ..here(None, false)
        };
        assert_eq!(judge(&marker, &gone), Verdict::Keep);
    }

    #[test]
    fn a_conversation_room_is_taken_up_only_for_the_same_open_conversation() {
        let id = ConversationId(3);
        let marker = Marker::for_role(&RoomRole::Conversation(id), "s1", Some(Timestamp(100))).expect("marker");
        let active = conversation(
            100,
            Phase::Active {
                owner: AgentId::new("@alice:hs"),
                since: Timestamp(200),
                conference: Default::default(),
            },
        );
        assert_eq!(
            judge(&marker, &here(Some(&active), false)),
            Verdict::Adopt(RoomRole::Conversation(id))
        );
        assert_eq!(
            judge(&marker, &here(Some(&active), true)),
            Verdict::Duplicate(RoomRole::Conversation(id))
        );
        // An older backup: not known yet, or the number is another conversation's.
        assert_eq!(judge(&marker, &here(None, false)), Verdict::UnknownConversation(id));
        let other = conversation(999, active.phase.clone());
        assert_eq!(
            judge(&marker, &here(Some(&other), false)),
            Verdict::UnknownConversation(id)
        );
        // Another store's number means nothing here.
        let foreign = Marker::for_role(&RoomRole::Conversation(id), "s2", Some(Timestamp(100))).expect("marker");
        assert_eq!(
            judge(&foreign, &here(Some(&active), false)),
            Verdict::UnknownConversation(id)
        );
        let closed = conversation(
            100,
            Phase::Closed {
                at: Timestamp(300),
                reason: "Resolved".into(),
            },
        );
        assert_eq!(judge(&marker, &here(Some(&closed), false)), Verdict::Closed(id));
        let waiting = Conversation {
            first_accepted_at: None,
            ..conversation(
                100,
                Phase::Queued {
                    head: false,
                    since: Timestamp(100),
                },
            )
        };
        assert_eq!(judge(&marker, &here(Some(&waiting), false)), Verdict::NotAccepted(id));
    }

    #[test]
    fn a_room_left_points_to_the_room_in_use() {
        let room = OwnedRoomId::try_from("!desk:hs").expect("room");
        let text = leaving(&Verdict::Keep, Some(&room));
        assert!(
            text.plain.contains("nothing written here reaches anyone"),
            "{}",
            text.plain
        );
        assert!(text.plain.contains("https://matrix.to/#/!desk:hs"), "{}", text.plain);
        assert!(text.plain.ends_with("The bot leaves this room."), "{}", text.plain);
        assert!(text
            .html
            .expect("html")
            .contains("<a href=\"https://matrix.to/#/!desk:hs\">"));
        let text = leaving(&Verdict::UnknownConversation(ConversationId(4)), None);
        assert!(text.plain.contains("does not know conversation #4"), "{}", text.plain);
        assert_eq!(text.html, None);
    }

    #[test]
    fn an_adopted_desk_says_the_status_and_how_to_get_offers() {
        assert!(
            desk_adopted("offline").ends_with("Your status is now offline. Say !available here when you want offers.")
        );
        assert!(desk_adopted("available").ends_with("Your status is now available."));
    }
}
