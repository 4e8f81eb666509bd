//! Keeping customers' ghosts (appservice mode) from telling anyone a
//! number: at start and then hourly (so what failed is tried again).
//!
//! - **Masking switched on**: each live conversation room whose ghost is
//!   named by the number gets the customer's opaque ghost (invited by the
//!   bot, joined), the room's history so far is posted again by the bot
//!   with the number masked, and the number's ghost leaves; once every
//!   room moved, every ghost named by a number is deactivated with
//!   erasure, so the homeserver answers about `@{prefix}{digits}` as about
//!   a number that never texted. Each step can be repeated: a crash
//!   anywhere (`SMSDESK_FAILPOINT=ghost-migration-exit-after-join` proves
//!   one) is finished at the next start.
//! - **`storage.retention`**: an opaque ghost silent for longer is
//!   deactivated with erasure; the customer's next SMS gets the next
//!   generation, a new ghost (a deactivated id is never reused).
//!
//! Ghosts named by the number while masking was never on are left alone
//! by the retention: their id is the number, and a deactivated id could
//! not speak for that customer again.

use std::sync::Arc;
use std::time::Duration;

use matrix_sdk::room::Room;
use matrix_sdk::ruma::{OwnedTransactionId, UserId};
use smsdesk_core::model::{Conversation, Phase};
use smsdesk_core::{Event, Timestamp};
use smsdesk_engine::store::layout;

use crate::appservice::Ghosts;
use crate::matrix::outgoing::send::{self, PostError};
use crate::matrix::store::RoomRole;
use crate::matrix::{outgoing::voice, texts::notices, Bot};
use crate::tr;

/// How often the upkeep runs (and failures are tried again).
const EVERY: Duration = Duration::from_secs(3600);
/// Ends the process right after an opaque ghost joined a room being moved.
const FAILPOINT: &str = "ghost-migration-exit-after-join";

/// Where the bot's store remembers that a room's masked history was posted.
fn moved_key(room: &Room) -> String {
    format!("ghost-moved/{}", room.room_id())
}

impl Bot {
    /// Before posting starts (appservice mode): with masking on, the key
    /// of opaque names exists and names stay opaque for good; durable
    /// before any ghost is named. Retried until the store takes it.
    pub(in crate::matrix) async fn prepare_ghosts(&self) {
        if !self.app.config.supervisor.mask_customer_numbers {
            return;
        }
        let mut backoff = crate::backoff::Backoff::new(Duration::from_millis(200), Duration::from_secs(30));
        loop {
            let made = self.store.ensure_ghost_key().map(|_| self.store.set_opaque_ghosts());
            match made {
                Ok(()) => match self.store.flush().await {
                    Ok(()) => return,
                    Err(error) => tracing::error!(%error, "cannot keep the key of ghosts' names; retrying"),
                },
                Err(error) => tracing::error!(%error, "cannot read the key of ghosts' names; retrying"),
            }
            backoff.sleep().await;
        }
    }

    /// Runs for as long as the login lasts: now, then every `EVERY`.
    pub(in crate::matrix) async fn ghost_upkeep(self: Arc<Self>) {
        let Some(appservice) = self.app.appservice.clone() else {
            return;
        };
        let mut tick = tokio::time::interval(EVERY);
        loop {
            tick.tick().await;
            let failed = self.upkeep_once(&appservice.ghosts).await;
            if let Err(error) = self.store.flush().await {
                tracing::error!(%error, "cannot save the ghosts' upkeep; it is done again in an hour");
            }
            if failed > 0 {
                tracing::warn!(failed, "ghosts' upkeep: some steps failed; trying again in an hour");
            }
        }
    }

