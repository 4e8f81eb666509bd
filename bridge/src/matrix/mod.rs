//! The Matrix desk: a bot account that keeps a desk room per roster agent,
//! shows the engine's events there and in conversation rooms, and turns
//! what agents write into engine commands and replies to customers.
//!
//! One folder per concern, so a behaviour is one hop away:
//! - `connection/`: who the bot is and how events reach it: `login`
//!   (password or access token, kept across restarts), `sync` (the sync
//!   loop of one login), `appservice` (appservice mode instead of `login`
//!   and `sync`: pushed transactions handed to the same handlers) and
//!   `account_owner` (the bot account belongs to one engine store).
//! - `rooms/`: the rooms the bot keeps: `desk` (one per roster agent),
//!   `conversation`, `guard` (only the bot invites; a joiner without a
//!   role is removed), `marker` (the `org.smsdesk.room` state event),
//!   `retention` and `adoption/` (rooms a wiped or restored store lost,
//!   taken up again or left with a notice).
//! - `texts/`: what the bot says, pure where it can be: `notices` (every
//!   text), `answers` (`!status`, `!queues`, `!agents`), `rich` (HTML
//!   twins: escaping, pills, tables), `card`/`offer_card` (what an offer
//!   shows, and posting it) and `buttons` (✅ / ❌, 1️⃣…🔟).
//! - `incoming/`: what agents write: `inbound` (classify, relay,
//!   dispatch), `commands` (the chat command language) and `reactions`
//!   (buttons pressed by reacting).
//! - `outgoing/`: what the bot writes: `feed` (the engine's event log from
//!   a saved cursor), `show` (where each event appears), `send` (writes
//!   with transaction ids, edits, and the typed retry-or-skip
//!   `PostError`), `voice` (a customer's SMS as the bot's quote or as
//!   their ghost) and `ghost_upkeep` (opaque ghost names, deactivation
//!   after `storage.retention`).
//! - `media/`: pictures and files (MMS): `from_customer` (fetched from the
//!   carrier, posted as `m.image`/`m.file`), `from_agent` (sent to the
//!   customer once it may be sent) and `download` (never past the cap).
//! - `supervisor/`: supervisor rooms, their commands (`!stats`, `!agents`,
//!   `!history`, `!monitor`) and answers.
//! - `store/`: what the bot remembers (sled under `storage.path`, or
//!   PostgreSQL).
//!
//! `Bot` is what one login shares. Every task it starts belongs to it and
//! is stopped when the login ends (re-login, shutdown).

mod connection;
mod incoming;
pub mod media;
pub mod outgoing;
pub mod rooms;
pub mod store;
pub mod supervisor;
#[cfg(test)]
mod tests;
pub mod texts;

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use matrix_sdk::room::Room;
use matrix_sdk::ruma::{OwnedUserId, RoomId};
use matrix_sdk::Client;
use tokio::task::JoinSet;

use crate::app::AppState;
use crate::config::MatrixConfig;
use connection::{account_owner, appservice, login, sync};
use rooms::adoption;
use store::{Adopted, BotStore};
use texts::offer_card::CardLocks;

/// What one login of the bot shares.
pub struct Bot {
    client: Client,
    /// In appservice mode, the bot's encrypting twin (`connection::twin`):
    /// the desk's voice in encrypted rooms.
    twin: Option<Client>,
    app: Arc<AppState>,
    store: Arc<BotStore>,
    me: OwnedUserId,
    cards: CardLocks,
    /// Every task this login started (feed, card refreshers, desk-room
    /// checks); aborted when the login ends.
    tasks: Mutex<JoinSet<()>>,
    /// Roster agents found to have no Matrix account (warned about once).
    missing_agents: Mutex<std::collections::BTreeSet<smsdesk_core::AgentId>>,
    /// For attachments: customers' at the carriers, agents' at our
    /// homeserver (no redirects of its own: a hop is checked, or not taken).
    http: reqwest::Client,
    /// What adoption at start decided to say (or leave) in each room,
    /// done once the rooms are known (`adoption::follow_up`).
    adoption: Mutex<Vec<(matrix_sdk::ruma::OwnedRoomId, adoption::Followup)>>,
    /// Rooms this login made: a sync's "limited" timeline there is the
    /// room's start, not messages missed while smsdesk was away.
    made: Mutex<std::collections::BTreeSet<matrix_sdk::ruma::OwnedRoomId>>,
}

