//! The bot's encrypting twin, for encrypted rooms in appservice mode.
//!
//! In appservice mode the bot is the registration's sender: it acts with
//! the `as_token`, and Synapse refuses it a `/sync` and its requests carry
//! no device, so it has no device keys and receives no room keys. It can
//! neither read nor write an encrypted room. So a second user of the
//! appservice's namespace, `@<bot>_e2ee` (the twin), logs in with the
//! `as_token` (`m.login.application_service`) as one device of its own,
//! whose crypto store lives under `storage.path/matrix-crypto/twin/` like
//! the bot-mode device (`device`), and syncs like a bot-mode bot.
//!
//! In an encrypted room of the desk the twin is invited, joins and gets
//! the bot's power level; from then on the desk speaks there through the
//! twin (`Bot::room` gives the twin's view of an encrypted room), so every
//! message is encrypted, and the twin's sync hands the messages it
//! decrypted to the same handlers. Plaintext events (reactions, members)
//! still come pushed to the bot. A customer's words are quoted by the twin
//! with their number (ghosts have no devices, so they cannot write in an
//! encrypted room). Rooms that stay unencrypted keep the bot and ghosts
//! as before, without the twin.

use std::path::Path;
use std::sync::{Arc, Weak};
use std::time::Duration;

use anyhow::Context as _;
use matrix_sdk::authentication::matrix::MatrixSession;
use matrix_sdk::config::SyncSettings;
use matrix_sdk::deserialized_responses::EncryptionInfo;
use matrix_sdk::event_handler::Ctx;
use matrix_sdk::room::Room;
use matrix_sdk::ruma::api::client::filter::{FilterDefinition, RoomEventFilter};
use matrix_sdk::ruma::api::client::sync::sync_events::v3::Filter as SyncFilter;
use matrix_sdk::ruma::events::room::message::OriginalSyncRoomMessageEvent;
use matrix_sdk::ruma::{OwnedDeviceId, UserId};
use matrix_sdk::store::RoomLoadSettings;
use matrix_sdk::Client;

use super::device;
use crate::appservice::Appservice;
use crate::matrix::{incoming::inbound, incoming::undecryptable, Bot};

/// Where the bot's store keeps the twin's sync position.
const SYNC_TOKEN: &str = "twin/sync-token";
const BACKOFF_START: Duration = Duration::from_millis(200);
const BACKOFF_MAX: Duration = Duration::from_secs(10);

/// Where the twin's device id and crypto store are kept.
fn crypto_root(storage: &Path) -> std::path::PathBuf {
    device::root(storage).join("twin")
}

/// The twin, logged in as its own device on this machine; an error says
/// what the operator must change (the registration's namespace, most often).
pub async fn login(homeserver: &str, storage: &Path, bot: &UserId, appservice: &Appservice) -> anyhow::Result<Client> {
    let user = crate::appservice::naming::twin_user(bot);
    appservice.ghosts.register(&user).await.with_context(|| {
        format!(
            "registering {user}, who reads and writes encrypted rooms for the bot (is it in the registration's users \
             namespace? run `smsdesk appservice-registration` again and restart the homeserver)"
        )
    })?;
    let root = crypto_root(storage);
    let device = device::chosen_in(&root, None)?;
    let client = device::client_in(homeserver, &root, &device).await?;
    let kept = root.join(device.as_str()).join("access-token");
    let token = match std::fs::read_to_string(&kept) {
        Ok(token) if accepted(homeserver, &token, &user).await => token,
        _ => {
            let token = as_login(homeserver, &user, &device, &appservice.registration.as_token)
                .await
                .with_context(|| format!("logging {user} in with the as_token"))?;
            keep_token(&kept, &token)?;
            token
        }
    };
    let session = MatrixSession {
        meta: matrix_sdk::SessionMeta {
            user_id: user.clone(),
            device_id: device.clone(),
        },
        tokens: matrix_sdk::SessionTokens {
            access_token: token,
            refresh_token: None,
        },
    };
    client
        .matrix_auth()
        .restore_session(session, RoomLoadSettings::default())
        .await
        .context("starting the twin's session")?;
    if let Err(error) = appservice.ghosts.set_display_name(&user, "smsdesk").await {
        tracing::warn!(%user, %error, "cannot name the bot's encrypting twin");
    }
    tracing::info!(%user, %device, "the bot's encrypting twin is logged in (encrypted rooms in appservice mode)");
    Ok(client)
}

