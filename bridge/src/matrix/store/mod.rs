//! What the bot remembers, in its own small store under
//! `<storage.path>/matrix`: desk and conversation rooms, the sync token (so
//! a restart misses no command), the event-feed cursor (so a Matrix outage
//! delays notices and loses none), its login (so a restart is the same
//! device, and a repeated post the same request), which Matrix event
//! carried which reply (for delivery reactions), which message shows
//! each open offer; modules keep their own keys through `get`/`put`
//! (`media::from_customer`: where customers' attachments were uploaded, and those
//! still to be shown; `ghosts`: customers' ghosts in appservice mode).
//!
//! Writes are staged in memory and made durable together by `flush` (one
//! `fdatasync` per handled batch, on a blocking thread); reads see staged
//! writes. The store records the identity of the engine store it belongs
//! to: a bot store from another event log (a restored or wiped
//! `storage.path`) is detected at open and rebuilt, never trusted.
//! Values are typed (`OwnedRoomId`, `OwnedEventId`, `ReplyRef`); one that
//! does not parse is an error, not a silent skip.

mod ghosts;

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use matrix_sdk::authentication::matrix::MatrixSession;
use matrix_sdk::ruma::{EventId, OwnedEventId, OwnedRoomId, RoomId};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use smsdesk_core::{AgentId, ConversationId, MessageId};
use smsdesk_engine::store::{KvStore, SledStore, StoreError, WriteSet};

use crate::matrix::texts::buttons::Button;
use crate::matrix::texts::card::OfferCard;
pub use ghosts::GhostRecord;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// What one of the bot's rooms is for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RoomRole {
    Desk(AgentId),
    Conversation(ConversationId),
    /// A `[[supervisors]]` entry's room with the bot (their Matrix id).
    Supervisor(String),
}

/// The Matrix event an agent's reply came from: where its delivery
/// reactions go. Travels through the engine as an opaque string
/// (`Command::Reply::reference`), `"<room id> <event id>"`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyRef {
    pub room: OwnedRoomId,
    pub event: OwnedEventId,
}

impl ReplyRef {
    pub fn to_reference(&self) -> String {
        format!("{} {}", self.room, self.event)
    }

    pub fn parse(reference: &str) -> Option<Self> {
        let (room, event) = reference.split_once(' ')?;
        Some(Self {
            room: OwnedRoomId::try_from(room).ok()?,
            event: OwnedEventId::try_from(event).ok()?,
        })
    }
}

/// The desk-room message showing an open offer, and what it shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredOffer {
    pub room: OwnedRoomId,
    pub event: OwnedEventId,
    pub card: OfferCard,
}

/// How the store relates to the engine's event log, found at open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Adopted {
    /// It belongs to this event log.
    Same,
    /// A store from before identities (the older layout): taken over.
    Legacy,
    /// There was none: the feed starts at the log's end (`next_seq`), so an
    /// existing history is not posted again.
    New,
    /// It was made for another event log: everything tied to events was
    /// dropped and the feed starts at `next_seq`.
    Rebuilt { reason: String },
}

pub struct BotStore {
    /// sled under `storage.path/matrix` on one machine; the shared
    /// `smsdesk_bot_kv` table on PostgreSQL, so a new leader goes on.
    kv: Arc<dyn KvStore + Send + Sync>,
    staged: Mutex<WriteSet>,
    /// Held from taking the staged writes until they are committed: one
    /// flush at a time, so an older value never lands after a newer one,
    /// and a flush that finds nothing staged returns only once what an
    /// earlier flush took is durable.
    flushing: Mutex<()>,
    /// What the flush in progress is committing: still read from here
    /// until it is in the store.
    in_flight: Mutex<WriteSet>,
    /// Whether the store was new or rebuilt at open (offer cards were lost).
    rebuilt: bool,
}

const IDENTITY: &str = "identity";
const CURSOR: &str = "cursor";
const SYNC_TOKEN: &str = "sync_token";
const SESSION: &str = "session";
/// Keys tied to the event log (conversation ids, message ids, cards; and
/// `room/` entries of conversation rooms); the desk rooms, the sync token
/// and the login are about Matrix and stay.
const EVENT_LOG_PREFIXES: &[&str] = &[
    "conv/",
    "history/",
    "reply/",
    "offer/",
    "button/",
    "media/",
    "media-pending/",
    CURSOR,
];

