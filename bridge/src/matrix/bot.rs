//! The Matrix bot: logs in, keeps a desk room per roster agent, follows the
//! engine's event log to post offers and notices (a Matrix outage delays
//! them; the cursor only moves after a post succeeded), turns agents'
//! commands into engine commands, and relays plain text from a
//! conversation's agents to the customer.
//!
//! It runs its own `sync_once` loop (not `Client::sync`, which adds ~1 s per
//! round trip) from a persisted token, so a restart misses no command and
//! replays none, except the batch in hand at a crash (the token is saved
//! after it is handled); a replayed reply is recognised by its Matrix event
//! (`Command::Reply::reference`) and not sent again.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use matrix_sdk::config::SyncSettings;
use matrix_sdk::event_handler::Ctx;
use matrix_sdk::room::Room;
use matrix_sdk::ruma::api::client::filter::{FilterDefinition, RoomEventFilter};
use matrix_sdk::ruma::api::client::room::create_room::v3::{Request as CreateRoomRequest, RoomPreset};
use matrix_sdk::ruma::api::client::sync::sync_events::v3::Filter as SyncFilter;
use matrix_sdk::ruma::api::error::{ErrorBody, ErrorKind, StandardErrorBody};
use matrix_sdk::ruma::events::reaction::ReactionEventContent;
use matrix_sdk::ruma::events::relation::Annotation;
use matrix_sdk::ruma::events::room::member::{MembershipState, OriginalSyncRoomMemberEvent, StrippedRoomMemberEvent};
use matrix_sdk::ruma::events::room::message::sanitize::remove_plain_reply_fallback;
use matrix_sdk::ruma::events::room::message::{
    MessageType, OriginalSyncRoomMessageEvent, Relation, ReplacementMetadata, RoomMessageEventContent,
};
use matrix_sdk::ruma::{OwnedEventId, OwnedRoomId, OwnedUserId};
use matrix_sdk::{Client, RoomMemberships};
use smsdesk_core::event::ConferenceExit;
use smsdesk_core::model::Delivery;
use smsdesk_core::store::layout;
use smsdesk_core::{AgentId, Command, ConversationId, Event, EventRecord};

use super::commands::{self, Action, Room as CmdRoom};
use super::store::{BotStore, RoomRole};
use crate::config::{MatrixAuth, MatrixConfig};
use crate::server::AppState;

pub struct Bot {
    client: Client,
    app: Arc<AppState>,
    store: Arc<BotStore>,
    me: OwnedUserId,
    /// Held while an offer card is edited (refresh or close).
    cards: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Bot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bot").field("me", &self.me).finish()
    }
}

/// Opens the bot's store (once per process: it is kept across logins).
pub fn open_store(app: &AppState) -> anyhow::Result<Arc<BotStore>> {
    let dir = app.config.storage.with_file_name("matrix");
    Ok(Arc::new(BotStore::open(&dir).with_context(|| {
        format!("opening the bot store at {}", dir.display())
    })?))
}

/// Logs in and prepares the bot; `run` then serves until the login is refused.
pub async fn start(app: Arc<AppState>, config: &MatrixConfig, store: Arc<BotStore>) -> anyhow::Result<Arc<Bot>> {
    let client = Client::builder()
        .homeserver_url(&config.homeserver)
        .build()
        .await
        .with_context(|| format!("cannot reach the homeserver {}", config.homeserver))?;
    match &config.auth {
        MatrixAuth::Password(password) => {
            client
                .matrix_auth()
                .login_username(&config.user, password)
                .initial_device_display_name("smsdesk")
                .send()
                .await
                .with_context(|| format!("login as {} failed", config.user))?;
        }
        MatrixAuth::AccessToken(token) => {
            // The session needs the device id the token belongs to: ask the homeserver.
            #[derive(serde::Deserialize)]
            struct WhoAmI {
                user_id: String,
                device_id: Option<String>,
            }
            let url = format!(
                "{}/_matrix/client/v3/account/whoami",
                config.homeserver.trim_end_matches('/')
            );
            let who: WhoAmI = reqwest::Client::new()
                .get(&url)
                .bearer_auth(token)
                .send()
                .await
                .with_context(|| format!("cannot reach {url}"))?
                .error_for_status()
                .context("the homeserver refused matrix.access_token")?
                .json()
                .await?;
            if who.user_id != config.user {
                anyhow::bail!(
                    "matrix.access_token belongs to {}, not matrix.user {}",
                    who.user_id,
                    config.user
                );
            }
            let session = matrix_sdk::authentication::matrix::MatrixSession {
                meta: matrix_sdk::SessionMeta {
                    user_id: OwnedUserId::try_from(who.user_id.as_str())?,
                    device_id: who.device_id.unwrap_or_else(|| "SMSDESK".to_owned()).into(),
                },
                tokens: matrix_sdk::SessionTokens {
                    access_token: token.clone(),
                    refresh_token: None,
                },
            };
            client
                .matrix_auth()
                .restore_session(session, matrix_sdk::store::RoomLoadSettings::default())
                .await
                .context("restoring the session from matrix.access_token failed")?;
        }
    }
    let me = client.user_id().context("logged in without a user id")?.to_owned();
    Ok(Arc::new(Bot {
        client,
        app,
        store,
        me,
        cards: tokio::sync::Mutex::new(()),
    }))
}