    /// One round; how many steps failed.
    async fn upkeep_once(&self, ghosts: &Ghosts) -> usize {
        let masking = self.app.config.supervisor.mask_customer_numbers;
        let mut failed = 0;
        if masking {
            failed += self.move_rooms(ghosts).await;
            // Only once every room has its opaque ghost: deactivating
            // takes the old one out of every room at once.
            if failed == 0 {
                failed += self.deactivate_number_ghosts(ghosts).await;
            }
        }
        if masking || matches!(self.store.opaque_ghosts(), Ok(true)) {
            failed += self.expire_silent_ghosts(ghosts).await;
        }
        failed
    }

    /// Moves every live conversation room off its number-named ghost.
    async fn move_rooms(&self, ghosts: &Ghosts) -> usize {
        let rooms = match self.store.rooms() {
            Ok(rooms) => rooms,
            Err(error) => {
                tracing::error!(%error, "ghosts' upkeep: cannot list the bot's rooms");
                return 1;
            }
        };
        let mut failed = 0;
        for (room, role) in rooms {
            let (RoomRole::Conversation(id), Some(room)) = (role, self.room(&room)) else {
                continue;
            };
            let conversation = match self.app.read_store(move |s| layout::conversation(s, id)).await {
                Ok(Ok(Some(c))) if !matches!(c.phase, Phase::Closed { .. }) => c,
                Ok(Ok(_)) => continue,
                Ok(Err(error)) => {
                    tracing::error!(%error, "ghosts' upkeep: cannot read a conversation");
                    failed += 1;
                    continue;
                }
                Err(_) => return failed + 1,
            };
            if let Err(error) = self.move_room(ghosts, &room, &conversation).await {
                tracing::warn!(room = %room.room_id(), %error, "cannot move a conversation room to the customer's opaque ghost yet");
                failed += 1;
            }
        }
        failed
    }

    /// The opaque ghost joins, the history is posted again masked, the
    /// number's ghost leaves; each step repeatable.
    async fn move_room(&self, ghosts: &Ghosts, room: &Room, c: &Conversation) -> Result<(), PostError> {
        let number = ghosts.number_ghost(c.customer.as_str());
        // Only rooms the number's ghost joined (the store forgets that only
        // once it left); a ghost that joined just before a crash, unrecorded,
        // is still taken out of every room by its deactivation.
        if self.store.get::<bool>(&voice::member_key(room, &number))?.is_none() {
            return Ok(());
        }
        // Asked afresh: the store may be behind after a crash.
        let members = self.members(room).await.map_err(PostError::retry)?;
        if !members.contains(&number) {
            self.store.delete(&voice::member_key(room, &number));
            return Ok(());
        }
        let (entry, customer) = (c.entry.to_string(), c.customer.as_str());
        let ghost = self
            .ghost_in(ghosts, room, &entry, customer, smsdesk_engine::clock::now())
            .await?;
        if std::env::var("SMSDESK_FAILPOINT").as_deref() == Ok(FAILPOINT) {
            tracing::warn!(%ghost, "failpoint {FAILPOINT}: exiting now");
            std::process::exit(137);
        }
        self.store.flush().await?;
        if self.store.get::<bool>(&moved_key(room))?.is_none() {
            self.post_masked_history(room, c).await?;
            self.store.put(&moved_key(room), &true);
            self.store.flush().await?;
        }
        match ghosts.leave(&number, room.room_id()).await {
            Ok(()) => {}
            Err(error) if error.refused_for_good() => {
                tracing::debug!(%number, %error, "the number's ghost is not in the room any more");
            }
            Err(error) => return Err(error.into()),
        }
        self.store.delete(&voice::member_key(room, &number));
        // Deactivated with the other number ghosts, also when the store
        // did not know it (a store rebuilt since it was named).
        let named = format!("ghost/{number}");
        if self.store.get::<String>(&named)?.is_none() {
            self.store.put(&named, &String::new());
        }
        self.store.flush().await?;
        tracing::info!(room = %room.room_id(), %ghost, "the conversation room moved to the customer's opaque ghost");
        Ok(())
    }

