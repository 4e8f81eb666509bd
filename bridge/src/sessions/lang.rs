//! The language of a page (the wallboard, the desk): `?lang=` when it has
//! a catalog (a wall screen signed in with the operator's key has no
//! supervisor to take it from), else the signed-in person's own `language`
//! in the config, else the browser's `Accept-Language` (negotiated against
//! the catalogs), else `[matrix] language`, else English.

use axum::http::{header, HeaderMap};

use crate::config::Config;
use crate::i18n::{self, Lang};

/// The page language for `user` (if signed in), asking for `asked`.
pub fn page_lang(config: &Config, user: Option<&str>, asked: Option<&str>, headers: &HeaderMap) -> Lang {
    asked
        .filter(|l| i18n::catalogs().has(l))
        .map(Lang::new)
        .or_else(|| user.and_then(|u| config.own_lang(u)))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(i18n::negotiate)
        })
        .unwrap_or_else(|| config.default_lang())
}