impl Bot {
    /// Syncs, keeps desk rooms, posts notices. Never returns unless the client fails for good.
    pub async fn run(self: Arc<Self>) {
        // matrix-sdk keeps room state in memory only (no state store), and
        // a sync from a token only mentions rooms with news. So the first
        // sync after a restart asks for the full state of every joined room
        // along with the timeline since the saved token: the bot knows all
        // its rooms, and commands sent while smsdesk was down are handled.
        // On the very first start there is no token: one full sync without
        // handlers learns the rooms and skips the history.
        let token = match self.store.sync_token() {
            Ok(Some(token)) => token,
            _ => {
                let initial = self.initial_sync().await;
                if let Err(error) = self.store.set_sync_token(&initial) {
                    tracing::error!(%error, "cannot save the sync token");
                }
                initial
            }
        };
        // Up to TIMELINE_LIMIT events per room and sync, so that messages
        // sent while smsdesk was down are all handled after a restart; a room
        // where even more happened is told so (see `missed`).
        let mut timeline = RoomEventFilter::default();
        timeline.limit = Some(TIMELINE_LIMIT.into());
        let mut filter = FilterDefinition::default();
        filter.room.timeline = timeline;
        let mut settings = SyncSettings::default()
            .filter(SyncFilter::FilterDefinition(filter))
            .timeout(Duration::ZERO)
            .token(token)
            .full_state(true);
        self.client.add_event_handler_context(self.clone());
        self.client.add_event_handler(on_message);
        self.client.add_event_handler(on_invite);
        self.client.add_event_handler(on_member);
        // Tasks that post with this client; stopped if it must log in again.
        let mut tasks: Vec<tokio::task::JoinHandle<()>> = Vec::new();
        let mut backoff = Duration::from_millis(200);
        loop {
            match self.client.sync_once(settings.clone()).await {
                Ok(r) => {
                    backoff = Duration::from_millis(200);
                    self.app.homeserver_ok.store(true, std::sync::atomic::Ordering::Relaxed);
                    if let Err(error) = self.store.set_sync_token(&r.next_batch) {
                        tracing::error!(%error, "cannot save the sync token");
                    }
                    settings = settings
                        .token(r.next_batch)
                        .full_state(false)
                        .timeout(Duration::from_secs(10));
                    for (room, update) in &r.rooms.joined {
                        if update.timeline.limited {
                            self.missed(room).await;
                        }
                    }
                    if tasks.is_empty() {
                        // Now every room is known: posting can begin, once
                        // every agent has a desk room to be posted to.
                        let bot = self.clone();
                        tasks.push(tokio::spawn(async move {
                            bot.ensure_desk_rooms().await;
                            tokio::join!(bot.clone().project(), bot.clone().desk_rooms_loop());
                        }));
                        tasks.push(tokio::spawn(self.clone().resume_offers()));
                    }
                }
                Err(error) if unauthorized(&error) => {
                    tracing::error!(%error, "the homeserver no longer accepts the bot's login; logging in again");
                    self.app
                        .homeserver_ok
                        .store(false, std::sync::atomic::Ordering::Relaxed);
                    for task in tasks {
                        task.abort();
                    }
                    return;
                }
                Err(error) if settings_token_refused(&error) => {
                    // E.g. a homeserver restored from a backup: the saved
                    // position means nothing to it. Start afresh (history is
                    // skipped; agents resend what got no ✓).
                    tracing::error!(%error, ?backoff, "the homeserver refused the saved sync position; starting from now");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(10));
                    let fresh = self.initial_sync().await;
                    if let Err(error) = self.store.set_sync_token(&fresh) {
                        tracing::error!(%error, "cannot save the sync token");
                    }
                    settings = settings.token(fresh).full_state(true).timeout(Duration::ZERO);
                }
                Err(error) => {
                    self.app
                        .homeserver_ok
                        .store(false, std::sync::atomic::Ordering::Relaxed);
                    tracing::warn!(%error, ?backoff, "sync failed; homeserver unreachable? retrying");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(10));
                }
            }
        }
    }

    /// More happened in one of our rooms than one sync returns (smsdesk was
    /// down a long time): what was cut off was not handled. Say so there.
    async fn missed(&self, room: &OwnedRoomId) {
        let Some(room) = self.room(room.as_str()) else { return };
        if !matches!(self.store.role(room.room_id().as_str()), Ok(Some(_))) {
            return;
        }
        tracing::warn!(room = %room.room_id(), "more messages than one sync holds; the oldest were not handled");
        let _ = self
            .notice(
                &room,
                "smsdesk was away and could read only the latest messages sent here meanwhile. \
                 Older ones without a ✓ reaction did not reach the customer, and older commands \
                 were not done: please send them again.",
            )
            .await;
    }

    /// A full sync with one timeline event per room (state is what matters),
    /// retried with backoff until the homeserver answers; its `next_batch`.
    async fn initial_sync(&self) -> String {
        let mut timeline = RoomEventFilter::default();
        timeline.limit = Some(1u32.into());
        let mut filter = FilterDefinition::default();
        filter.room.timeline = timeline;
        let settings = SyncSettings::default().filter(SyncFilter::FilterDefinition(filter));
        let mut backoff = Duration::from_millis(200);
        loop {
            match self.client.sync_once(settings.clone()).await {
                Ok(r) => return r.next_batch,
                Err(error) => {
                    self.app
                        .homeserver_ok
                        .store(false, std::sync::atomic::Ordering::Relaxed);
                    tracing::warn!(%error, ?backoff, "first sync failed; homeserver unreachable? retrying");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(10));
                }
            }
        }
    }

    /// Creates missing desk rooms every 30 s (after the first pass at
    /// start), off the sync loop: an agent on an unreachable server must not
    /// stall it.
    async fn desk_rooms_loop(self: Arc<Self>) {
        loop {
            tokio::time::sleep(Duration::from_secs(30)).await;
            self.ensure_desk_rooms().await;
        }
    }

    async fn ensure_desk_rooms(&self) {
        for agent in &self.app.config.roster {
            // A desk room the bot is no longer in (removed, or the room is
            // gone) is as good as none: make a new one.
            if matches!(self.store.desk_room(&agent.id), Ok(Some(r)) if self.room(&r).is_some()) {
                continue;
            }
            let Ok(user) = OwnedUserId::try_from(agent.id.as_str()) else {
                continue;
            };
            let mut request = CreateRoomRequest::new();
            request.invite = vec![user];
            request.is_direct = true;
            // A direct chat, but one the agent cannot reconfigure (power
            // level 0): no renaming, and above all no turning on encryption,
            // which this bot cannot read yet.
            request.preset = Some(RoomPreset::PrivateChat);
            request.name = Some(format!("smsdesk desk — {}", agent.name));
            match tokio::time::timeout(Duration::from_secs(15), self.client.create_room(request)).await {
                Err(_) => tracing::warn!(agent = %agent.id, "creating the desk room timed out; will retry"),
                Ok(Err(error)) => tracing::warn!(agent = %agent.id, %error, "cannot create the desk room yet"),
                Ok(Ok(room)) => {
                    let _ = self.store.set_desk_room(&agent.id, room.room_id().as_str());
                    let _ = room
                        .send(RoomMessageEventContent::notice_plain(format!(
                            "Hello {}! This is your smsdesk desk. Offers arrive here. Say !available to start, !help for commands.",
                            agent.name
                        )))
                        .await;
                    tracing::info!(agent = %agent.id, room = %room.room_id(), "desk room created");
                }
            }
        }
    }

    /// One of the bot's rooms, if it is still in it (it leaves closed conversations).
    fn room(&self, id: &str) -> Option<Room> {
        let id = OwnedRoomId::try_from(id).ok()?;
        self.client
            .get_room(&id)
            .filter(|r| r.state() == matrix_sdk::RoomState::Joined)
    }

    async fn notice(&self, room: &Room, text: impl Into<String>) -> matrix_sdk::Result<()> {
        room.send(RoomMessageEventContent::notice_plain(text.into()))
            .await
            .map(|_| ())
    }

    fn desk_room(&self, agent: &AgentId) -> anyhow::Result<Room> {
        match self.store.desk_room(agent)?.and_then(|r| self.room(&r)) {
            Some(room) => Ok(room),
            None => Err(NoDeskRoom(agent.clone()).into()),
        }
    }

    async fn desk_notice(&self, agent: &AgentId, text: String) -> anyhow::Result<()> {
        self.notice(&self.desk_room(agent)?, text).await?;
        Ok(())
    }

    /// Follows the engine's event log from the saved cursor and posts each event.
    async fn project(self: Arc<Self>) {
        let mut backoff = Duration::from_millis(200);
        loop {
            let cursor = self.store.cursor().unwrap_or(0);
            let app = self.app.clone();
            let batch = tokio::task::spawn_blocking(move || {
                app.committer
                    .query(move |e| layout::events_from(e.store(), cursor, 100))
            })
            .await
            .ok()
            .flatten();
            let records = match batch {
                Some(Ok(r)) => r,
                Some(Err(error)) => {
                    tracing::error!(%error, "cannot read the event log");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
                None => return,
            };
            if records.is_empty() {
                tokio::select! {
                    _ = self.app.feed_wake.notified() => {}
                    _ = tokio::time::sleep(Duration::from_millis(300)) => {}
                }
                continue;
            }
            for record in records {
                match self.post(&record).await {
                    Ok(()) => {
                        backoff = Duration::from_millis(200);
                        let _ = self.store.set_cursor(record.seq + 1);
                    }
                    Err(error) if is_permanent(&error) => {
                        tracing::error!(seq = record.seq, error = %format!("{error:#}"), "the homeserver refused a post; skipping it");
                        let _ = self.store.set_cursor(record.seq + 1);
                    }
                    Err(error) => {
                        tracing::warn!(seq = record.seq, %error, ?backoff, "cannot post to Matrix yet; will retry");
                        tokio::time::sleep(backoff).await;
                        backoff = (backoff * 2).min(Duration::from_secs(10));
                        break;
                    }
                }
            }
        }
    }

    async fn conversation_room(&self, id: ConversationId) -> anyhow::Result<Option<Room>> {
        Ok(self.store.conversation_room(id)?.and_then(|r| self.room(&r)))
    }

    /// Posts one engine event where agents need to see it.
    async fn post(self: &Arc<Self>, record: &EventRecord) -> anyhow::Result<()> {
        let app = self.app.clone();
        let conversation = match record.event.conversation() {
            Some(id) => {
                tokio::task::spawn_blocking(move || app.committer.query(move |e| layout::conversation(e.store(), id)))
                    .await?
                    .transpose()?
                    .flatten()
            }
            None => None,
        };
        if let Event::ConferenceLeft {
            conversation: id,
            agent,
            why,
        } = &record.event
        {
            // An invitation not answered yet is closed with how it ended.
            let outcome = match why {
                ConferenceExit::Declined => "declined",
                ConferenceExit::Expired => "not answered in time",
                ConferenceExit::Withdrawn => "withdrawn: you are no longer available",
                ConferenceExit::ConversationMoved => "withdrawn: the conversation was ended or transferred",
                ConferenceExit::Ended => "ended",
            };
            self.close_offer(*id, agent, outcome).await;
        }
        match &record.event {
            Event::AgentStatusChanged { agent, status } => {
                self.desk_notice(agent, format!("You are now {status}.")).await?;
            }
            Event::Offered { agent, deadline, .. } => {
                let Some(c) = conversation else { return Ok(()) };
                self.post_offer(record.at, &c, agent, *deadline, None).await?;
            }
            Event::TransferredToAgent {
                conversation: id,
                from,
                to,
                deadline,
            } => {
                if let Some(room) = self.conversation_room(*id).await? {
                    self.notice(&room, record.event.describe()).await?;
                    self.release_room(&room, &record.event).await;
                }
                let Some(c) = conversation else { return Ok(()) };
                self.post_offer(record.at, &c, to, *deadline, Some(format!("transfer from {from}")))
                    .await?;
            }
            Event::OfferAccepted {
                conversation: id,
                agent,
            } => {
                self.close_offer(*id, agent, "accepted").await;
                let room = self
                    .open_conversation_room(*id, agent, conversation.as_ref(), record.seq)
                    .await?;
                self.desk_notice(agent, format!("You accepted #{id}; it is in room {}.", room.room_id()))
                    .await?;
            }
            Event::OfferDeclined {
                conversation: id,
                agent,
            } => {
                self.close_offer(*id, agent, "declined").await;
                self.desk_notice(agent, format!("You declined #{id}.")).await?;
            }
            Event::OfferTimedOut {
                conversation: id,
                agent,
            } => {
                self.close_offer(*id, agent, "not answered in time").await;
                self.desk_notice(
                    agent,
                    format!("Offer #{id} timed out: you are now RONA. Say !available when you are back."),
                )
                .await?;
            }
            Event::ConferenceRequested {
                conversation: id,
                by,
                agent,
                deadline,
            } => {
                if let Some(c) = &conversation {
                    let via = format!("conference: {by} invites you");
                    self.post_offer(record.at, c, agent, *deadline, Some(via)).await?;
                }
                if let Some(room) = self.conversation_room(*id).await? {
                    self.notice(&room, format!("Conference requested with {agent}."))
                        .await?;
                }
            }
            Event::ConferenceJoined {
                conversation: id,
                agent,
            } => {
                self.close_offer(*id, agent, "accepted").await;
                if let Some(room) = self.conversation_room(*id).await? {
                    if let Ok(user) = OwnedUserId::try_from(agent.as_str()) {
                        let _ = room.invite_user_by_id(&user).await;
                    }
                    self.notice(&room, format!("{agent} joined the conference.")).await?;
                }
            }
            Event::MessageReceived { conversation: id, sms } => {
                if let Some(room) = self.conversation_room(*id).await? {
                    self.notice(&room, customer_line(sms)).await?;
                }
            }
            Event::Ended { conversation: id, .. } => {
                if let Some(room) = self.conversation_room(*id).await? {
                    let reasons = self
                        .app
                        .config
                        .queues
                        .iter()
                        .find(|q| conversation.as_ref().is_some_and(|c| c.queue == q.setup.name))
                        .map(|q| q.setup.wrapup_reasons.clone())
                        .unwrap_or_default();
                    let list: Vec<String> = reasons
                        .iter()
                        .enumerate()
                        .map(|(i, r)| format!("{}. {r}", i + 1))
                        .collect();
                    self.notice(
                        &room,
                        format!(
                            "Conversation ended. Wrap up with !wrapup <number or text>: {}",
                            list.join("; ")
                        ),
                    )
                    .await?;
                }
            }
            Event::SmsSent { message_id, .. }
            | Event::DeliveryUpdated { message_id, .. }
            | Event::SmsFailed { message_id, .. } => {
                let mark = match &record.event {
                    Event::SmsSent { .. } => "✓ sent",
                    Event::DeliveryUpdated {
                        status: Delivery::Delivered | Delivery::Read,
                        ..
                    } => "✅ delivered",
                    Event::DeliveryUpdated {
                        status: Delivery::Failed,
                        ..
                    }
                    | Event::SmsFailed { .. } => "❌ failed",
                    _ => return Ok(()),
                };
                let failed = mark == "❌ failed";
                let target = self.store.reply_event(*message_id)?.and_then(|(room_id, event_id)| {
                    Some((self.room(&room_id)?, OwnedEventId::try_from(event_id.as_str()).ok()?))
                });
                match target {
                    Some((room, event)) => {
                        room.send(ReactionEventContent::new(Annotation::new(event, mark.to_owned())))
                            .await?;
                        if failed {
                            self.notice(&room, record.event.describe()).await?;
                        }
                    }
                    // The conversation's room is closed (late news for a reply
                    // still being retried, or a late carrier report): a failure
                    // still reaches its author, in their desk room.
                    None if failed => {
                        let (id, message) = (record.event.conversation(), *message_id);
                        let app = self.app.clone();
                        let author = tokio::task::spawn_blocking(move || {
                            let id = id?;
                            let history = app.committer.query(move |e| layout::history(e.store(), id))?.ok()?;
                            history.into_iter().find_map(|r| match r.event {
                                Event::ReplyAccepted { message_id, agent, .. } if message_id == message => Some(agent),
                                _ => None,
                            })
                        })
                        .await?;
                        if let (Some(agent), Some(id)) = (author, id) {
                            let with = conversation
                                .as_ref()
                                .map(|c| format!(" with {}", c.customer))
                                .unwrap_or_default();
                            self.desk_notice(
                                &agent,
                                format!("Conversation #{id}{with} (closed): {}", record.event.describe()),
                            )
                            .await?;
                        }
                    }
                    None => {}
                }
            }
            Event::ReplyAccepted {
                message_id,
                reference: Some(reference),
                ..
            } => {
                // Remembered in log order, so it is known before any delivery news.
                if let Some((room, event)) = reference.split_once(' ') {
                    self.store.set_reply_event(*message_id, room, event)?;
                }
            }
            Event::OfferWithdrawn {
                conversation: id,
                agent,
            } => {
                self.close_offer(*id, agent, "withdrawn: you are no longer available")
                    .await;
            }
            Event::ReplyAccepted { .. } | Event::ConversationOpened { .. } => {}
            other => {
                if let Some(id) = other.conversation() {
                    if let Some(room) = self.conversation_room(id).await? {
                        self.notice(&room, other.describe()).await?;
                        // The room's name says the queue: keep it true.
                        if let (Event::TransferredToQueue { queue, .. }, Some(c)) = (other, &conversation) {
                            if let Err(error) = room.set_name(format!("{} · {queue}", c.customer)).await {
                                tracing::warn!(room = %room.room_id(), %error, "cannot rename a conversation room");
                            }
                        }
                        self.release_room(&room, other).await;
                    }
                }
            }
        }
        Ok(())
    }

    /// Posts an offer card in the agent's desk room and keeps it current.
    async fn post_offer(
        self: &Arc<Self>,
        at: smsdesk_core::Timestamp,
        c: &smsdesk_core::model::Conversation,
        agent: &AgentId,
        deadline: smsdesk_core::Timestamp,
        via: Option<String>,
    ) -> anyhow::Result<()> {
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
            customer: c.customer.to_string(),
            entry: c.entry.to_string(),
            kind: kind.to_owned(),
            opened_at: c.opened_at,
            deadline,
            via,
        };
        let room = self.desk_room(agent)?;
        let sent = room.send(RoomMessageEventContent::notice_plain(card.open(at))).await?;
        let event_id = sent.response.event_id;
        self.store
            .set_offer(c.id, agent, room.room_id().as_str(), event_id.as_str(), &card)?;
        tokio::spawn(self.clone().watch_offer(card, agent.clone(), room, event_id));
        Ok(())
    }

    /// Edits an open offer's waiting time in place every `OFFER_TICK` until it is answered.
    async fn watch_offer(self: Arc<Self>, card: OfferCard, agent: AgentId, room: Room, event_id: OwnedEventId) {
        loop {
            tokio::time::sleep(OFFER_TICK).await;
            // One card edit at a time, so a refresh never lands after the closing edit.
            let _cards = self.cards.lock().await;
            // Still the current card? (Not closed, nor replaced by a new offer to the same agent.)
            if !matches!(self.store.offer(card.id, &agent), Ok(Some((_, e, _))) if e == event_id.as_str()) {
                return;
            }
            let (a, id) = (agent.clone(), card.id);
            let open = self
                .read(move |s| smsdesk_core::decide::pending_for(s, &a).iter().any(|(c, _)| *c == id))
                .await
                .unwrap_or(false);
            if !open {
                return;
            }
            let edit = RoomMessageEventContent::notice_plain(card.open(smsdesk_core::Timestamp::now()))
                .make_replacement(ReplacementMetadata::new(event_id.clone(), None));
            if let Err(error) = room.send(edit).await {
                tracing::debug!(%error, "cannot refresh an offer's waiting time; trying again at the next tick");
            }
        }
    }

    /// Restarts the waiting-time refresh of offers that were open when smsdesk stopped.
    async fn resume_offers(self: Arc<Self>) {
        let agents: Vec<AgentId> = self.app.config.roster.iter().map(|a| a.id.clone()).collect();
        let open = self
            .read(move |s| {
                agents
                    .into_iter()
                    .flat_map(|a| {
                        smsdesk_core::decide::pending_for(s, &a)
                            .into_iter()
                            .map(move |(c, _)| (c, a.clone()))
                    })
                    .collect::<Vec<_>>()
            })
            .await
            .unwrap_or_default();
        for (id, agent) in open {
            if let Ok(Some((room, event, card))) = self.store.offer(id, &agent) {
                if let (Some(room), Ok(event)) = (self.room(&room), OwnedEventId::try_from(event.as_str())) {
                    tokio::spawn(self.clone().watch_offer(card, agent, room, event));
                }
            }
        }
    }

    /// Edits an answered offer's card to say how it ended (so no stale
    /// "reply within N s" stays in the desk room).
    /// Best effort: the outcome itself is also told in a notice.
    async fn close_offer(&self, id: ConversationId, agent: &AgentId, outcome: &str) {
        let _cards = self.cards.lock().await;
        let Ok(Some((room, event, card))) = self.store.offer(id, agent) else {
            return;
        };
        if let Err(error) = self.store.remove_offer(id, agent) {
            tracing::warn!(%error, "cannot forget a closed offer card");
        }
        if let (Some(room), Ok(event)) = (self.room(&room), OwnedEventId::try_from(event.as_str())) {
            let edit = RoomMessageEventContent::notice_plain(card.closed(outcome))
                .make_replacement(ReplacementMetadata::new(event, None));
            if let Err(error) = room.send(edit).await {
                tracing::warn!(%error, %agent, conversation = %id, "cannot mark an offer card {outcome}");
            }
        }
    }

    /// The conversation room follows who holds the conversation: an agent
    /// who transferred it away or left the conference is removed, and
    /// everyone is removed once it is closed (the history stays in their
    /// client), the bot leaving last. Best effort: a failure is logged, the
    /// feed goes on.
    async fn release_room(&self, room: &Room, event: &Event) {
        let (who, reason): (Vec<OwnedUserId>, String) = match event {
            Event::TransferredToQueue { from, .. } | Event::TransferredToAgent { from, .. } => (
                OwnedUserId::try_from(from.as_str()).into_iter().collect(),
                "you transferred this conversation".to_owned(),
            ),
            Event::ConferenceLeft { agent, .. } => (
                OwnedUserId::try_from(agent.as_str()).into_iter().collect(),
                "you left the conference".to_owned(),
            ),
            Event::WrappedUp { reason, .. } => {
                let members = match room.members(RoomMemberships::JOIN | RoomMemberships::INVITE).await {
                    Ok(m) => m,
                    Err(error) => {
                        tracing::warn!(room = %room.room_id(), %error, "cannot list the members of a closed conversation");
                        return;
                    }
                };
                (
                    members
                        .iter()
                        .map(|m| m.user_id().to_owned())
                        .filter(|u| u != &self.me)
                        .collect(),
                    format!("conversation closed: {reason}"),
                )
            }
            _ => return,
        };
        for user in who {
            // Only members: an invited agent who never joined has nothing to leave.
            let member = room.get_member_no_sync(&user).await.ok().flatten();
            if !member.is_some_and(|m| matches!(m.membership(), MembershipState::Join | MembershipState::Invite)) {
                continue;
            }
            if let Err(error) = room.kick_user(&user, Some(&reason)).await {
                tracing::warn!(room = %room.room_id(), %user, %error, "cannot remove an agent from a conversation room");
            }
        }
        // A closed conversation's room is done with: the bot leaves too, so
        // its rooms stay few (and its start-up sync small).
        if matches!(event, Event::WrappedUp { .. }) {
            if let Err(error) = room.leave().await {
                tracing::warn!(room = %room.room_id(), %error, "cannot leave a closed conversation's room");
            }
        }
    }

    /// The conversation's room, created at its first accept with the history
    /// up to event `upto` (later events are posted by the feed itself).
    async fn open_conversation_room(
        &self,
        id: ConversationId,
        agent: &AgentId,
        conversation: Option<&smsdesk_core::model::Conversation>,
        upto: u64,
    ) -> anyhow::Result<Room> {
        let user = OwnedUserId::try_from(agent.as_str())?;
        let room = match self.conversation_room(id).await? {
            Some(room) => {
                let _ = room.invite_user_by_id(&user).await;
                if self.store.history_posted(id)? {
                    self.notice(&room, format!("{agent} now owns this conversation."))
                        .await?;
                    return Ok(room);
                }
                // Created by an earlier attempt whose history post failed.
                room
            }
            None => {
                let mut request = CreateRoomRequest::new();
                request.invite = vec![user];
                request.preset = Some(RoomPreset::PrivateChat);
                request.name = conversation.map(|c| format!("{} · {}", c.customer, c.queue));
                let room = self.client.create_room(request).await?;
                self.store.set_conversation_room(id, room.room_id().as_str())?;
                room
            }
        };
        // The history so far.
        let app = self.app.clone();
        let history = tokio::task::spawn_blocking(move || app.committer.query(move |e| layout::history(e.store(), id)))
            .await?
            .transpose()?
            .unwrap_or_default();
        let lines: Vec<String> = history
            .iter()
            .filter(|r| r.seq < upto)
            .filter_map(|r| match &r.event {
                Event::MessageReceived { sms, .. } => Some(customer_line(sms)),
                Event::ReplyAccepted { agent, body, .. } => Some(format!("{agent}: {body}")),
                _ => None,
            })
            .collect();
        for text in history_notices(id, &lines, HISTORY_NOTICE_BYTES) {
            self.notice(&room, text).await?;
        }
        self.store.set_history_posted(id)?;
        Ok(room)
    }

    /// A message in one of our rooms.
    async fn handle(&self, room: Room, sender: &str, incoming: Incoming, event_id: OwnedEventId) -> anyhow::Result<()> {
        if sender == self.me.as_str() {
            return Ok(());
        }
        let Some(role) = self.store.role(room.room_id().as_str())? else {
            return Ok(());
        };
        let agent = AgentId::new(sender.to_owned());
        let on_roster = self.app.config.roster.iter().any(|a| a.id == agent);
        let cmd_room = match &role {
            RoomRole::Desk(owner) if owner != &agent => return Ok(()),
            RoomRole::Desk(_) => CmdRoom::Desk,
            RoomRole::Conversation(id) => CmdRoom::Conversation(*id),
        };
        if !on_roster {
            self.notice(&room, format!("{sender} is not on the agent roster: nothing was sent."))
                .await?;
            return Ok(());
        }
        let body = match (incoming, cmd_room) {
            (Incoming::Text(body), _) => body,
            (Incoming::Edit | Incoming::Unsupported(_), CmdRoom::Desk) => return Ok(()),
            (Incoming::Edit, CmdRoom::Conversation(_)) => {
                self.notice(
                    &room,
                    "Not sent: an SMS cannot be changed once sent, so edits do not reach the customer. Send a new message instead.",
                )
                .await?;
                return Ok(());
            }
            (Incoming::Unsupported(what), CmdRoom::Conversation(_)) => {
                self.notice(
                    &room,
                    format!("Not sent: {what} cannot be sent by SMS; only plain text reaches the customer."),
                )
                .await?;
                return Ok(());
            }
        };
        let body = body.as_str();
        if !commands::is_command(body) {
            let CmdRoom::Conversation(id) = cmd_room else {
                self.notice(&room, "This is your desk room: plain text goes nowhere. Try !help.")
                    .await?;
                return Ok(());
            };
            tracing::debug!(%event_id, conversation = %id, "relaying an agent's message");
            let reply = Command::Reply {
                agent,
                conversation: id,
                body: body.to_owned(),
                // Room and event, so delivery reactions land on this message.
                reference: Some(format!("{} {}", room.room_id(), event_id)),
            };
            if let Err(rejection) = self.app.execute(reply).await? {
                self.notice(&room, format!("Not sent: {rejection}")).await?;
            }
            return Ok(());
        }
        let parsed = commands::parse(body).and_then(|c| commands::action(c, &agent, cmd_room));
        let answer = match parsed {
            Err(why) => why,
            Ok(Action::Engine(command)) => match self.app.execute(command).await? {
                Ok(done) if done.records.is_empty() => "Nothing to change.".to_owned(),
                Ok(done) => done
                    .records
                    .iter()
                    .map(|r| r.event.describe())
                    .collect::<Vec<_>>()
                    .join("\n"),
                Err(rejection) => format!("Refused: {rejection}"),
            },
            Ok(Action::Help { topic }) => commands::help(topic.as_deref()),
            Ok(Action::Status) => self.read(move |s| status_text(s, &agent)).await?,
            Ok(Action::Queues) => self.read(queues_text).await?,
            Ok(Action::Agents { filter }) => self.read(move |s| agents_text(s, filter.as_deref())).await?,
        };
        self.notice(&room, answer).await?;
        Ok(())
    }
}

