//! The desk in appservice mode. The bot is the registration's
//! `sender_localpart` and acts with its `as_token`; there is no sync loop:
//! the homeserver pushes events (`http::appservice` keeps them in the
//! inbox) and this takes them from the inbox in order and hands each to the
//! same handlers a sync would (messages, reactions, membership, invites).
//! A transaction is removed from the inbox only after what its handlers
//! recorded is saved, so one cut short by a crash is handled again, and
//! its answers and replies are recognised by the events' ids.
//!
//! matrix-sdk keeps room state in memory only and learns rooms by syncing,
//! which Synapse refuses to an appservice's own user. So at start the bot
//! asks which rooms it is in (`/joined_rooms`), takes up those its store
//! lost (`adoption`) and joins each again (a no-op for the homeserver,
//! which is how matrix-sdk learns a room without a sync); rooms it creates or joins later it
//! learns by doing so. Room state is asked from the homeserver where it
//! matters (encryption before a send, members before removing someone).

use std::sync::Arc;
use std::time::{Duration, Instant};

use matrix_sdk::authentication::matrix::MatrixSession;
use matrix_sdk::event_handler::Ctx;
use matrix_sdk::room::Room;
use matrix_sdk::ruma::api::client::membership::joined_rooms;
use matrix_sdk::ruma::events::reaction::OriginalSyncReactionEvent;
use matrix_sdk::ruma::events::room::member::OriginalSyncRoomMemberEvent;
use matrix_sdk::ruma::events::room::message::OriginalSyncRoomMessageEvent;
use matrix_sdk::ruma::{OwnedRoomId, OwnedUserId};
use matrix_sdk::store::RoomLoadSettings;
use matrix_sdk::Client;

use crate::app::AppState;
use crate::appservice::inbox::StoredTxn;
use crate::appservice::Appservice;
use crate::config::MatrixConfig;
use crate::http::appservice::Failpoint;
use crate::matrix::store::BotStore;
use crate::matrix::{incoming::inbound, incoming::reactions, rooms::desk, rooms::guard, Bot, StopOnDrop};

/// Transactions read from the inbox at a time.
const BATCH: usize = 16;
/// Longest wait for a transaction (a queued one wakes the desk at once).
const IDLE: Duration = Duration::from_secs(5);
/// How often, when idle, the homeserver is asked to ping smsdesk back
/// (both directions work: `/readyz` says so).
const PING: Duration = Duration::from_secs(30);
/// How often transaction ids older than `inbox::REMEMBER` are forgotten.
const SWEEP: Duration = Duration::from_secs(3600);
const BACKOFF_START: Duration = Duration::from_millis(200);
const BACKOFF_MAX: Duration = Duration::from_secs(30);
/// The device id the bot's requests carry (the as_token has none).
const DEVICE: &str = "SMSDESK_APPSERVICE";

/// Runs the desk in appservice mode; never returns while smsdesk runs.
pub(in crate::matrix) async fn run(
    app: Arc<AppState>,
    store: Arc<BotStore>,
    config: MatrixConfig,
    appservice: Arc<Appservice>,
) {
    let mut backoff = crate::backoff::Backoff::new(BACKOFF_START, BACKOFF_MAX);
    let client = loop {
        match login(&config, &appservice).await {
            Ok(client) => break client,
            Err(error) => {
                app.set_homeserver_ok(false);
                tracing::error!(error = %format!("{error:#}"), ?backoff, "the Matrix desk (appservice mode) cannot start yet; retrying");
                backoff.sleep().await;
            }
        }
    };
    loop {
        match crate::matrix::claim_account(&app, &client, &config.user, &config).await {
            Ok(()) => break,
            Err(crate::matrix::connection::account_owner::ClaimError::Owned(owned)) => {
                return app.refuse(owned.to_string())
            }
            Err(error) => {
                tracing::warn!(%error, ?backoff, "cannot check whom the bot account serves yet; retrying");
                backoff.sleep().await;
            }
        }
    }
    let twin = twin_or_none(&app, &config, &appservice).await;
    let bot = Bot::new(client, twin, config.user.clone(), app.clone(), store);
    let _guard = StopOnDrop(bot.clone());
    bot.spawn(bot.clone().twin_sync());
    bot.load_rooms().await;
    bot.twin_joins_all().await;
    app.set_homeserver_ok(true);
    tracing::info!(user = %bot.me, "the Matrix desk runs as an appservice");
    bot.prepare_ghosts().await;
    bot.start_posting();
    bot.spawn(bot.clone().ghost_upkeep());
    bot.transactions(appservice).await;
}

