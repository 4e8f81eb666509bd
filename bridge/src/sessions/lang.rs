//! The language of a page (the wallboard, the desk): `?lang=` when it has
//! a catalog (a wall screen signed in with the operator's key has no
//! supervisor to take it from), else the signed-in person's choice with
//! `!language` in Matrix, else their own `language` in the config, else
//! the browser's `Accept-Language` (negotiated against the catalogs), else
//! `[matrix] language`, else English: the same order as the bot's, so an
//! agent reads their desk and their Matrix rooms in one language.
//!
//! `Chosen` holds the `!language` choices for the pages: the bot keeps
//! them durable in its own store, fills this at start and updates it on
//! each choice (the pages and the bot run in the same process, the
//! leader's).

use std::collections::BTreeMap;
use std::sync::{PoisonError, RwLock};

use axum::http::{header, HeaderMap};

use crate::config::Config;
use crate::i18n::{self, Lang};

/// The languages people chose with `!language`, by Matrix user id.
#[derive(Debug, Default)]
pub struct Chosen(RwLock<BTreeMap<String, Lang>>);

impl Chosen {
    /// `user`'s choice, if it still has a catalog.
    pub fn of(&self, user: &str) -> Option<Lang> {
        let chosen = self.0.read().unwrap_or_else(PoisonError::into_inner);
        chosen.get(user).filter(|l| i18n::catalogs().has(l.as_str())).cloned()
    }

    pub fn set(&self, user: &str, lang: Lang) {
        let mut chosen = self.0.write().unwrap_or_else(PoisonError::into_inner);
        chosen.insert(user.to_owned(), lang);
    }

    /// All choices at once (the bot's store, read at start).
    pub fn replace_all(&self, all: impl IntoIterator<Item = (String, Lang)>) {
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = all.into_iter().collect();
    }
}

/// `user`'s language where no page asks: their `!language` choice, else
/// the config's (their own `language`, else `[matrix] language`).
pub fn lang_of(config: &Config, chosen: &Chosen, user: &str) -> Lang {
    chosen.of(user).unwrap_or_else(|| config.lang_of(user))
}

/// The page language for `user` (if signed in), asking for `asked`.
pub fn page_lang(
    config: &Config,
    chosen: &Chosen,
    user: Option<&str>,
    asked: Option<&str>,
    headers: &HeaderMap,
) -> Lang {
    asked
        .filter(|l| i18n::catalogs().has(l))
        .map(Lang::new)
        .or_else(|| user.and_then(|u| chosen.of(u).or_else(|| config.own_lang(u))))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(i18n::negotiate)
        })
        .unwrap_or_else(|| config.default_lang())
}