impl Bot {
    /// Reads the engine's live state on its thread.
    async fn read<R: Send + 'static>(
        &self,
        f: impl FnOnce(&smsdesk_core::State) -> R + Send + 'static,
    ) -> anyhow::Result<R> {
        let app = self.app.clone();
        tokio::task::spawn_blocking(move || app.committer.query(move |e| f(e.state())))
            .await?
            .context("the engine is not running")
    }
}

fn status_text(state: &smsdesk_core::State, agent: &AgentId) -> String {
    let Some(a) = state.agent(agent) else {
        return format!("{agent} is not on the agent roster.");
    };
    let mut lines = vec![format!(
        "You are {} — {} of {} conversation(s) in use.",
        a.status,
        state.load(agent),
        state.capacity(agent)
    )];
    for c in state.holdings(agent) {
        lines.push(format!("#{} {} · {} · {}", c.id, c.customer, c.queue, c.phase.label()));
    }
    lines.join("\n")
}

fn queues_text(state: &smsdesk_core::State) -> String {
    let waiting = state.waiting();
    let lines: Vec<String> = state
        .setup
        .queues
        .keys()
        .map(|q| {
            let n = waiting.iter().filter(|c| &c.queue == q).count();
            format!("{q}: {n} waiting")
        })
        .collect();
    format!("Queues (use with !transfer <queue>):\n{}", lines.join("\n"))
}

