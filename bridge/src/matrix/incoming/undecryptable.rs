//! A message the bot cannot decrypt when it arrives (its room key has not
//! reached the bot's device yet, or the writer's client withheld it). It
//! is tried again as keys arrive, for a bounded time; once readable it is
//! handled like any message; if it never is, its writer is told in that
//! room that nothing of it was sent. Nothing is silent, and nothing of an
//! unreadable message reaches the customer.

use std::sync::{Arc, Weak};
use std::time::Duration;

use matrix_sdk::deserialized_responses::TimelineEventKind;
use matrix_sdk::event_handler::{Ctx, RawEvent};
use matrix_sdk::room::Room;
use matrix_sdk::ruma::events::room::encrypted::OriginalSyncRoomEncryptedEvent;
use matrix_sdk::ruma::events::room::message::OriginalSyncRoomMessageEvent;
use matrix_sdk::ruma::serde::Raw;

use crate::matrix::outgoing::send::{self, Txns};
use crate::matrix::texts::notices;
use crate::matrix::Bot;

/// How long a message may wait for its key before its writer is told.
const KEY_WAIT: Duration = Duration::from_secs(30);

/// `KEY_WAIT`, or less for the tests (`SMSDESK_TEST_KEY_WAIT_SECS`: they
/// wait for the notice, and 30 s of waiting was their longest part).
fn key_wait() -> Duration {
    std::env::var("SMSDESK_TEST_KEY_WAIT_SECS")
        .ok()
        .and_then(|secs| secs.parse().ok())
        .map_or(KEY_WAIT, Duration::from_secs)
}
/// How often it is tried again meanwhile.
const RETRY: Duration = Duration::from_secs(1);

/// An `m.room.encrypted` event the sync could not decrypt, in one of the
/// bot's rooms: waited on in the background.
pub(in crate::matrix) async fn on_encrypted(
    event: OriginalSyncRoomEncryptedEvent,
    room: Room,
    RawEvent(raw): RawEvent,
    Ctx(bot): Ctx<Weak<Bot>>,
) {
    // The login ended (its Bot is gone): nothing to do.
    let Some(bot) = bot.upgrade() else {
        return;
    };
    if bot.is_us(&event.sender) || !matches!(bot.store.role(room.room_id()), Ok(Some(_))) {
        return;
    }
    let raw: Raw<OriginalSyncRoomEncryptedEvent> = Raw::from_json(raw);
    tracing::info!(room = %room.room_id(), event = %event.event_id, "a message the bot cannot decrypt yet; waiting for its key");
    let waiting = bot.clone();
    bot.spawn(async move { waiting.wait_for_key(room, event, raw).await });
}

impl Bot {
    async fn wait_for_key(
        self: Arc<Self>,
        room: Room,
        event: OriginalSyncRoomEncryptedEvent,
        raw: Raw<OriginalSyncRoomEncryptedEvent>,
    ) {
        let tries = key_wait().as_secs() / RETRY.as_secs();
        for _ in 0..tries {
            tokio::time::sleep(RETRY).await;
            let Ok(decrypted) = room.decrypt_event(&raw, None).await else {
                continue;
            };
            if matches!(decrypted.kind, TimelineEventKind::UnableToDecrypt { .. }) {
                continue;
            }
            // Readable now: a message is handled as if it had just come.
            if let Ok(message) = decrypted
                .raw()
                .deserialize_as_unchecked::<OriginalSyncRoomMessageEvent>()
            {
                tracing::info!(room = %room.room_id(), event = %event.event_id, "decrypted a message once its key came");
                super::inbound::on_message(message, room, Ctx(Arc::downgrade(&self))).await;
            }
            return;
        }
        let sent_at = jiff::Timestamp::from_millisecond(i64::from(event.origin_server_ts.0))
            .map(|t| t.strftime("%H:%M").to_string())
            .unwrap_or_default();
        tracing::warn!(room = %room.room_id(), event = %event.event_id, sender = %event.sender, "could not decrypt a message in time; telling its writer");
        let txns = Txns::for_answer(&event.event_id);
        if let Err(error) = send::notice(
            &room,
            notices::undecryptable(&self.lang_of(event.sender.as_str()), &sent_at),
            Some(txns.part("undecryptable")),
        )
        .await
        {
            tracing::warn!(%error, "cannot tell the writer of an undecryptable message");
        }
    }
}
