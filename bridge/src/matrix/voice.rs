//! A customer's own words in a conversation room. In bot mode the bot
//! quotes them (`customer: …`, a notice). In appservice mode their ghost
//! says them: a plain message from `@{ghost_prefix}{digits}`, dated when
//! the SMS arrived (`ts=`). The ghost is registered and named (the number,
//! masked if agents see masked numbers) when first needed or when that
//! name changes, and invited and joined once per room; both are
//! remembered in the bot's store, so a room from bot-mode days gets its
//! ghost at the customer's next SMS. A closed conversation's ghost leaves.

use matrix_sdk::room::Room;
use matrix_sdk::ruma::events::room::message::RoomMessageEventContent;
use matrix_sdk::ruma::{MilliSecondsSinceUnixEpoch, OwnedUserId, TransactionId, UInt};
use smsdesk_core::{InboundSms, Timestamp};

use super::send::{self, PostError, Txns};
use super::{notices, Bot};
use crate::appservice::ghosts::GhostError;
use crate::appservice::Ghosts;

impl From<GhostError> for PostError {
    fn from(error: GhostError) -> Self {
        if error.refused_for_good() {
            Self::Skip(error.into())
        } else {
            Self::Retry(error.into())
        }
    }
}

fn millis(at: Timestamp) -> MilliSecondsSinceUnixEpoch {
    MilliSecondsSinceUnixEpoch(UInt::new(at.0).unwrap_or_default())
}

impl Bot {
    /// The customer's text, shown as the event of `txns` (at `at`).
    pub(super) async fn customer_says(
        &self,
        room: &Room,
        sms: &InboundSms,
        at: Timestamp,
        txns: &Txns,
    ) -> Result<(), PostError> {
        let txn = txns.part("room");
        match self.ghost_in(room, sms.from.as_str()).await? {
            None => {
                send::notice(room, &notices::customer_line(sms), Some(txn)).await?;
            }
            // A picture alone has no text; it follows as the ghost's image.
            Some(_) if sms.body.is_empty() => {}
            Some((ghosts, ghost)) => {
                let content = RoomMessageEventContent::text_plain(sms.body.clone());
                ghosts.send(&ghost, room.room_id(), &content, &txn, millis(at)).await?;
            }
        }
        Ok(())
    }

    /// A customer's attachment: posted by their ghost, or by the bot in bot mode.
    pub(super) async fn customer_posts(
        &self,
        room: &Room,
        customer: &str,
        content: RoomMessageEventContent,
        txn: &TransactionId,
        at: Timestamp,
    ) -> Result<(), PostError> {
        match self.ghost_in(room, customer).await? {
            None => {
                room.send(content).with_transaction_id(txn.to_owned()).await?;
            }
            Some((ghosts, ghost)) => {
                ghosts.send(&ghost, room.room_id(), &content, txn, millis(at)).await?;
            }
        }
        Ok(())
    }

    /// In appservice mode, the customer's ghost, made ready to speak in
    /// `room`; `None` in bot mode.
    async fn ghost_in(&self, room: &Room, customer: &str) -> Result<Option<(&Ghosts, OwnedUserId)>, PostError> {
        let Some(appservice) = &self.app.appservice else {
            return Ok(None);
        };
        let ghosts = &appservice.ghosts;
        let ghost = ghosts.user_id(customer);
        let name = self.shown(customer);
        let named = format!("ghost/{ghost}");
        if self.store.get::<String>(&named)?.as_deref() != Some(name.as_str()) {
            ghosts.register(&ghost).await?;
            ghosts.set_display_name(&ghost, &name).await?;
            self.store.put(&named, &name);
        }
        let member = format!("ghost-in/{}/{ghost}", room.room_id());
        if self.store.get::<bool>(&member)?.is_none() {
            if let Err(error) = room.invite_user_by_id(&ghost).await {
                // Already invited or joined (a crash before this was saved).
                tracing::debug!(%ghost, %error, "cannot invite the customer's ghost");
            }
            ghosts.join(&ghost, room.room_id()).await?;
            self.store.put(&member, &true);
        }
        Ok(Some((ghosts, ghost)))
    }

    /// The customer's ghost leaves a closed conversation's room (appservice mode).
    pub(super) async fn ghost_leaves(&self, room: &Room, ghost: &matrix_sdk::ruma::UserId) {
        let Some(appservice) = &self.app.appservice else { return };
        if let Err(error) = appservice.ghosts.leave(ghost, room.room_id()).await {
            tracing::warn!(room = %room.room_id(), %ghost, %error, "the customer's ghost cannot leave a closed conversation's room");
        }
    }

    /// Whether `user` is a customer's ghost (appservice mode).
    pub(super) fn is_ghost(&self, user: &matrix_sdk::ruma::UserId) -> bool {
        self.app.appservice.as_ref().is_some_and(|a| a.ghosts.is_ghost(user))
    }
}