fn agents_text(state: &smsdesk_core::State, filter: Option<&str>) -> String {
    let filter = filter.map(str::to_lowercase);
    let lines: Vec<String> = state
        .setup
        .agents
        .values()
        .filter(|a| state.is_available(&a.id))
        .filter(|a| {
            filter
                .as_ref()
                .is_none_or(|f| a.name.to_lowercase().contains(f) || a.id.as_str().to_lowercase().contains(f))
        })
        .map(|a| format!("{} {} ({}/{})", a.id, a.name, state.load(&a.id), a.capacity))
        .collect();
    if lines.is_empty() {
        "No available agent matches.".to_owned()
    } else {
        format!(
            "Available agents (use with !transfer or !conference):\n{}",
            lines.join("\n")
        )
    }
}

/// Bytes of history per notice: well under Synapse's 64 KiB event limit.
const HISTORY_NOTICE_BYTES: usize = 16 * 1024;

/// The "history so far" as notices of at most about `max` bytes each (a
/// long history would be one event too big for the homeserver).
fn history_notices(id: ConversationId, lines: &[String], max: usize) -> Vec<String> {
    let mut notices = vec![format!("Conversation #{id} — history so far:")];
    for line in lines {
        let last = notices.last_mut().expect("one notice at least");
        if last.len() + 1 + line.len() > max && last.contains('\n') {
            notices.push(format!("Conversation #{id} — history, continued:\n{line}"));
        } else {
            last.push('\n');
            last.push_str(line);
        }
    }
    notices
}