/// The bot's encrypting twin (`twin`), or none: then encrypted rooms
/// cannot be served, and the log says why and what to do.
async fn twin_or_none(app: &AppState, config: &MatrixConfig, appservice: &Appservice) -> Option<Client> {
    match super::twin::login(&config.homeserver, &app.config.storage, &config.user, appservice).await {
        Ok(twin) => Some(twin),
        Err(error) => {
            tracing::error!(
                error = %format!("{error:#}"),
                "the desk cannot read or write encrypted rooms in appservice mode: their messages get no answer"
            );
            None
        }
    }
}

/// A client acting as the bot with the `as_token`; the bot user is
/// registered first (the homeserver may not have it yet).
async fn login(config: &MatrixConfig, appservice: &Appservice) -> anyhow::Result<Client> {
    use anyhow::Context as _;
    appservice.ghosts.register(&config.user).await.with_context(|| {
        format!(
            "registering the bot {} with the as_token (is {} in the homeserver's app_service_config_files, and was it restarted since?)",
            config.user,
            appservice.config.registration.display()
        )
    })?;
    let client = Client::builder()
        .homeserver_url(&config.homeserver)
        .build()
        .await
        .with_context(|| format!("cannot reach the homeserver {}", config.homeserver))?;
    let session = MatrixSession {
        meta: matrix_sdk::SessionMeta {
            user_id: config.user.clone(),
            device_id: DEVICE.into(),
        },
        tokens: matrix_sdk::SessionTokens {
            access_token: appservice.registration.as_token.clone(),
            refresh_token: None,
        },
    };
    client
        .matrix_auth()
        .restore_session(session, RoomLoadSettings::default())
        .await
        .context("starting the appservice session")?;
    let me = client.whoami().await.context("the homeserver refused the as_token")?;
    if me.user_id != config.user {
        anyhow::bail!("the as_token acts as {}, not matrix.user {}", me.user_id, config.user);
    }
    Ok(client)
}

/// The part of an event that says where it goes.
#[derive(serde::Deserialize)]
struct Head {
    #[serde(rename = "type")]
    kind: String,
    room_id: OwnedRoomId,
    sender: OwnedUserId,
    #[serde(default)]
    state_key: Option<String>,
}

#[derive(serde::Deserialize)]
struct Body {
    events: Vec<serde_json::Value>,
}

impl Bot {
    /// Tells matrix-sdk the rooms the bot is in and has a use for;
    /// retried until the homeserver answers.
    async fn load_rooms(&self) {
        let mut backoff = crate::backoff::Backoff::new(BACKOFF_START, BACKOFF_MAX);
        let joined = loop {
            match self.client.send(joined_rooms::v3::Request::new()).await {
                Ok(r) => break r.joined_rooms,
                Err(error) => {
                    tracing::warn!(%error, ?backoff, "cannot list the bot's rooms yet; retrying");
                    backoff.sleep().await;
                }
            }
        };
        // Rooms the store lost are taken up (or left) first; every joined
        // room is made known, so a message in one still unknown is answered.
        self.adopt_among(&joined).await;
        let mut known = 0;
        for room in joined {
            match self.client.join_room_by_id(&room).await {
                Ok(_) => known += 1,
                Err(error) => tracing::warn!(%room, %error, "cannot take up one of the bot's rooms"),
            }
        }
        tracing::info!(rooms = known, "the bot's rooms are known");
    }

    /// Takes the inbox's transactions in order, for as long as the login lasts.
    async fn transactions(self: &Arc<Self>, appservice: Arc<Appservice>) {
        let failpoint = Failpoint::from_env();
        let mut swept = Instant::now().checked_sub(SWEEP).unwrap_or_else(Instant::now);
        // The first ping as soon as the inbox is idle: /readyz tells the
        // truth from the start.
        let mut pinged = Instant::now().checked_sub(PING).unwrap_or_else(Instant::now);
        let mut backoff = crate::backoff::Backoff::new(BACKOFF_START, BACKOFF_MAX);
        loop {
            let inbox = appservice.clone();
            let sweep = swept.elapsed() >= SWEEP;
            if sweep {
                swept = Instant::now();
            }
            let read = tokio::task::spawn_blocking(move || {
                if sweep {
                    match inbox.inbox.sweep() {
                        Ok(0) => {}
                        Ok(n) => tracing::debug!(n, "forgot old appservice transaction ids"),
                        Err(error) => tracing::warn!(%error, "cannot forget old appservice transaction ids"),
                    }
                }
                inbox.inbox.pending(BATCH)
            })
            .await;
            let pending = match read {
                Ok(Ok(p)) => p,
                Ok(Err(error)) => {
                    tracing::error!(%error, ?backoff, "cannot read the appservice inbox; will try again");
                    backoff.sleep().await;
                    continue;
                }
                Err(_) => return,
            };
            backoff.reset();
            let pending: Vec<_> = pending
                .into_iter()
                .filter(|(_, t)| !matches!((&failpoint, t), (Some(f), Ok(t)) if f.matches(t)))
                .collect();
            if pending.is_empty() {
                if pinged.elapsed() >= PING {
                    pinged = Instant::now();
                    self.ping(&appservice).await;
                }
                tokio::select! {
                    _ = appservice.wake.notified() => {}
                    _ = tokio::time::sleep(IDLE) => {}
                }
                continue;
            }
            self.app.set_homeserver_ok(true);
            for (seq, txn) in pending {
                match txn {
                    Ok(txn) => self.handle_transaction(&txn, &appservice).await,
                    Err(why) => {
                        tracing::error!(seq, %why, "an appservice transaction in the inbox cannot be read; skipping it")
                    }
                }
                self.save().await;
                let inbox = appservice.clone();
                let done = tokio::task::spawn_blocking(move || inbox.inbox.done(seq)).await;
                if !matches!(done, Ok(Ok(()))) {
                    // Handled again after a restart; the handlers know its events.
                    tracing::error!(seq, "cannot remove a handled appservice transaction from the inbox");
                }
            }
        }
    }