    /// The conversation's history so far, by the bot, with the number masked.
    async fn post_masked_history(&self, room: &Room, c: &Conversation) -> Result<(), PostError> {
        let id = c.id;
        let history = self.app.read_store(move |s| layout::history(s, id)).await??;
        let customer = c.customer.as_str();
        let lang = c
            .phase
            .owner()
            .map_or_else(|| self.app.config.lang_of(""), |o| self.lang_of(o.as_str()));
        let lines: Vec<String> = history
            .iter()
            .filter_map(|r| {
                let line = notices::history_line(&lang, &r.event)?;
                Some(match &r.event {
                    Event::MessageReceived { .. } => self.shown_words(customer, &line),
                    _ => self.shown_about(customer, &line),
                })
            })
            .collect();
        let texts = notices::chunked(
            notices::masked_history_header(&lang, id),
            &tr!(lang, "history-continued", id = id.to_string()),
            &lines,
            notices::HISTORY_NOTICE_BYTES,
        );
        for (i, text) in texts.iter().enumerate() {
            let txn: OwnedTransactionId = format!("smsdesk.{}.ghost-move.{id}.{i}", self.app.store_identity).into();
            send::notice(room, text, Some(txn)).await?;
        }
        Ok(())
    }

    /// Deactivates (with erasure) every ghost named by a number.
    async fn deactivate_number_ghosts(&self, ghosts: &Ghosts) -> usize {
        let named = match self.store.named_ghosts() {
            Ok(named) => named,
            Err(error) => {
                tracing::error!(%error, "ghosts' upkeep: cannot list the ghosts");
                return 1;
            }
        };
        let mut failed = 0;
        for ghost in named.iter().filter(|g| ghosts.is_number_ghost(g)) {
            failed += usize::from(!self.deactivate(ghosts, ghost, "named by the customer's number").await);
        }
        failed
    }

    /// Deactivates (with erasure) every opaque ghost silent for longer
    /// than `storage.retention`; its customer's next SMS gets a new one.
    async fn expire_silent_ghosts(&self, ghosts: &Ghosts) -> usize {
        let Some(retention) = self.app.config.retention else {
            return 0;
        };
        let now = smsdesk_engine::clock::now();
        let cutoff = Timestamp(
            now.0
                .saturating_sub(u64::try_from(retention.as_millis()).unwrap_or(u64::MAX)),
        );
        let records = match self.store.ghost_records() {
            Ok(records) => records,
            Err(error) => {
                tracing::error!(%error, "ghosts' upkeep: cannot list the ghosts");
                return 1;
            }
        };
        let mut failed = 0;
        for (ghost, record) in records.into_iter().filter(|(_, r)| r.last_active < cutoff) {
            // The next generation first, so an SMS arriving meanwhile
            // already speaks as the new ghost.
            let next = record.generation.saturating_add(1);
            match self.store.ghost_generation(&record.customer) {
                Ok(current) if current >= next => {}
                Ok(_) => self.store.set_ghost_generation(&record.customer, next),
                Err(error) => {
                    tracing::error!(%error, "ghosts' upkeep: cannot read a ghost's generation");
                    failed += 1;
                    continue;
                }
            }
            failed += usize::from(!self.deactivate(ghosts, &ghost, "silent past storage.retention").await);
        }
        failed
    }

    /// Deactivates `ghost` with erasure and forgets it; whether it worked.
    async fn deactivate(&self, ghosts: &Ghosts, ghost: &UserId, why: &str) -> bool {
        match ghosts.deactivate(ghost).await {
            Ok(()) => match self.store.forget_ghost(ghost) {
                Ok(()) => {
                    tracing::info!(%ghost, why, "deactivated a customer's ghost (erased)");
                    true
                }
                Err(error) => {
                    tracing::error!(%ghost, %error, "cannot forget a deactivated ghost");
                    false
                }
            },
            Err(error) => {
                tracing::warn!(%ghost, %error, why, "cannot deactivate a customer's ghost yet");
                false
            }
        }
    }
}