/// A customer's SMS as agents see it; attachments (MMS) are counted, not shown yet.
fn customer_line(sms: &smsdesk_core::InboundSms) -> String {
    match sms.media.len() {
        0 => format!("customer: {}", sms.body),
        n => format!(
            "customer: {} [+ {n} attachment{} not shown: MMS is not supported yet]",
            sms.body,
            if n == 1 { "" } else { "s" }
        ),
    }
}

/// An offer (or a conference invitation) as the agent sees it in the desk room.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct OfferCard {
    id: ConversationId,
    queue: String,
    customer: String,
    entry: String,
    kind: String,
    opened_at: smsdesk_core::Timestamp,
    deadline: smsdesk_core::Timestamp,
    /// Why it comes to this agent, when not routed: "transfer from @a:hs",
    /// "conference with @a:hs".
    via: Option<String>,
}

impl OfferCard {
    fn headline(&self) -> String {
        let via = self.via.as_ref().map(|v| format!(" ({v})")).unwrap_or_default();
        format!(
            "Offer #{}{via}: queue {}, customer {}, to {} ({})",
            self.id, self.queue, self.customer, self.entry, self.kind
        )
    }

    /// While open: how long the customer has waited, and how to answer.
    fn open(&self, now: smsdesk_core::Timestamp) -> String {
        let waited = now.since(self.opened_at).as_secs();
        let left = self.deadline.since(now).as_secs();
        let id = self.id;
        format!(
            "{}, waiting {}:{:02}. Reply !accept {id} or !decline {id} within {left} s.",
            self.headline(),
            waited / 60,
            waited % 60
        )
    }