/// Whether the homeserver still takes `token` as `user` (a kept login is
/// used again, so restarts do not pile up access tokens).
async fn accepted(homeserver: &str, token: &str, user: &UserId) -> bool {
    #[derive(serde::Deserialize)]
    struct WhoAmI {
        user_id: String,
    }
    let url = format!("{}/_matrix/client/v3/account/whoami", homeserver.trim_end_matches('/'));
    let Ok(response) = reqwest::Client::new().get(&url).bearer_auth(token).send().await else {
        return false;
    };
    match response.error_for_status() {
        Ok(r) => r.json::<WhoAmI>().await.is_ok_and(|w| w.user_id == user.as_str()),
        Err(_) => false,
    }
}

/// Keeps the twin's access token beside its crypto store, for its owner only.
fn keep_token(file: &Path, token: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut f = options
        .open(file)
        .with_context(|| format!("keeping the twin's login in {}", file.display()))?;
    f.write_all(token.as_bytes())?;
    f.sync_all()?;
    Ok(())
}

/// `m.login.application_service` as `user` with `device` (the homeserver
/// keeps an existing device and its keys); the new access token.
async fn as_login(homeserver: &str, user: &UserId, device: &OwnedDeviceId, as_token: &str) -> anyhow::Result<String> {
    #[derive(serde::Deserialize)]
    struct LoggedIn {
        access_token: String,
    }
    let url = format!("{}/_matrix/client/v3/login", homeserver.trim_end_matches('/'));
    let body = serde_json::json!({
        "type": "m.login.application_service",
        "identifier": {"type": "m.id.user", "user": user.localpart()},
        "device_id": device.as_str(),
        "initial_device_display_name": "smsdesk (encrypted rooms)",
    });
    let response = reqwest::Client::new()
        .post(&url)
        .bearer_auth(as_token)
        .json(&body)
        .send()
        .await
        .with_context(|| format!("cannot reach {url}"))?;
    let status = response.status();
    if !status.is_success() {
        let text = response.text().await.unwrap_or_default();
        anyhow::bail!("the homeserver refused the login ({status}): {text}");
    }
    Ok(response.json::<LoggedIn>().await?.access_token)
}

/// A message the twin's sync decrypted, handled as one pushed to the bot;
/// plaintext ones are left to the bot, which has them pushed already.
async fn on_message(
    event: OriginalSyncRoomMessageEvent,
    room: Room,
    encryption: Option<EncryptionInfo>,
    ctx: Ctx<Weak<Bot>>,
) {
    if encryption.is_some() {
        inbound::on_message(event, room, ctx).await;
    }
}

