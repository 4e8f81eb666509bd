//! The sync loop of one login: its own `sync_once` loop (not
//! `Client::sync`, which adds about 1 s per round trip) from the saved
//! token, so a restart misses no command and replays none except the batch
//! in hand at a crash (whose answers and replies are recognised by their
//! Matrix event ids). The token, and what the handlers recorded, are saved
//! in one durable write per sync.
//!
//! matrix-sdk keeps room state in memory only, and a sync from a token
//! only mentions rooms with news; so the first sync after a start asks for
//! the full state of every joined room with the timeline since the saved
//! token. Posting (the feed) starts once every room is known. Before any
//! handler runs, the rooms the bot is in but its store lost (a wiped or
//! restored `storage.path`) are taken up or let go (`adoption`).
//!
//! matrix-sdk retries a `/sync` that fails with a server error by itself,
//! for as long as it fails: a homeserver that refuses every sync (Synapse
//! answers 500 to the sender of a loaded appservice registration) would
//! hold the bot in silence. So a start first asks for one tiny sync
//! without those retries (`sync_answers`), and says why it cannot go on.

use std::sync::Arc;
use std::time::Duration;

use matrix_sdk::config::SyncSettings;
use matrix_sdk::ruma::api::client::filter::{FilterDefinition, RoomEventFilter};
use matrix_sdk::ruma::api::client::sync::sync_events::v3::Filter as SyncFilter;
use matrix_sdk::ruma::OwnedRoomId;

use crate::matrix::{incoming::inbound, incoming::reactions, outgoing::send, rooms::desk, rooms::guard, Bot};

/// Events per room and sync the bot asks for (Synapse's default is 10; it
/// gives at most 100).
const TIMELINE_LIMIT: u32 = 100;
const BACKOFF_START: Duration = Duration::from_millis(200);
const BACKOFF_MAX: Duration = Duration::from_secs(10);

/// Why a login's sync loop ended.
#[derive(Debug)]
pub enum Ended {
    /// The homeserver no longer accepts the login: log in again.
    LoginRefused,
}

impl Bot {
    /// Syncs until the login is refused; starts the login's other tasks
    /// once every room is known.
    pub(in crate::matrix) async fn sync_loop(self: &Arc<Self>) -> Ended {
        if self.sync_answers().await.is_err() {
            return Ended::LoginRefused;
        }
        let token = match self.store.sync_token() {
            Ok(Some(token)) => token,
            other => {
                if let Err(error) = other {
                    tracing::error!(%error, "cannot read the saved sync token; starting from now");
                }
                let initial = self.initial_sync().await;
                self.save_token(&initial).await;
                initial
            }
        };
        let mut timeline = RoomEventFilter::default();
        timeline.limit = Some(TIMELINE_LIMIT.into());
        let mut filter = FilterDefinition::default();
        filter.room.timeline = timeline;
        let mut settings = SyncSettings::default()
            .filter(SyncFilter::FilterDefinition(filter))
            .timeout(Duration::ZERO)
            .token(token)
            .full_state(true);
        // Before any handler: rooms the store lost are taken up first.
        self.adopt_rooms().await;
        // Weak: the client keeps its handlers' context, and must not keep
        // this Bot (and its crypto store) alive after the login ends.
        self.client.add_event_handler_context(Arc::downgrade(self));
        self.client.add_event_handler(inbound::on_message);
        self.client
            .add_event_handler(crate::matrix::incoming::undecryptable::on_encrypted);
        self.client.add_event_handler(reactions::on_reaction);
        self.client.add_event_handler(desk::on_invite);
        self.client.add_event_handler(desk::on_member);
        self.client.add_event_handler(guard::on_member);
        let mut started = false;
        let mut backoff = crate::backoff::Backoff::new(BACKOFF_START, BACKOFF_MAX);
        loop {
            match self.client.sync_once(settings.clone()).await {
                Ok(r) => {
                    backoff.reset();
                    self.app.set_homeserver_ok(true);
                    self.save_token(&r.next_batch).await;
                    settings = settings
                        .token(r.next_batch)
                        .full_state(false)
                        .timeout(Duration::from_secs(10));
                    for (room, update) in &r.rooms.joined {
                        if update.timeline.limited {
                            self.missed(room).await;
                        }
                    }
                    if !started {
                        started = true;
                        self.start_posting();
                        self.spawn_identity(self.client.clone());
                    }
                }
                Err(error) if status(&error) == Some(401) => {
                    tracing::error!(%error, "the homeserver no longer accepts the bot's login; logging in again");
                    self.app.set_homeserver_ok(false);
                    return Ended::LoginRefused;
                }
                Err(error) if matches!(status(&error), Some(400 | 404)) => {
                    // With our fixed filter, a refused request means the
                    // saved position (e.g. a homeserver restored from a
                    // backup): start afresh (history is skipped; agents
                    // resend what got no ✓).
                    tracing::error!(%error, ?backoff, "the homeserver refused the saved sync position; starting from now");
                    backoff.sleep().await;
                    let fresh = self.initial_sync().await;
                    self.save_token(&fresh).await;
                    settings = settings.token(fresh).full_state(true).timeout(Duration::ZERO);
                }
                Err(error) => {
                    self.app.set_homeserver_ok(false);
                    tracing::warn!(%error, ?backoff, "sync failed; homeserver unreachable? retrying");
                    backoff.sleep().await;
                }
            }
        }
    }

