//! The marker every room the bot makes carries: an `org.smsdesk.room`
//! state event (state key `""`) saying what the room is for — whose desk,
//! which supervisor's room, which conversation — and which engine store
//! made it. It is what lets a bot whose own store was lost or restored
//! from an older backup find its rooms again (`adoption`) instead of
//! making new ones while agents wait in the old ones.
//!
//! Only the bot can write it: the bot's rooms give state events level 50
//! and agents level 0 (`rooms::guard`). Rooms made by an older smsdesk get
//! it at the next start (`mark`, from `guard::secure_rooms`). The
//! content is parsed strictly: a marker that does not parse is no marker.

use matrix_sdk::ruma::api::client::state::{get_state_event_for_key, send_state_event};
use matrix_sdk::ruma::events::{AnyInitialStateEvent, AnyStateEventContent, StateEventType};
use matrix_sdk::ruma::serde::Raw;
use matrix_sdk::ruma::{OwnedRoomId, OwnedUserId, RoomId};
use serde::{Deserialize, Serialize};
use smsdesk_core::{AgentId, ConversationId, Timestamp};

use crate::matrix::store::RoomRole;
use crate::matrix::Bot;

/// The marker's state event type.
pub const EVENT_TYPE: &str = "org.smsdesk.room";

/// What a room is for, as its marker says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Marker {
    Desk {
        agent: OwnedUserId,
        /// The engine store that made (or last marked) the room.
        store: String,
    },
    Supervisor {
        supervisor: OwnedUserId,
        store: String,
    },
    Conversation {
        conversation: u64,
        /// When the conversation opened: after a restore of an older
        /// backup the same number may name another conversation.
        opened_at: u64,
        store: String,
    },
}

impl Marker {
    /// The marker for a room of role `role`, made by store `store`; a
    /// conversation's also needs when it opened. `None` for a role whose
    /// owner is not a Matrix id (an agent id from an older config).
    pub fn for_role(role: &RoomRole, store: &str, opened_at: Option<Timestamp>) -> Option<Self> {
        Some(match role {
            RoomRole::Desk(agent) => Self::Desk {
                agent: OwnedUserId::try_from(agent.as_str()).ok()?,
                store: store.to_owned(),
            },
            RoomRole::Supervisor(user) => Self::Supervisor {
                supervisor: OwnedUserId::try_from(user.as_str()).ok()?,
                store: store.to_owned(),
            },
            RoomRole::Conversation(id) => Self::Conversation {
                conversation: id.0,
                opened_at: opened_at?.0,
                store: store.to_owned(),
            },
        })
    }

    /// The role this marker gives the room in the bot's store.
    pub fn role(&self) -> RoomRole {
        match self {
            Self::Desk { agent, .. } => RoomRole::Desk(AgentId::new(agent.to_string())),
            Self::Supervisor { supervisor, .. } => RoomRole::Supervisor(supervisor.to_string()),
            Self::Conversation { conversation, .. } => RoomRole::Conversation(ConversationId(*conversation)),
        }
    }

    /// The marker as `createRoom`'s initial state.
    pub fn initial_state(&self) -> Raw<AnyInitialStateEvent> {
        let event = serde_json::json!({ "type": EVENT_TYPE, "state_key": "", "content": self });
        Raw::from_json(serde_json::value::to_raw_value(&event).expect("a marker serializes"))
    }
}

impl Bot {
    /// The marker of `room`: `Ok(None)` when it has none, one that does
    /// not parse, or one the bot did not set itself (anyone else with the
    /// power to send state, e.g. an agent at level 100 in a room made by
    /// an older smsdesk, could forge one and have the bot take the room
    /// for someone else's desk); an error when the homeserver could not say.
    pub(in crate::matrix) async fn read_marker(&self, room: &RoomId) -> Result<Option<Marker>, matrix_sdk::HttpError> {
        let mut request = get_state_event_for_key::v3::Request::new(room.to_owned(), EVENT_TYPE.into(), String::new());
        request.format = get_state_event_for_key::v3::StateEventFormat::Event;
        let event: serde_json::Value = match self.client.send(request).await {
            Ok(response) => serde_json::from_str(response.event_or_content.get()).unwrap_or_default(),
            Err(error) if error.client_api_error_kind() == Some(&matrix_sdk::ruma::api::error::ErrorKind::NotFound) => {
                return Ok(None)
            }
            Err(error) => return Err(error),
        };
        let event = match event.get("sender") {
            Some(_) => event,
            // A homeserver that ignores `format=event` answers the content
            // alone: find the event, with its sender, in the room's state.
            None => self.marker_event(room).await?.unwrap_or_default(),
        };
        if event.get("sender").and_then(serde_json::Value::as_str) != Some(self.me.as_str()) {
            if event.get("sender").is_some() {
                tracing::warn!(%room, sender = %event["sender"], "a room marker not set by the bot is ignored");
            }
            return Ok(None);
        }
        Ok(event
            .get("content")
            .and_then(|c| serde_json::from_value(c.clone()).ok()))
    }

