//! Whom the bot writes to in which language: a user's `!language` choice
//! (kept in the bot's store), else their `language` in the config, else
//! `[matrix] language`, else English; and `!language [tag]` itself.

use matrix_sdk::room::Room;
use matrix_sdk::ruma::RoomId;
use smsdesk_core::AgentId;

use crate::i18n::{catalogs, Lang};
use crate::matrix::outgoing::send::{PostError, Txns};
use crate::matrix::store::RoomRole;
use crate::matrix::Bot;
use crate::tr;

impl Bot {
    /// The language the bot writes to `user` in.
    /// One rule with the pages' (`sessions::lang`): the bot's store is
    /// read into `app.languages` at start and each choice kept in both.
    pub(in crate::matrix) fn lang_of(&self, user: &str) -> Lang {
        crate::sessions::lang::lang_of(&self.app.config, &self.app.languages, user)
    }

    /// The language of one of the bot's rooms: its agent's or supervisor's,
    /// a conversation room's (`room_lang`), else `[matrix] language`.
    pub(in crate::matrix) async fn language_of_room(&self, room: &RoomId) -> Lang {
        match self.store.role(room) {
            Ok(Some(RoomRole::Desk(agent))) => self.lang_of(agent.as_str()),
            Ok(Some(RoomRole::Supervisor(user))) => self.lang_of(&user),
            Ok(Some(RoomRole::Conversation(id))) => {
                self.room_lang(id).await.unwrap_or_else(|_| self.app.config.lang_of(""))
            }
            _ => self.app.config.lang_of(""),
        }
    }

    /// `!language`: says the current language and the ones there are;
    /// `!language de`: keeps the choice and answers in the new language.
    pub(super) async fn choose_language(
        &self,
        room: &Room,
        agent: &AgentId,
        tag: Option<&str>,
        txns: &Txns,
    ) -> Result<(), PostError> {
        super::inbound::answer(room, txns, self.language_answer(agent.as_str(), tag)).await
    }

    /// The answer to `user`'s `!language [tag]` (an agent's or a
    /// supervisor's), keeping a new choice.
    pub(in crate::matrix) fn language_answer(&self, user: &str, tag: Option<&str>) -> String {
        let known: Vec<&str> = catalogs().languages().collect();
        let known = known.join(", ");
        let current = self.lang_of(user);
        match tag.map(str::trim).map(str::to_ascii_lowercase) {
            None => tr!(current, "language-current", lang = current.to_string(), known = known),
            Some(tag) if catalogs().has(&tag) => {
                let lang = Lang::new(tag);
                self.store.set_language(user, &lang);
                self.app.languages.set(user, lang.clone());
                tr!(lang, "language-set", lang = lang.to_string())
            }
            Some(tag) => tr!(current, "language-unknown", tag = tag, known = known),
        }
    }
}
