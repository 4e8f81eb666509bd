//! Reactions agents put on the bot's messages: the buttons of `buttons`,
//! pressed. The bot puts its own reactions on offer cards and wrap-up lists
//! (`add_buttons`); an agent's reaction on one of them runs the command it
//! stands for, and is answered at most once (the answer's transaction id
//! comes from the reaction's event id). Reactions on anything else, and the
//! bot's own, are left alone: none ever reaches a customer.

use std::sync::Weak;

use matrix_sdk::event_handler::Ctx;
use matrix_sdk::room::Room;
use matrix_sdk::ruma::events::reaction::OriginalSyncReactionEvent;
use matrix_sdk::ruma::{OwnedEventId, OwnedTransactionId};
use smsdesk_core::AgentId;

use crate::matrix::outgoing::send::{self, PostError, Txns};
use crate::matrix::texts::buttons::{press, Button, Pressed};
use crate::matrix::{texts::notices, Bot};

/// A transaction id of its own for each button the bot puts on one message
/// (the key's code points in hex: transaction ids go in a URL path).
fn button_txn(base: &OwnedTransactionId, key: &str) -> OwnedTransactionId {
    let code: Vec<String> = key.chars().map(|c| format!("{:x}", u32::from(c))).collect();
    OwnedTransactionId::from(format!("{base}.{}", code.join("-")))
}

impl Bot {
    /// Puts `keys` on `event` as the bot's own reactions, and remembers what it is.
    pub(in crate::matrix) async fn add_buttons(
        &self,
        room: &Room,
        event: &OwnedEventId,
        button: &Button,
        keys: &[&str],
        txn: &OwnedTransactionId,
    ) -> Result<(), PostError> {
        self.store.set_button(event, button);
        for key in keys {
            send::react(room, event.clone(), key, button_txn(txn, key)).await?;
        }
        Ok(())
    }
}

pub(in crate::matrix) async fn on_reaction(event: OriginalSyncReactionEvent, room: Room, Ctx(bot): Ctx<Weak<Bot>>) {
    // The login ended (its Bot is gone): nothing to do.
    let Some(bot) = bot.upgrade() else {
        return;
    };
    if bot.is_us(&event.sender) {
        return;
    }
    if let Err(error) = bot.pressed(&room, &event).await {
        tracing::warn!(%error, "handling a reaction failed");
    }
}

impl Bot {
    async fn pressed(&self, room: &Room, event: &OriginalSyncReactionEvent) -> Result<(), PostError> {
        let target = &event.content.relates_to.event_id;
        let Some(button) = self.store.button(target)? else {
            return Ok(());
        };
        let sender = AgentId::new(event.sender.to_string());
        let txns = Txns::for_answer(&event.event_id);
        let lang = self.lang_of(sender.as_str());
        let text = match press(&button, &sender, &event.content.relates_to.key, &lang) {
            Pressed::Ignore => return Ok(()),
            Pressed::Answer(text) => text,
            Pressed::Canned {
                conversation,
                name,
                text,
            } => {
                return self
                    .send_canned(room, sender, conversation, (&name, &text), &txns)
                    .await
            }
            Pressed::Engine(command) => match self.app.execute(command).await.map_err(PostError::retry)? {
                // Shown by the feed (the card edited, the room opened...): that is the answer.
                Ok(done) if !done.records.is_empty() => return Ok(()),
                Ok(_) => notices::nothing_to_change(&lang),
                Err(rejection) => notices::command_refused(&lang, &rejection),
            },
        };
        send::notice(room, &text, Some(txns.part("answer"))).await?;
        Ok(())
    }
}
