//! Whom the bot writes to in which language: a user's `!language` choice
//! (kept in the bot's store), else their `language` in the config, else
//! `[matrix] language`, else English; and `!language [tag]` itself.

use matrix_sdk::room::Room;
use smsdesk_core::AgentId;

use crate::i18n::{catalogs, Lang};
use crate::matrix::outgoing::send::{PostError, Txns};
use crate::matrix::Bot;
use crate::tr;

impl Bot {
    /// The language the bot writes to `user` in.
    pub(in crate::matrix) fn lang_of(&self, user: &str) -> Lang {
        self.store
            .language(user)
            .ok()
            .flatten()
            .filter(|l| catalogs().has(l.as_str()))
            .unwrap_or_else(|| self.app.config.lang_of(user))
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
        let known: Vec<&str> = catalogs().languages().collect();
        let known = known.join(", ");
        let text = match tag.map(str::trim).map(str::to_ascii_lowercase) {
            None => tr!(
                self.lang_of(agent.as_str()),
                "language-current",
                lang = self.lang_of(agent.as_str()).to_string(),
                known = known
            ),
            Some(tag) if catalogs().has(&tag) => {
                let lang = Lang::new(tag);
                self.store.set_language(agent.as_str(), &lang);
                tr!(lang, "language-set", lang = lang.to_string())
            }
            Some(tag) => tr!(
                self.lang_of(agent.as_str()),
                "language-unknown",
                tag = tag,
                known = known
            ),
        };
        super::inbound::answer(room, txns, text).await
    }
}
