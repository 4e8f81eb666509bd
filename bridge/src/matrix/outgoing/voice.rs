//! A customer's own words in a conversation room. In bot mode the bot
//! quotes them (`customer: …`). In appservice mode their ghost says them:
//! a plain message from their ghost, dated when the SMS arrived (`ts=`).
//! The ghost is `@{ghost_prefix}{digits}` while masking was never on, else
//! opaque (`appservice::naming`: entry point, number and the ghost's
//! generation under the store's key). It is registered and named (the
//! number, masked if agents see masked numbers) when first needed or when
//! that name changes, and invited and joined once per room; both are
//! remembered in the bot's store, so a room from bot-mode days gets its
//! ghost at the customer's next SMS. An opaque ghost's last words are
//! recorded (for `storage.retention`). A closed conversation's ghost leaves.
//! In an encrypted room (appservice mode) ghosts cannot write: the bot's
//! encrypting twin quotes the customer there, as the bot does in bot mode
//! (the room's name shows whose conversation it is).
//! Either way the line mentions the agents who hold the conversation, so
//! their clients notify them (`send::alert`); with masking, the
//! customer's own number in it is masked.

use matrix_sdk::room::Room;
use matrix_sdk::ruma::events::room::message::RoomMessageEventContent;
use matrix_sdk::ruma::{MilliSecondsSinceUnixEpoch, OwnedUserId, TransactionId, UInt, UserId};
use smsdesk_core::{InboundSms, Timestamp};

use crate::appservice::ghosts::GhostError;
use crate::appservice::Ghosts;
use crate::matrix::outgoing::send::{self, PostError, Txns};
use crate::matrix::store::GhostRecord;
use crate::matrix::{texts::notices, Bot};

impl From<GhostError> for PostError {
    fn from(error: GhostError) -> Self {
        if error.refused_for_good() {
            Self::Skip(error.into())
        } else {
            Self::Retry(error.into())
        }
    }
}

/// Where the bot's store remembers that `ghost` is in `room`.
pub(in crate::matrix) fn member_key(room: &Room, ghost: &UserId) -> String {
    format!("ghost-in/{}/{ghost}", room.room_id())
}

fn millis(at: Timestamp) -> MilliSecondsSinceUnixEpoch {
    MilliSecondsSinceUnixEpoch(UInt::new(at.0).unwrap_or_default())
}

impl Bot {
    /// The customer's text, shown as the event of `txns` (at `at`).
    pub(in crate::matrix) async fn customer_says(
        &self,
        room: &Room,
        sms: &InboundSms,
        at: Timestamp,
        to: Vec<OwnedUserId>,
        txns: &Txns,
    ) -> Result<(), PostError> {
        let txn = txns.part("room");
        let customer = sms.from.as_str();
        // An alert to the agents who hold the conversation (`to`): they
        // hear the customer even away from the room.
        // In an encrypted room (appservice mode) ghosts cannot write: the
        // twin quotes the customer as the bot does in bot mode.
        if self.app.appservice.is_none() || self.by_twin(room) {
            // In the language of whoever holds it.
            let lang = to
                .first()
                .map_or_else(|| self.app.config.lang_of(""), |u| self.lang_of(u.as_str()));
            let line = self.shown_words(customer, &notices::customer_line(&lang, sms));
            send::alert(room, &line, to, Some(txn)).await?;
            return Ok(());
        }
        // A picture alone has no text; it follows as the ghost's image.
        if sms.body.is_empty() {
            return Ok(());
        }
        let content = send::alert_content(&self.shown_words(customer, &sms.body).into(), to);
        self.ghost_posts(room, sms, &content, &txn, at).await
    }

    /// A customer's attachment: posted by their ghost, or by the bot in bot mode.
    pub(in crate::matrix) async fn customer_posts(
        &self,
        room: &Room,
        sms: &InboundSms,
        content: RoomMessageEventContent,
        txn: &TransactionId,
        at: Timestamp,
    ) -> Result<(), PostError> {
        if self.app.appservice.is_none() || self.by_twin(room) {
            room.send(content).with_transaction_id(txn.to_owned()).await?;
            return Ok(());
        }
        self.ghost_posts(room, sms, &content, txn, at).await
    }