    /// Asks the homeserver to call smsdesk's ping (spec v1.7); a
    /// homeserver without it is asked who the bot is instead.
    async fn ping(&self, appservice: &Appservice) {
        let ok = match appservice.ghosts.ping(&appservice.registration.id).await {
            Ok(()) => true,
            Err(crate::appservice::GhostError::Refused { status: 404, .. }) => self.client.whoami().await.is_ok(),
            Err(error) => {
                tracing::warn!(%error, "the homeserver cannot reach smsdesk's appservice endpoint (ping failed)");
                false
            }
        };
        self.app.set_homeserver_ok(ok);
    }

    async fn handle_transaction(self: &Arc<Self>, txn: &StoredTxn, appservice: &Appservice) {
        let body: Body = match serde_json::from_str(&txn.body) {
            Ok(b) => b,
            Err(error) => {
                tracing::error!(txn = %txn.txn_id, %error, "an appservice transaction is not one; skipping it");
                return;
            }
        };
        tracing::debug!(txn = %txn.txn_id, events = body.events.len(), "appservice transaction");
        for event in body.events {
            self.dispatch(event, appservice).await;
        }
    }

    /// The event as a handler takes it, with its room, if the bot is in
    /// that room and the event is well formed (a malformed one is logged
    /// and left alone, as a sync would drop it).
    fn parse<T: serde::de::DeserializeOwned>(&self, head: &Head, event: serde_json::Value) -> Option<(Room, T)> {
        let room = self.room(&head.room_id)?;
        match serde_json::from_value(event) {
            Ok(event) => Some((room, event)),
            Err(error) => {
                tracing::warn!(room = %head.room_id, kind = %head.kind, %error, "a pushed event cannot be read; ignored");
                None
            }
        }
    }

    /// Hands one pushed event to the handler a sync would have.
    async fn dispatch(self: &Arc<Self>, event: serde_json::Value, appservice: &Appservice) {
        let head: Head = match serde_json::from_value(event.clone()) {
            Ok(h) => h,
            Err(error) => {
                tracing::debug!(%error, "an event without type, room or sender; ignored");
                return;
            }
        };
        if self.is_us(&head.sender) || appservice.ghosts.is_ghost(&head.sender) {
            return;
        }
        let ctx = Ctx(Arc::downgrade(self));
        match head.kind.as_str() {
            "m.room.member" if head.state_key.as_deref() == Some(self.me.as_str()) => {
                let invite = event.pointer("/content/membership").and_then(|m| m.as_str()) == Some("invite");
                if invite {
                    self.invited(&head.room_id, &head.sender).await;
                }
            }
            "m.room.member" => {
                if let Some((room, event)) = self.parse::<OriginalSyncRoomMemberEvent>(&head, event) {
                    desk::on_member(event.clone(), room.clone(), Ctx(Arc::downgrade(self))).await;
                    guard::on_member(event, room, ctx).await;
                }
            }
            "m.room.message" => {
                if let Some((room, event)) = self.parse::<OriginalSyncRoomMessageEvent>(&head, event) {
                    inbound::on_message(event, room, ctx).await;
                }
            }
            // Encrypted now, or an encrypted message in a room the twin is
            // not in yet: it joins (its sync reads what it can from then on).
            "m.room.encryption" | "m.room.encrypted" if self.twin.is_some() => {
                if let Err(error) = self.twin_joins(&head.room_id).await {
                    tracing::warn!(room = %head.room_id, %error, "the twin cannot join an encrypted room of the desk");
                }
            }
            "m.room.encrypted" => tracing::warn!(
                room = %head.room_id,
                sender = %head.sender,
                "an encrypted message the desk cannot read: appservice mode has no twin to read encrypted rooms (see the error at start)"
            ),
            "m.reaction" => {
                if let Some((room, event)) = self.parse::<OriginalSyncReactionEvent>(&head, event) {
                    reactions::on_reaction(event, room, ctx).await;
                }
            }
            _ => {}
        }
    }
}