impl std::fmt::Debug for Bot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bot").field("me", &self.me).finish()
    }
}

impl Bot {
    /// One login's bot, acting as `me` through `client`.
    fn new(
        client: Client,
        twin: Option<Client>,
        me: OwnedUserId,
        app: Arc<AppState>,
        store: Arc<BotStore>,
    ) -> Arc<Self> {
        Arc::new(Self {
            client,
            twin,
            app,
            store,
            me,
            cards: CardLocks::default(),
            tasks: Mutex::new(JoinSet::new()),
            missing_agents: Mutex::default(),
            http: crate::media::fetch::client(),
            adoption: Mutex::default(),
            made: Mutex::default(),
        })
    }

    /// Runs `task` for as long as this login lasts.
    fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        let mut tasks = self.tasks.lock().unwrap_or_else(PoisonError::into_inner);
        // Reap finished ones so the set does not grow with every card.
        while tasks.try_join_next().is_some() {}
        tasks.spawn(task);
    }

    /// Stops every task of this login.
    fn stop(&self) {
        self.tasks.lock().unwrap_or_else(PoisonError::into_inner).abort_all();
    }

    /// A customer's number as agents see it: masked when
    /// `supervisor.mask_customer_numbers` is on.
    fn shown(&self, number: &str) -> String {
        if self.app.config.supervisor.mask_customer_numbers {
            crate::mask::mask(number)
        } else {
            number.to_owned()
        }
    }

    /// A text for agents that may quote a customer's number (an event
    /// described, a refusal, a carrier's error), as agents may see it:
    /// every number but the business's own masked when masking is on.
    fn shown_text(&self, text: &str) -> String {
        if !self.app.config.supervisor.mask_customer_numbers {
            return text.to_owned();
        }
        let entries: Vec<String> = self
            .app
            .config
            .entry_points
            .iter()
            .map(|e| e.entry.number.to_string())
            .collect();
        let keep: Vec<&str> = entries.iter().map(String::as_str).collect();
        crate::mask::mask_numbers(text, &keep)
    }

    /// A text about the conversation with `customer` as agents may see
    /// it: with masking on, that customer's number masked however it is
    /// written (an intake field, their own words, a carrier's error), and
    /// every other number but the business's as in `shown_text`.
    fn shown_about(&self, customer: &str, text: &str) -> String {
        if !self.app.config.supervisor.mask_customer_numbers {
            return text.to_owned();
        }
        self.shown_text(&crate::mask::mask_customer(text, customer))
    }

    /// The customer's own words as agents may see them: with masking on,
    /// their own number masked (other numbers they write are theirs to share).
    fn shown_words(&self, customer: &str, text: &str) -> String {
        if !self.app.config.supervisor.mask_customer_numbers {
            return text.to_owned();
        }
        crate::mask::mask_customer(text, customer)
    }

    /// One of the bot's rooms, if it is still in it (it leaves closed
    /// conversations); in appservice mode, the twin's view of an encrypted
    /// room the twin is in (the desk speaks there through it).
    fn room(&self, id: &RoomId) -> Option<Room> {
        let joined = |r: &Room| r.state() == matrix_sdk::RoomState::Joined;
        let ours = self.client.get_room(id).filter(joined)?;
        let twins = self.twin.as_ref().and_then(|t| t.get_room(id)).filter(joined);
        match twins {
            Some(twins) if twins.encryption_state().is_encrypted() => Some(twins),
            _ => Some(ours),
        }
    }
}

/// Stops a login's tasks when dropped: when the login ends, and when
/// `run` itself is stopped.
struct StopOnDrop(Arc<Bot>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.stop();
    }
}