/// The bot store's page cache: it holds room and card ids, a few hundred
/// bytes per conversation.
const CACHE_MIB: u64 = 16;

impl std::fmt::Debug for BotStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BotStore")
            .field("rebuilt", &self.rebuilt)
            .finish_non_exhaustive()
    }
}

impl BotStore {
    /// Opens the store in `dir` for the engine store `identity`, whose next
    /// event is `next_seq`.
    pub fn open(dir: &Path, identity: &str, next_seq: u64) -> Result<(Self, Adopted)> {
        Self::open_on(
            Arc::new(SledStore::open_with_cache(dir, CACHE_MIB)?),
            identity,
            next_seq,
        )
    }

    /// The same on `kv` (the shared table of a PostgreSQL deployment).
    pub fn open_on(kv: Arc<dyn KvStore + Send + Sync>, identity: &str, next_seq: u64) -> Result<(Self, Adopted)> {
        let mut store = Self {
            kv,
            staged: Mutex::new(WriteSet::default()),
            flushing: Mutex::new(()),
            in_flight: Mutex::new(WriteSet::default()),
            rebuilt: false,
        };
        let adopted = store.adopt(identity, next_seq)?;
        store.rebuilt = matches!(adopted, Adopted::New | Adopted::Rebuilt { .. });
        store.flush_blocking()?;
        Ok((store, adopted))
    }

    fn adopt(&self, identity: &str, next_seq: u64) -> Result<Adopted> {
        self.migrate_raw_values()?;
        let mine = self.get::<String>(IDENTITY)?;
        let cursor = self.get::<u64>(CURSOR)?;
        let adopted = match (mine.as_deref(), cursor) {
            (Some(id), Some(c)) if id == identity && c <= next_seq => Adopted::Same,
            (Some(id), None) if id == identity => Adopted::Same,
            (Some(id), Some(c)) if id == identity => Adopted::Rebuilt {
                reason: format!("its cursor {c} is past the end of the event log ({next_seq})"),
            },
            (Some(_), _) => Adopted::Rebuilt {
                reason: "it was made for another event log".to_owned(),
            },
            (None, Some(c)) if c <= next_seq => Adopted::Legacy,
            (None, Some(c)) => Adopted::Rebuilt {
                reason: format!("its cursor {c} is past the end of the event log ({next_seq})"),
            },
            (None, None) => Adopted::New,
        };
        if matches!(adopted, Adopted::Rebuilt { .. } | Adopted::New) {
            let mut w = WriteSet::default();
            for prefix in EVENT_LOG_PREFIXES {
                for (k, _) in self.kv.scan_prefix(prefix.as_bytes())? {
                    w.delete(k);
                }
            }
            for (k, v) in self.kv.scan_prefix(b"room/")? {
                if matches!(serde_json::from_slice(&v), Ok(RoomRole::Conversation(_))) {
                    w.delete(k);
                }
            }
            self.kv.commit(&w)?;
            self.put(CURSOR, &next_seq);
        }
        self.put(IDENTITY, &identity.to_owned());
        Ok(adopted)
    }

    /// Stores written before identities kept some values as raw text
    /// (room ids, the sync token, `"<room> <event>"` references): rewrite
    /// them as JSON, which is how every value is kept now.
    fn migrate_raw_values(&self) -> Result<()> {
        let mut w = WriteSet::default();
        for (k, v) in self.kv.scan_prefix(b"")? {
            if serde_json::from_slice::<serde_json::Value>(&v).is_ok() {
                continue;
            }
            let raw = String::from_utf8_lossy(&v).into_owned();
            let value = if k.starts_with(b"reply/") {
                match ReplyRef::parse(&raw) {
                    Some(reply) => serde_json::to_vec(&reply),
                    None => continue,
                }
            } else {
                serde_json::to_vec(&raw)
            };
            if let Ok(value) = value {
                w.put(k, value);
            }
        }
        if !w.is_empty() {
            self.kv.commit(&w)?;
        }
        Ok(())
    }