    fn closed(&self, outcome: &str) -> String {
        format!("{} — {outcome}.", self.headline())
    }
}

/// The agent has no desk room (their Matrix account could not be invited):
/// nothing can be shown to them, and waiting would stall every other notice.
#[derive(Debug)]
struct NoDeskRoom(AgentId);

impl std::fmt::Display for NoDeskRoom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} has no desk room", self.0)
    }
}

impl std::error::Error for NoDeskRoom {}

/// Whether retrying a failed post cannot help, so it is skipped: the
/// homeserver refused this one post (400, 403, 404, 413), or there is no
/// room to post in. Everything else is retried, in order, with backoff:
/// unreachable, 5xx, 429, and also 401 (the bot's token was revoked: every
/// post would fail until an operator fixes it, and skipping would lose
/// them all) and 403 M_RESOURCE_LIMIT_EXCEEDED (the server as a whole).
fn is_permanent(error: &anyhow::Error) -> bool {
    error.chain().any(|e| {
        if e.is::<NoDeskRoom>() {
            return true;
        }
        let api = e
            .downcast_ref::<matrix_sdk::Error>()
            .and_then(matrix_sdk::Error::as_client_api_error)
            .or_else(|| {
                e.downcast_ref::<matrix_sdk::HttpError>()
                    .and_then(matrix_sdk::HttpError::as_client_api_error)
            });
        api.is_some_and(|a| {
            let server_wide = matches!(
                &a.body,
                ErrorBody::Standard(StandardErrorBody {
                    kind: ErrorKind::ResourceLimitExceeded { .. },
                    ..
                })
            );
            matches!(a.status_code.as_u16(), 400 | 403 | 404 | 413) && !server_wide
        })
    })
}

