//! What the bot remembers, in its own small store beside the engine's
//! (`<storage>/../matrix`): desk and conversation rooms, the sync token (so
//! a restart misses no command), the event-feed cursor
//! (so a Matrix outage delays notices and loses none), and which Matrix
//! event carried which reply (for delivery reactions), and which message
//! shows each open offer (refreshed while open, closed with its outcome).

use std::path::Path;

use serde::{Deserialize, Serialize};
use smsdesk_core::store::{KvStore, Result, SledStore, WriteSet};
use smsdesk_core::{AgentId, ConversationId, MessageId};

use super::bot::OfferCard;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RoomRole {
    Desk(AgentId),
    Conversation(ConversationId),
}

#[derive(Debug)]
pub struct BotStore {
    kv: SledStore,
}

impl BotStore {
    pub fn open(dir: &Path) -> Result<Self> {
        Ok(Self {
            kv: SledStore::open(dir)?,
        })
    }

    fn get_string(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .kv
            .get(key.as_bytes())?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    fn put(&self, pairs: &[(String, String)]) -> Result<()> {
        let mut w = WriteSet::default();
        for (k, v) in pairs {
            w.put(k.as_bytes().to_vec(), v.as_bytes().to_vec());
        }
        self.kv.commit(&w)
    }

    pub fn desk_room(&self, agent: &AgentId) -> Result<Option<String>> {
        self.get_string(&format!("desk/{agent}"))
    }

    pub fn conversation_room(&self, id: ConversationId) -> Result<Option<String>> {
        self.get_string(&format!("conv/{id}"))
    }

    pub fn role(&self, room: &str) -> Result<Option<RoomRole>> {
        Ok(self
            .get_string(&format!("room/{room}"))?
            .and_then(|v| serde_json::from_str(&v).ok()))
    }

    pub fn set_desk_room(&self, agent: &AgentId, room: &str) -> Result<()> {
        let role = serde_json::to_string(&RoomRole::Desk(agent.clone())).unwrap_or_default();
        self.put(&[
            (format!("desk/{agent}"), room.to_owned()),
            (format!("room/{room}"), role),
        ])
    }

    pub fn set_conversation_room(&self, id: ConversationId, room: &str) -> Result<()> {
        let role = serde_json::to_string(&RoomRole::Conversation(id)).unwrap_or_default();
        self.put(&[(format!("conv/{id}"), room.to_owned()), (format!("room/{room}"), role)])
    }

    /// Records `key`; true the first time only.
    pub fn first_sight(&self, key: &str) -> Result<bool> {
        if self.get_string(key)?.is_some() {
            return Ok(false);
        }
        self.put(&[(key.to_owned(), "1".to_owned())])?;
        Ok(true)
    }

    /// Whether the conversation room got its "history so far" notice.
    pub fn history_posted(&self, id: ConversationId) -> Result<bool> {
        Ok(self.get_string(&format!("history/{id}"))?.is_some())
    }

    pub fn set_history_posted(&self, id: ConversationId) -> Result<()> {
        self.put(&[(format!("history/{id}"), "1".to_owned())])
    }

    pub fn sync_token(&self) -> Result<Option<String>> {
        self.get_string("sync_token")
    }

    pub fn set_sync_token(&self, token: &str) -> Result<()> {
        self.put(&[("sync_token".to_owned(), token.to_owned())])
    }

    /// The next engine event sequence number to post.
    pub fn cursor(&self) -> Result<u64> {
        Ok(self.get_string("cursor")?.and_then(|v| v.parse().ok()).unwrap_or(0))
    }

    pub fn set_cursor(&self, next: u64) -> Result<()> {
        self.put(&[("cursor".to_owned(), next.to_string())])
    }

    pub fn reply_event(&self, message: MessageId) -> Result<Option<(String, String)>> {
        Ok(self
            .get_string(&format!("reply/{message}"))?
            .and_then(|v| v.split_once(' ').map(|(r, e)| (r.to_owned(), e.to_owned()))))
    }

    pub fn set_reply_event(&self, message: MessageId, room: &str, event: &str) -> Result<()> {
        self.put(&[(format!("reply/{message}"), format!("{room} {event}"))])
    }

    /// The desk-room message showing an offer to `agent`, and what it shows.
    pub fn offer(&self, id: ConversationId, agent: &AgentId) -> Result<Option<(String, String, OfferCard)>> {
        #[derive(Deserialize)]
        struct Stored {
            room: String,
            event: String,
            card: OfferCard,
        }
        Ok(self
            .get_string(&format!("offer/{id}/{agent}"))?
            .and_then(|v| serde_json::from_str::<Stored>(&v).ok())
            .map(|s| (s.room, s.event, s.card)))
    }

    pub fn set_offer(
        &self,
        id: ConversationId,
        agent: &AgentId,
        room: &str,
        event: &str,
        card: &OfferCard,
    ) -> Result<()> {
        let value = serde_json::json!({"room": room, "event": event, "card": card}).to_string();
        self.put(&[(format!("offer/{id}/{agent}"), value)])
    }

    pub fn remove_offer(&self, id: ConversationId, agent: &AgentId) -> Result<()> {
        let mut w = WriteSet::default();
        w.delete(format!("offer/{id}/{agent}").into_bytes());
        self.kv.commit(&w)
    }
}