    /// Whether the store was new or rebuilt when opened.
    pub fn was_rebuilt(&self) -> bool {
        self.rebuilt
    }

    pub(super) fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        let pending = |set: &Mutex<WriteSet>| {
            set.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .writes
                .get(key.as_bytes())
                .cloned()
        };
        // Newest first: staged, then what a flush is committing, then the store.
        let bytes = match pending(&self.staged).or_else(|| pending(&self.in_flight)) {
            Some(value) => value,
            None => self.kv.get(key.as_bytes())?,
        };
        bytes
            .map(|v| {
                serde_json::from_slice(&v).map_err(|e| StoreError::Corrupt {
                    key: key.to_owned(),
                    message: e.to_string(),
                })
            })
            .transpose()
    }

    /// Stages a write; durable at the next `flush`.
    pub(super) fn put<T: Serialize>(&self, key: &str, value: &T) {
        // Our own types serialize infallibly to JSON.
        let bytes = serde_json::to_vec(value).unwrap_or_default();
        self.staged
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .put(key.as_bytes().to_vec(), bytes);
    }

    /// The durable keys under `prefix` (staged writes not included: for
    /// what to resume at start, after the last flush).
    pub(super) fn durable_keys(&self, prefix: &str) -> Result<Vec<String>> {
        Ok(self
            .kv
            .scan_prefix(prefix.as_bytes())?
            .into_iter()
            .map(|(k, _)| String::from_utf8_lossy(&k).into_owned())
            .collect())
    }

    pub(super) fn delete(&self, key: &str) {
        self.staged
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .delete(key.as_bytes().to_vec());
    }

    /// Makes every staged write durable in one commit, off the async
    /// runtime. On failure the writes stay staged (and visible) for the
    /// next flush.
    pub async fn flush(self: &Arc<Self>) -> Result<()> {
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.flush_blocking())
            .await
            .unwrap_or_else(|join| Err(StoreError::Io(std::io::Error::other(join.to_string()))))
    }

    fn flush_blocking(&self) -> Result<()> {
        let _one_at_a_time = self.flushing.lock().unwrap_or_else(PoisonError::into_inner);
        // Moved to `in_flight` under the staged lock, so a read always finds them.
        let writes = {
            let mut staged = self.staged.lock().unwrap_or_else(PoisonError::into_inner);
            let writes = std::mem::take(&mut *staged);
            self.in_flight
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone_from(&writes);
            writes
        };
        if writes.is_empty() {
            return Ok(());
        }
        let result = self.kv.commit(&writes);
        let mut staged = self.staged.lock().unwrap_or_else(PoisonError::into_inner);
        std::mem::take(&mut *self.in_flight.lock().unwrap_or_else(PoisonError::into_inner));
        if result.is_err() {
            // Put them back under anything staged meanwhile (newer wins).
            let newer = std::mem::replace(&mut *staged, writes);
            staged.writes.extend(newer.writes);
        }
        result
    }

    /// Durable writes so far (for tests and metrics).
    pub fn syncs(&self) -> u64 {
        self.kv.syncs()
    }

    pub fn desk_room(&self, agent: &AgentId) -> Result<Option<OwnedRoomId>> {
        self.get(&format!("desk/{agent}"))
    }

    pub fn conversation_room(&self, id: ConversationId) -> Result<Option<OwnedRoomId>> {
        self.get(&format!("conv/{id}"))
    }

    pub fn role(&self, room: &RoomId) -> Result<Option<RoomRole>> {
        self.get(&format!("room/{room}"))
    }

    pub fn set_desk_room(&self, agent: &AgentId, room: &RoomId) {
        self.put(&format!("desk/{agent}"), &room.to_owned());
        self.put(&format!("room/{room}"), &RoomRole::Desk(agent.clone()));
    }

    pub fn set_language(&self, user: &str, lang: &crate::i18n::Lang) {
        self.put(&format!("lang/{user}"), lang);
    }

    /// Every `!language` choice kept, by user (read at start; the bot and
    /// the pages then look them up in `AppState::languages`).
    pub fn languages(&self) -> Result<Vec<(String, crate::i18n::Lang)>> {
        let mut all = Vec::new();
        for key in self.durable_keys("lang/")? {
            if let Some(lang) = self.get(&key)? {
                all.push((key["lang/".len()..].to_owned(), lang));
            }
        }
        Ok(all)
    }

    pub fn supervisor_room(&self, user: &str) -> Result<Option<OwnedRoomId>> {
        self.get(&format!("supervisor/{user}"))
    }

    pub fn set_supervisor_room(&self, user: &str, room: &RoomId) {
        self.put(&format!("supervisor/{user}"), &room.to_owned());
        self.put(&format!("room/{room}"), &RoomRole::Supervisor(user.to_owned()));
    }

    pub fn set_conversation_room(&self, id: ConversationId, room: &RoomId) {
        self.put(&format!("conv/{id}"), &room.to_owned());
        self.put(&format!("room/{room}"), &RoomRole::Conversation(id));
    }

    /// Every room the bot made, with its role (durable entries).
    pub fn rooms(&self) -> Result<Vec<(OwnedRoomId, RoomRole)>> {
        let mut rooms = Vec::new();
        for key in self.durable_keys("room/")? {
            let Ok(room) = OwnedRoomId::try_from(&key["room/".len()..]) else {
                continue;
            };
            if let Some(role) = self.get::<RoomRole>(&key)? {
                rooms.push((room, role));
            }
        }
        Ok(rooms)
    }

    /// Records `key`; true the first time only.
    pub fn first_sight(&self, key: &str) -> Result<bool> {
        if self.get::<serde_json::Value>(key)?.is_some() {
            return Ok(false);
        }
        self.put(key, &true);
        Ok(true)
    }

    /// Whether the conversation room got its "history so far" notice.
    pub fn history_posted(&self, id: ConversationId) -> Result<bool> {
        Ok(self.get::<serde_json::Value>(&format!("history/{id}"))?.is_some())
    }

    pub fn set_history_posted(&self, id: ConversationId) {
        self.put(&format!("history/{id}"), &true);
    }

    pub fn sync_token(&self) -> Result<Option<String>> {
        self.get(SYNC_TOKEN)
    }

    pub fn set_sync_token(&self, token: &str) {
        self.put(SYNC_TOKEN, &token.to_owned());
    }

    /// The bot's saved login (device and access token).
    pub fn session(&self) -> Result<Option<MatrixSession>> {
        self.get(SESSION)
    }

    pub fn set_session(&self, session: &MatrixSession) {
        self.put(SESSION, session);
    }

    pub fn forget_session(&self) {
        self.delete(SESSION);
    }

    /// The next engine event sequence number to post. An error is an
    /// error: it is never taken for 0 (which would re-post the whole log).
    pub fn cursor(&self) -> Result<u64> {
        Ok(self.get(CURSOR)?.unwrap_or(0))
    }

    pub fn set_cursor(&self, next: u64) {
        self.put(CURSOR, &next);
    }

    pub fn reply_event(&self, message: MessageId) -> Result<Option<ReplyRef>> {
        self.get(&format!("reply/{message}"))
    }

    pub fn set_reply_event(&self, message: MessageId, reply: &ReplyRef) {
        self.put(&format!("reply/{message}"), reply);
    }

    pub fn offer(&self, id: ConversationId, agent: &AgentId) -> Result<Option<StoredOffer>> {
        self.get(&format!("offer/{id}/{agent}"))
    }

    pub fn set_offer(&self, id: ConversationId, agent: &AgentId, offer: &StoredOffer) {
        self.put(&format!("offer/{id}/{agent}"), offer);
    }

    pub fn remove_offer(&self, id: ConversationId, agent: &AgentId) {
        self.delete(&format!("offer/{id}/{agent}"));
    }

    /// What a bot message with reaction buttons is (`buttons`).
    pub fn button(&self, event: &EventId) -> Result<Option<Button>> {
        self.get(&format!("button/{event}"))
    }

    pub fn set_button(&self, event: &EventId, button: &Button) {
        self.put(&format!("button/{event}"), button);
    }
}

#[cfg(test)]
mod tests;