    /// Every room is known: what adoption decided is said, desk rooms
    /// made where missing, then the feed; and the cards
    /// of offers still open go on refreshing.
    pub(in crate::matrix) fn start_posting(self: &Arc<Self>) {
        let bot = self.clone();
        self.spawn(async move {
            bot.follow_up().await;
            bot.ensure_desk_rooms().await;
            bot.ensure_supervisor_rooms().await;
            bot.secure_rooms().await;
            tokio::join!(bot.clone().feed(), bot.clone().desk_rooms_loop());
        });
        self.spawn(self.clone().resume_offers());
        self.spawn(self.clone().resume_media());
    }

    /// Saves the sync token with whatever the handlers recorded, in one write.
    async fn save_token(&self, token: &str) {
        self.store.set_sync_token(token);
        if let Err(error) = self.store.flush().await {
            // Kept staged: the next sync's save writes it.
            tracing::error!(%error, "cannot save the sync token");
        }
    }

    /// More happened in one of our rooms than one sync returns (smsdesk was
    /// down a long time): what was cut off was not handled. Say so there.
    async fn missed(&self, room: &OwnedRoomId) {
        let Some(room) = self.room(room) else { return };
        if !matches!(self.store.role(room.room_id()), Ok(Some(_))) {
            return;
        }
        let made_here = self
            .made
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .contains(room.room_id());
        if made_here {
            return;
        }
        tracing::warn!(room = %room.room_id(), "more messages than one sync holds; the oldest were not handled");
        let lang = self.language_of_room(room.room_id()).await;
        if let Err(error) = send::notice(&room, lang.t("missed"), None).await {
            tracing::warn!(room = %room.room_id(), %error, "cannot say that messages were missed");
        }
    }

    /// Waits until the homeserver answers a sync of nothing (no rooms, no
    /// presence, no waiting) tried once per attempt, saying why while it
    /// does not; Err when it no longer accepts the login.
    async fn sync_answers(&self) -> Result<(), ()> {
        use matrix_sdk::config::RequestConfig;
        use matrix_sdk::ruma::api::client::sync::sync_events::v3::Request;
        let mut filter = FilterDefinition::default();
        filter.room.rooms = Some(Vec::new());
        filter.presence.types = Some(Vec::new());
        filter.account_data.types = Some(Vec::new());
        let mut backoff = crate::backoff::Backoff::new(BACKOFF_START, BACKOFF_MAX);
        let mut failures = 0u32;
        loop {
            let mut request = Request::new();
            request.filter = Some(SyncFilter::FilterDefinition(filter.clone()));
            request.timeout = Some(Duration::ZERO);
            let once = RequestConfig::new().disable_retry();
            let error = match self.client.send(request).with_request_config(once).await {
                Ok(_) => return Ok(()),
                Err(error) => error,
            };
            self.app.set_homeserver_ok(false);
            failures += 1;
            match error.as_client_api_error().map(|e| e.status_code.as_u16()) {
                Some(401) => {
                    tracing::error!(%error, "the homeserver no longer accepts the bot's login; logging in again");
                    return Err(());
                }
                Some(500..=599) if failures == 3 || failures.is_multiple_of(30) => tracing::error!(
                    %error,
                    user = %self.me,
                    "the homeserver fails every sync of the bot's account; if an appservice registration naming this user \
                     (sender_localpart) is loaded in the homeserver, it refuses that user a sync: remove the registration \
                     from app_service_config_files and restart the homeserver, or set matrix.mode = \"appservice\"; retrying"
                ),
                _ => tracing::warn!(%error, ?backoff, "the homeserver does not answer a sync; retrying"),
            }
            backoff.sleep().await;
        }
    }

    /// A full sync with one timeline event per room (state is what matters),
    /// retried with backoff until the homeserver answers; its `next_batch`.
    pub(in crate::matrix) async fn initial_sync(&self) -> String {
        let mut timeline = RoomEventFilter::default();
        timeline.limit = Some(1u32.into());
        let mut filter = FilterDefinition::default();
        filter.room.timeline = timeline;
        let settings = SyncSettings::default().filter(SyncFilter::FilterDefinition(filter));
        let mut backoff = crate::backoff::Backoff::new(BACKOFF_START, BACKOFF_MAX);
        loop {
            match self.client.sync_once(settings.clone()).await {
                Ok(r) => return r.next_batch,
                Err(error) => {
                    self.app.set_homeserver_ok(false);
                    tracing::warn!(%error, ?backoff, "first sync failed; homeserver unreachable? retrying");
                    backoff.sleep().await;
                }
            }
        }
    }
}

fn status(error: &matrix_sdk::Error) -> Option<u16> {
    error.as_client_api_error().map(|e| e.status_code.as_u16())
}