impl Bot {
    /// The twin's sync loop, for as long as this login lasts: the handlers
    /// of encrypted messages and of the ones not decrypted yet.
    pub(in crate::matrix) async fn twin_sync(self: Arc<Self>) {
        let Some(twin) = self.twin.clone() else { return };
        let mut timeline = RoomEventFilter::default();
        timeline.limit = Some(100u32.into());
        let mut filter = FilterDefinition::default();
        filter.room.timeline = timeline;
        let mut settings = SyncSettings::default()
            .filter(SyncFilter::FilterDefinition(filter))
            .timeout(Duration::ZERO)
            .full_state(true);
        match self.store.get::<String>(SYNC_TOKEN) {
            Ok(Some(token)) => settings = settings.token(token),
            Ok(None) => {}
            Err(error) => tracing::error!(%error, "cannot read the twin's sync position; starting from now"),
        }
        twin.add_event_handler_context(Arc::downgrade(&self));
        twin.add_event_handler(on_message);
        twin.add_event_handler(undecryptable::on_encrypted);
        let mut backoff = crate::backoff::Backoff::new(BACKOFF_START, BACKOFF_MAX);
        let mut first = true;
        loop {
            match twin.sync_once(settings.clone()).await {
                Ok(r) => {
                    backoff.reset();
                    if std::mem::take(&mut first) {
                        self.spawn_identity(twin.clone());
                    }
                    self.store.put(SYNC_TOKEN, &r.next_batch);
                    if let Err(error) = self.store.flush().await {
                        tracing::error!(%error, "cannot save the twin's sync position");
                    }
                    settings = settings
                        .token(r.next_batch)
                        .full_state(false)
                        .timeout(Duration::from_secs(10));
                }
                Err(error) => {
                    tracing::warn!(%error, ?backoff, "the twin's sync failed; retrying");
                    backoff.sleep().await;
                }
            }
        }
    }

    /// The twin's id, when there is one.
    pub(in crate::matrix) fn twin_user(&self) -> Option<&UserId> {
        self.twin.as_ref().and_then(Client::user_id)
    }

    /// Whether `user` is the bot or its twin.
    pub(in crate::matrix) fn is_us(&self, user: &UserId) -> bool {
        user == self.me || self.twin_user() == Some(user)
    }

    /// Whether `room` is the twin's view of a room (the desk speaks there
    /// through its twin).
    pub(in crate::matrix) fn by_twin(&self, room: &Room) -> bool {
        self.twin_user() == Some(room.own_user_id())
    }

    /// Brings the twin into `room` if the room is encrypted: its power
    /// level made the bot's, invited, joined, and the room's encryption
    /// known to it (so `Bot::room` gives its view from now on). Nothing
    /// happens in unencrypted rooms or without a twin.
    pub(in crate::matrix) async fn twin_joins(&self, room: &matrix_sdk::ruma::RoomId) -> anyhow::Result<()> {
        let (Some(twin), Some(user)) = (self.twin.as_ref(), self.twin_user()) else {
            return Ok(());
        };
        if twin
            .get_room(room)
            .is_some_and(|r| r.state() == matrix_sdk::RoomState::Joined)
        {
            return Ok(());
        }
        let Some(ours) = self.client.get_room(room) else {
            return Ok(());
        };
        if !matches!(self.store.role(room), Ok(Some(_))) {
            return Ok(());
        }
        if !ours.latest_encryption_state().await?.is_encrypted() {
            return Ok(());
        }
        self.level_of_the_bot(&room.to_owned(), user).await?;
        if let Err(error) = ours.invite_user_by_id(user).await {
            tracing::debug!(%room, %error, "cannot invite the twin (already invited?)");
        }
        let joined = twin.join_room_by_id(room).await?;
        joined.latest_encryption_state().await?;
        tracing::info!(%room, twin = %user, "the room is encrypted: the desk speaks there through its twin");
        Ok(())
    }

    /// The twin joins every encrypted room of the desk it is not in yet
    /// (at start: rooms made before the twin, or encrypted since).
    pub(in crate::matrix) async fn twin_joins_all(&self) {
        if self.twin.is_none() {
            return;
        }
        let rooms = match self.store.rooms() {
            Ok(rooms) => rooms,
            Err(error) => {
                tracing::warn!(%error, "cannot list the bot's rooms for its twin");
                return;
            }
        };
        for (room, _) in rooms {
            if self.client.get_room(&room).is_none() {
                continue;
            }
            if let Err(error) = self.twin_joins(&room).await {
                tracing::warn!(%room, %error, "the twin cannot join an encrypted room of the desk");
            }
        }
    }
}