    /// The marker's whole event from `room`'s state, if there is one.
    async fn marker_event(&self, room: &RoomId) -> Result<Option<serde_json::Value>, matrix_sdk::HttpError> {
        let request = matrix_sdk::ruma::api::client::state::get_state_events::v3::Request::new(room.to_owned());
        let response = self.client.send(request).await?;
        Ok(response.room_state.iter().find_map(|raw| {
            let event: serde_json::Value = raw.deserialize_as().ok()?;
            (event.get("type").and_then(serde_json::Value::as_str) == Some(EVENT_TYPE)
                && event.get("state_key").and_then(serde_json::Value::as_str) == Some(""))
            .then_some(event)
        }))
    }

    /// Sets `room`'s marker to `marker`; false if it already was.
    pub(in crate::matrix) async fn mark(&self, room: &OwnedRoomId, marker: &Marker) -> anyhow::Result<bool> {
        if self.read_marker(room).await?.as_ref() == Some(marker) {
            return Ok(false);
        }
        let body: Raw<AnyStateEventContent> = Raw::from_json(serde_json::value::to_raw_value(marker)?);
        let request =
            send_state_event::v3::Request::new_raw(room.clone(), StateEventType::from(EVENT_TYPE), String::new(), body);
        self.client.send(request).await?;
        Ok(true)
    }

    /// `createRoom`'s initial state for a room of role `role`: the
    /// retention (`rooms::retention`), the marker, and encryption when
    /// `matrix.encryption` is on.
    pub(in crate::matrix) fn initial_state(
        &self,
        role: &RoomRole,
        opened_at: Option<Timestamp>,
    ) -> Vec<Raw<AnyInitialStateEvent>> {
        let mut state = crate::matrix::rooms::retention::state(self.app.config.retention);
        state.extend(Marker::for_role(role, &self.app.store_identity, opened_at).map(|m| m.initial_state()));
        // `matrix.encryption = "on"`: encrypted from the start (Megolm).
        if self.app.config.matrix.as_ref().is_some_and(|m| m.encryption) {
            let encryption = serde_json::json!({
                "type": "m.room.encryption",
                "state_key": "",
                "content": { "algorithm": "m.megolm.v1.aes-sha2" }
            });
            if let Ok(raw) = serde_json::value::to_raw_value(&encryption) {
                state.push(Raw::from_json(raw));
            }
        }
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_marker_reads_back_as_written_and_names_its_role() {
        let desk = Marker::for_role(&RoomRole::Desk(AgentId::new("@alice:hs")), "s1", None).expect("desk");
        let json = serde_json::to_value(&desk).expect("json");
        assert_eq!(
            json,
            serde_json::json!({"role": "desk", "agent": "@alice:hs", "store": "s1"})
        );
        assert_eq!(serde_json::from_value::<Marker>(json).expect("back"), desk);
        assert_eq!(desk.role(), RoomRole::Desk(AgentId::new("@alice:hs")));

        let conv = Marker::for_role(&RoomRole::Conversation(ConversationId(7)), "s1", Some(Timestamp(42)))
            .expect("conversation");
        assert_eq!(
            serde_json::to_value(&conv).expect("json"),
            serde_json::json!({"role": "conversation", "conversation": 7, "opened_at": 42, "store": "s1"})
        );
        assert_eq!(conv.role(), RoomRole::Conversation(ConversationId(7)));
        // A conversation's marker needs its opening time.
        assert_eq!(
            Marker::for_role(&RoomRole::Conversation(ConversationId(7)), "s1", None),
            None
        );
    }

    #[test]
    fn a_malformed_or_foreign_marker_is_no_marker() {
        for bad in [
            serde_json::json!({}),
            serde_json::json!({"role": "desk", "agent": "alice", "store": "s1"}),
            serde_json::json!({"role": "lobby", "store": "s1"}),
            serde_json::json!({"role": "conversation", "conversation": "7", "opened_at": 1, "store": "s1"}),
            serde_json::json!({"role": "desk", "agent": "@a:hs", "store": "s1", "extra": 1}),
        ] {
            assert!(serde_json::from_value::<Marker>(bad.clone()).is_err(), "{bad}");
        }
    }
}