/// Events per room and sync the bot asks for (Synapse's default is 10; it
/// gives at most 100).
const TIMELINE_LIMIT: u32 = 100;

fn client_api_status(error: &matrix_sdk::Error) -> Option<u16> {
    error.as_client_api_error().map(|e| e.status_code.as_u16())
}

/// The homeserver refuses the bot's access token (revoked, expired).
fn unauthorized(error: &matrix_sdk::Error) -> bool {
    client_api_status(error) == Some(401)
}

/// The homeserver refused the sync request itself (not overloaded, not
/// down): with our fixed filter, that is the saved `since` position.
fn settings_token_refused(error: &matrix_sdk::Error) -> bool {
    matches!(client_api_status(error), Some(400 | 404))
}

/// How often an open offer's waiting time is refreshed in place.
const OFFER_TICK: Duration = Duration::from_secs(5);

/// What an agent's message means for the customer.
#[derive(Debug, PartialEq, Eq)]
enum Incoming {
    /// Plain text (a rich reply's quoted fallback removed): a reply or a command.
    Text(String),
    /// An edit of an earlier message: an SMS cannot be changed.
    Edit,
    /// Something SMS cannot carry; says what, for the refusal.
    Unsupported(&'static str),
}

impl Incoming {
    /// `None` for what the bot leaves alone: notices (other bots) and
    /// message types it does not know.
    fn classify(content: &RoomMessageEventContent) -> Option<Self> {
        if matches!(content.relates_to, Some(Relation::Replacement(_))) {
            return Some(Self::Edit);
        }
        Some(match &content.msgtype {
            MessageType::Text(text) => {
                let body = if matches!(content.relates_to, Some(Relation::Reply(_))) {
                    remove_plain_reply_fallback(&text.body)
                } else {
                    &text.body
                };
                Self::Text(body.to_owned())
            }
            MessageType::Emote(_) => Self::Unsupported("an emote (/me)"),
            MessageType::Image(_) => Self::Unsupported("a picture"),
            MessageType::File(_) => Self::Unsupported("a file"),
            MessageType::Audio(_) => Self::Unsupported("audio"),
            MessageType::Video(_) => Self::Unsupported("a video"),
            MessageType::Location(_) => Self::Unsupported("a location"),
            _ => return None,
        })
    }
}

async fn on_message(event: OriginalSyncRoomMessageEvent, room: Room, Ctx(bot): Ctx<Arc<Bot>>) {
    let Some(incoming) = Incoming::classify(&event.content) else {
        return;
    };
    if let Err(error) = bot
        .handle(room, event.sender.as_str(), incoming, event.event_id.clone())
        .await
    {
        tracing::warn!(%error, "handling a Matrix message failed");
    }
}

/// An agent who leaves their desk room can get no offers: they go offline,
/// and are invited back once so they can return. (A rejected invitation is
/// not re-sent, so a client that rejects invitations cannot make a loop;
/// such an agent gets their invitation again by inviting the bot anywhere.)
async fn on_member(event: OriginalSyncRoomMemberEvent, room: Room, Ctx(bot): Ctx<Arc<Bot>>) {
    let was_joined = event
        .unsigned
        .prev_content
        .as_ref()
        .is_some_and(|c| c.membership == MembershipState::Join);
    if event.content.membership != MembershipState::Leave || event.sender != event.state_key || !was_joined {
        return;
    }
    let Ok(Some(RoomRole::Desk(owner))) = bot.store.role(room.room_id().as_str()) else {
        return;
    };
    if owner.as_str() != event.state_key.as_str() {
        return;
    }
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
    let _ = bot
        .notice(
            &room,
            "You left your desk room, so you are offline. Say !available here when you want offers again.",
        )
        .await;
    if let Err(error) = room.invite_user_by_id(&event.state_key).await {
        tracing::warn!(agent = %owner, %error, "cannot invite an agent back to their desk room");
    }
}

/// The bot creates its own rooms; invitations from anyone are declined. A
/// roster agent who invites the bot is invited (again) to their desk room:
/// the way back for someone who rejected or lost it.
async fn on_invite(event: StrippedRoomMemberEvent, room: Room, Ctx(bot): Ctx<Arc<Bot>>) {
    if event.state_key != bot.me {
        return;
    }
    tracing::info!(room = %room.room_id(), from = %event.sender, "declining an invitation");
    let _ = room.leave().await;
    let agent = AgentId::new(event.sender.to_string());
    if !bot.app.config.roster.iter().any(|a| a.id == agent) {
        return;
    }
    match bot.desk_room(&agent) {
        Ok(desk) => {
            if let Err(error) = desk.invite_user_by_id(&event.sender).await {
                tracing::info!(%agent, %error, "cannot invite an agent to their desk room (already in it?)");
            }
        }
        Err(error) => tracing::warn!(%agent, %error, "an agent asked for their desk room, but there is none yet"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use matrix_sdk::ruma::events::relation::Reply;
    use matrix_sdk::ruma::events::room::message::ImageMessageEventContent;
    use matrix_sdk::ruma::{owned_event_id, owned_mxc_uri};

    fn refused(status: u16, kind: ErrorKind) -> anyhow::Error {
        use matrix_sdk::ruma::api::client::uiaa::UiaaResponse;
        use matrix_sdk::ruma::api::error::{Error, FromHttpResponseError};
        let body = ErrorBody::Standard(StandardErrorBody::new(kind, "refused".into()));
        let error = Error::new(reqwest::StatusCode::from_u16(status).unwrap(), body);
        let http = matrix_sdk::HttpError::Api(Box::new(FromHttpResponseError::Server(UiaaResponse::MatrixError(
            error,
        ))));
        anyhow::Error::from(matrix_sdk::Error::Http(Box::new(http))).context("posting a notice")
    }

    #[test]
    fn only_refusals_of_one_post_are_skipped() {
        assert!(is_permanent(&refused(403, ErrorKind::Forbidden)));
        assert!(is_permanent(&refused(404, ErrorKind::NotFound)));
        assert!(is_permanent(&NoDeskRoom(AgentId::new("@a:hs".to_owned())).into()));
        // Retried: the whole server or the bot's own login is the problem.
        let limit = ErrorKind::ResourceLimitExceeded(
            matrix_sdk::ruma::api::error::ResourceLimitExceededErrorData::new("mailto:ops".into()),
        );
        assert!(!is_permanent(&refused(403, limit)));
        assert!(!is_permanent(&refused(401, ErrorKind::Forbidden)));
        assert!(!is_permanent(&refused(429, ErrorKind::Forbidden)));
        assert!(!is_permanent(&refused(502, ErrorKind::Unknown)));
        assert!(!is_permanent(&anyhow::anyhow!("connection refused")));
    }

    #[test]
    fn a_customer_mms_shows_its_text_and_counts_its_attachments() {
        let mut sms = smsdesk_core::InboundSms {
            carrier: "twilio".into(),
            carrier_message_id: "SM1".into(),
            from: "+15557770001".into(),
            to: smsdesk_core::EntryNumber::parse("+15550001111").unwrap(),
            body: "here is the receipt".into(),
            media: Vec::new(),
        };
        assert_eq!(customer_line(&sms), "customer: here is the receipt");
        sms.media = vec!["https://api.twilio.com/m/1".into(), "https://api.twilio.com/m/2".into()];
        assert_eq!(
            customer_line(&sms),
            "customer: here is the receipt [+ 2 attachments not shown: MMS is not supported yet]"
        );
    }

    #[test]
    fn a_long_history_is_split_into_notices_the_homeserver_accepts() {
        let lines: Vec<String> = (0..100).map(|i| format!("customer: {i} {}", "x".repeat(900))).collect();
        let notices = history_notices(ConversationId(7), &lines, HISTORY_NOTICE_BYTES);
        assert!(notices.len() > 1, "{}", notices.len());
        assert!(notices[0].starts_with("Conversation #7 — history so far:\ncustomer: 0 "));
        assert!(notices[1].starts_with("Conversation #7 — history, continued:\n"));
        // Every line once, in order; no notice much over the limit.
        let all: Vec<&str> = notices.iter().flat_map(|n| n.lines().skip(1)).collect();
        assert_eq!(all, lines.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(notices.iter().all(|n| n.len() <= HISTORY_NOTICE_BYTES + 1_000));
        // A short one stays one notice.
        let short = history_notices(ConversationId(7), &["customer: hi".to_owned()], HISTORY_NOTICE_BYTES);
        assert_eq!(short, ["Conversation #7 — history so far:\ncustomer: hi"]);
    }

    #[test]
    fn plain_text_is_a_reply_or_a_command() {
        let c = RoomMessageEventContent::text_plain("Hello there\n> not a fallback");
        assert_eq!(
            Incoming::classify(&c),
            Some(Incoming::Text("Hello there\n> not a fallback".into()))
        );
    }

    #[test]
    fn a_rich_reply_loses_its_quoted_fallback() {
        let mut c = RoomMessageEventContent::text_plain("> <@smsdesk:hs> customer: refund please\n\nSure, one moment");
        c.relates_to = Some(Relation::Reply(Reply::with_event_id(owned_event_id!("$customer"))));
        assert_eq!(Incoming::classify(&c), Some(Incoming::Text("Sure, one moment".into())));
        // A quote that is not a reply stays as typed.
        let c = RoomMessageEventContent::text_plain("> <@x:hs> quoted\n\nmine");
        assert_eq!(
            Incoming::classify(&c),
            Some(Incoming::Text("> <@x:hs> quoted\n\nmine".into()))
        );
    }

    #[test]
    fn edits_attachments_and_notices_are_not_replies() {
        let edit = RoomMessageEventContent::text_plain("fixed")
            .make_replacement(ReplacementMetadata::new(owned_event_id!("$first"), None));
        assert_eq!(Incoming::classify(&edit), Some(Incoming::Edit));
        let image = RoomMessageEventContent::new(MessageType::Image(ImageMessageEventContent::plain(
            "cat.png".into(),
            owned_mxc_uri!("mxc://hs/cat"),
        )));
        assert_eq!(Incoming::classify(&image), Some(Incoming::Unsupported("a picture")));
        assert_eq!(
            Incoming::classify(&RoomMessageEventContent::notice_plain("bot talk")),
            None
        );
    }
}