/// The Matrix desk; a homeserver that is down delays it, never stops
/// smsdesk. Logs in again whenever the login is refused.
pub async fn run(app: Arc<AppState>, config: MatrixConfig) {
    let mut backoff = crate::backoff::Backoff::new(Duration::from_secs(1), Duration::from_secs(30));
    let store = loop {
        match open_store(&app).await {
            Ok(store) => break store,
            Err(error) => {
                tracing::error!(error = %format!("{error:#}"), ?backoff, "the Matrix bot cannot open its store; retrying");
                backoff.sleep().await;
            }
        }
    };
    if let Some(appservice) = app.appservice.clone() {
        return appservice::run(app, store, config, appservice).await;
    }
    loop {
        match login::login(
            &config,
            &store,
            &app.config.storage,
            matches!(app.config.backend, crate::storage::Backend::Sled { .. }),
        )
        .await
        {
            Ok(client) => {
                let Some(me) = client.user_id().map(ToOwned::to_owned) else {
                    tracing::error!("logged in without a user id");
                    continue;
                };
                match claim_account(&app, &client, &me, &config).await {
                    Ok(()) => {}
                    Err(account_owner::ClaimError::Owned(owned)) => return app.refuse(owned.to_string()),
                    Err(error) => {
                        tracing::warn!(%error, ?backoff, "cannot check whom the bot account serves yet; retrying");
                        backoff.sleep().await;
                        continue;
                    }
                }
                let bot = Bot::new(client, None, me, app.clone(), store.clone());
                let guard = StopOnDrop(bot.clone());
                let sync::Ended::LoginRefused = bot.sync_loop().await;
                drop(guard);
                store.forget_session();
                if let Err(error) = store.flush().await {
                    tracing::error!(%error, "cannot forget the refused login");
                }
            }
            Err(error) => {
                tracing::warn!(error = %format!("{error:#}"), ?backoff, "Matrix bot cannot start yet; retrying");
            }
        }
        backoff.sleep().await;
    }
}

/// Claims the bot account for this engine store before the bot does
/// anything (`account_owner`), logging how it went.
async fn claim_account(
    app: &AppState,
    client: &Client,
    me: &matrix_sdk::ruma::UserId,
    config: &MatrixConfig,
) -> Result<(), account_owner::ClaimError> {
    match account_owner::claim(client, me, &app.store_identity, config.adopt_account).await? {
        account_owner::Claimed::Same => {}
        account_owner::Claimed::First => {
            tracing::info!(user = %me, store = %app.store_identity, "the bot account now serves this store")
        }
        account_owner::Claimed::TakenOver { from } => tracing::warn!(
            user = %me,
            from = %from,
            store = %app.store_identity,
            "took the bot account over from another store (--adopt-account); its rooms are taken up where they are marked"
        ),
    }
    if !config.adopt_account {
        return Ok(());
    }
    tracing::info!("--adopt-account is needed once: start without it from now on");
    Ok(())
}

/// Opens the bot's store (once per process: it is kept across logins) and
/// checks that it belongs to this event log.
async fn open_store(app: &Arc<AppState>) -> anyhow::Result<Arc<BotStore>> {
    let dir = app.config.matrix_store_dir();
    let next_seq = app.read(|e| e.state().counters.next_seq).await?;
    let identity = app.store_identity.clone();
    let (app2, fence) = (app.clone(), app.fence.clone());
    let (store, adopted) =
        tokio::task::spawn_blocking(move || crate::storage::open::bot(&app2.config, fence, &identity, next_seq))
            .await??;
    match adopted {
        Adopted::Same => {}
        Adopted::Legacy => tracing::info!(dir = %dir.display(), "took over the bot store of an older smsdesk"),
        Adopted::New => {
            tracing::info!(dir = %dir.display(), next_seq, "new bot store; posting starts at the end of the event log")
        }
        Adopted::Rebuilt { reason } => tracing::warn!(
            dir = %dir.display(),
            %reason,
            next_seq,
            "the bot store did not belong to this event log; rebuilt it (conversation rooms forgotten, posting starts at the end of the event log)"
        ),
    }
    // The pages speak the languages chosen with `!language` too.
    match store.languages() {
        Ok(all) => app.languages.replace_all(all),
        Err(e) => {
            tracing::warn!(error = %e, "could not read the languages chosen with !language; pages use the config's")
        }
    }
    Ok(Arc::new(store))
}