    /// Posts as the customer's ghost. A ghost refused for not being in the
    /// room (someone removed it) joins again, once, and posts.
    async fn ghost_posts(
        &self,
        room: &Room,
        sms: &InboundSms,
        content: &RoomMessageEventContent,
        txn: &TransactionId,
        at: Timestamp,
    ) -> Result<(), PostError> {
        let Some(appservice) = &self.app.appservice else {
            return Ok(());
        };
        let ghosts = &appservice.ghosts;
        let (entry, customer) = (sms.to.to_string(), sms.from.as_str());
        let ghost = self.ghost_in(ghosts, room, &entry, customer, at).await?;
        match ghosts.send(&ghost, room.room_id(), content, txn, millis(at)).await {
            Err(GhostError::Refused { status: 403, .. }) => {
                tracing::info!(room = %room.room_id(), %ghost, "the customer's ghost is not in the room; joining it again");
                self.store.delete(&member_key(room, &ghost));
                let ghost = self.ghost_in(ghosts, room, &entry, customer, at).await?;
                ghosts.send(&ghost, room.room_id(), content, txn, millis(at)).await?;
            }
            other => {
                other?;
            }
        }
        Ok(())
    }

    /// The ghost of `customer` texting `entry`: opaque once masking was on
    /// (with its customer's tag and generation), else named by the number.
    pub(in crate::matrix) fn ghost_of(
        &self,
        ghosts: &Ghosts,
        entry: &str,
        customer: &str,
    ) -> Result<(OwnedUserId, Option<(String, u32)>), PostError> {
        if !self.app.config.supervisor.mask_customer_numbers && !self.store.opaque_ghosts()? {
            return Ok((ghosts.number_ghost(customer), None));
        }
        let key = self
            .store
            .ghost_key()?
            .ok_or_else(|| PostError::Retry(anyhow::anyhow!("the key of ghosts' names is not made yet")))?;
        let tag = key.customer_tag(entry, customer);
        let generation = self.store.ghost_generation(&tag)?;
        let ghost = ghosts.opaque_ghost(&key, entry, customer, generation);
        Ok((ghost, Some((tag, generation))))
    }

    /// The customer's ghost, registered, named and in `room`; an opaque
    /// one is recorded as having spoken at `at`.
    pub(in crate::matrix) async fn ghost_in(
        &self,
        ghosts: &Ghosts,
        room: &Room,
        entry: &str,
        customer: &str,
        at: Timestamp,
    ) -> Result<OwnedUserId, PostError> {
        let (ghost, opaque) = self.ghost_of(ghosts, entry, customer)?;
        let name = self.shown(customer);
        let named = format!("ghost/{ghost}");
        if self.store.get::<String>(&named)?.as_deref() != Some(name.as_str()) {
            ghosts.register(&ghost).await?;
            ghosts.set_display_name(&ghost, &name).await?;
            self.store.put(&named, &name);
        }
        let member = member_key(room, &ghost);
        if self.store.get::<bool>(&member)?.is_none() {
            if let Err(error) = room.invite_user_by_id(&ghost).await {
                // Already invited or joined (a crash before this was saved).
                tracing::debug!(%ghost, %error, "cannot invite the customer's ghost");
            }
            ghosts.join(&ghost, room.room_id()).await?;
            self.store.put(&member, &true);
        }
        if let Some((tag, generation)) = opaque {
            let last = self.store.ghost_record(&ghost)?.map(|r| r.last_active);
            if last.is_none_or(|last| last < at) {
                let record = GhostRecord {
                    customer: tag,
                    generation,
                    last_active: at,
                };
                self.store.set_ghost_record(&ghost, &record);
            }
        }
        Ok(ghost)
    }

    /// The customer's ghost leaves a closed conversation's room (appservice mode).
    pub(in crate::matrix) async fn ghost_leaves(&self, room: &Room, ghost: &UserId) {
        let Some(appservice) = &self.app.appservice else { return };
        if let Err(error) = appservice.ghosts.leave(ghost, room.room_id()).await {
            tracing::warn!(room = %room.room_id(), %ghost, %error, "the customer's ghost cannot leave a closed conversation's room");
        }
    }

    /// Whether `user` is a customer's ghost (appservice mode).
    pub(in crate::matrix) fn is_ghost(&self, user: &UserId) -> bool {
        self.app.appservice.as_ref().is_some_and(|a| a.ghosts.is_ghost(user))
    }
}
