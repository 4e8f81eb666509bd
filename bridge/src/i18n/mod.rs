//! Every word smsdesk says to agents and supervisors comes from a Fluent
//! catalog (`locales/<language>/*.ftl`, Project Fluent's plural and select
//! rules): English and German are built in (`load::embedded`); a
//! `locales/` folder beside the config file adds languages or overrides
//! wordings at start. A key a language lacks falls back to English (one
//! WARN per key at start, never a blank); a key English lacks shows as its
//! id. Customers' texts are the operator's configured texts, never these.
//!
//! `Lang` is a reader's language; `tr!(lang, "id", name = value, ...)`
//! formats one message for them.
//!
//! Why our own loader and not `fluent-templates`: we need the list of ids
//! per language (to warn about missing ones at start and to test the
//! catalogs), a folder that may hold any tag, and a formatting error never
//! to hide a message that exists; `fluent-bundle` and `fluent-syntax` are
//! the maintained core that crate builds on too.

pub mod load;
mod template;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};

pub use fluent_bundle::FluentArgs as Args;
pub use fluent_bundle::FluentValue as Value;
pub use load::CatalogError;
use template::Template;

/// The language every catalog falls back to.
pub const FALLBACK: &str = "en";

/// One language's messages.
struct Catalog {
    bundle: FluentBundle<FluentResource>,
    ids: Vec<String>,
    /// Messages of nothing but text and variables, compiled at load (most
    /// of them: what a card, a notice or a table asks for, again and again).
    templates: HashMap<String, Template>,
}

/// Every language's catalog.
pub struct Catalogs {
    langs: BTreeMap<String, Catalog>,
}

impl std::fmt::Debug for Catalogs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalogs")
            .field("languages", &self.langs.keys().collect::<Vec<_>>())
            .finish()
    }
}

static CATALOGS: OnceLock<Catalogs> = OnceLock::new();

impl Catalogs {
    /// The built-in catalogs, with `extra` (a `locales/` folder) on top.
    pub fn load(extra: Option<&Path>) -> Result<Self, CatalogError> {
        let mut all = load::embedded()?;
        if let Some(dir) = extra {
            for (lang, files) in load::folder(dir)? {
                // A file of the folder replaces the built-in file of that name.
                let entry = all.entry(lang).or_default();
                for (name, resource) in files {
                    entry.retain(|(n, _)| n != &name);
                    entry.push((name, resource));
                }
            }
        }
        let mut langs = BTreeMap::new();
        for (lang, files) in all {
            let tag = lang.parse().map_err(|_| CatalogError {
                lang: lang.clone(),
                file: String::new(),
                message: format!("{lang:?} is not a language tag (e.g. de, fr, pt-BR)"),
            })?;
            let ids = load::ids(&files);
            let mut bundle = FluentBundle::new_concurrent(vec![tag]);
            bundle.set_use_isolating(false);
            for (file, resource) in files {
                bundle.add_resource(resource).map_err(|errors| CatalogError {
                    lang: lang.clone(),
                    file: file.clone(),
                    message: format!("{errors:?}"),
                })?;
            }
            let templates = templates(&bundle, &ids);
            langs.insert(lang, Catalog { bundle, ids, templates });
        }
        Ok(Self { langs })
    }

    /// The languages there are catalogs for.
    pub fn languages(&self) -> impl Iterator<Item = &str> {
        self.langs.keys().map(String::as_str)
    }

    pub fn has(&self, lang: &str) -> bool {
        self.langs.contains_key(lang)
    }

    /// The ids of `lang`'s catalog.
    pub fn ids(&self, lang: &str) -> &[String] {
        self.langs.get(lang).map_or(&[], |c| c.ids.as_slice())
    }

    /// (language, id) of every English message a language lacks.
    pub fn missing(&self) -> Vec<(String, String)> {
        let english = self.ids(FALLBACK);
        let mut out = Vec::new();
        for (lang, catalog) in &self.langs {
            for id in english.iter().filter(|id| !catalog.ids.contains(id)) {
                out.push((lang.clone(), id.clone()));
            }
        }
        out
    }

    /// The command aliases `lang`'s catalog adds (`alias-<command> = word
    /// word…`): (alias, command), lower-case.
    pub fn aliases(&self, lang: &str) -> Vec<(String, String)> {
        let Some(catalog) = self.langs.get(lang) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for id in &catalog.ids {
            let Some(command) = id.strip_prefix("alias-") else {
                continue;
            };
            let words = self.text(lang, id, None);
            for word in words.split_whitespace() {
                out.push((word.to_lowercase(), command.to_owned()));
            }
        }
        out
    }

    /// Message `id` in `lang` (else English, else the id itself).
    pub fn text(&self, lang: &str, id: &str, args: Option<&FluentArgs>) -> String {
        let list: Vec<(&str, FluentValue<'_>)> = args
            .map(|a| a.iter().map(|(k, v)| (k, v.clone())).collect())
            .unwrap_or_default();
        self.text_with(lang, id, &list)
    }

    /// Message `id` in `lang` (else English, else the id itself), with each
    /// `$name` of `args` set.
    pub fn text_with(&self, lang: &str, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        for l in [lang, FALLBACK] {
            let Some(catalog) = self.langs.get(l) else {
                continue;
            };
            if let Some(text) = catalog.templates.get(id).and_then(|t| t.render(args)) {
                return text;
            }
            let Some(pattern) = catalog.bundle.get_message(id).and_then(|m| m.value()) else {
                continue;
            };
            let mut fluent_args = FluentArgs::with_capacity(args.len());
            for (name, value) in args {
                fluent_args.set(*name, value.clone());
            }
            let mut errors = Vec::new();
            let text = catalog.bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
            if !errors.is_empty() {
                tracing::warn!(lang = l, id, ?errors, "a catalog message did not format cleanly");
            }
            return text.into_owned();
        }
        id.to_owned()
    }
}

/// The messages of `ids` that are text and variables only, compiled.
fn templates(bundle: &FluentBundle<FluentResource>, ids: &[String]) -> HashMap<String, Template> {
    ids.iter()
        .filter_map(|id| {
            let pattern = bundle.get_message(id)?.value()?;
            Some((id.clone(), Template::compile(pattern)?))
        })
        .collect()
}

/// The catalogs of this process: the built-in ones unless `init` added a folder.
pub fn catalogs() -> &'static Catalogs {
    CATALOGS.get_or_init(|| Catalogs::load(None).expect("the built-in catalogs parse (a test checks them)"))
}

/// Loads the catalogs with `extra` (a `locales/` folder beside the config)
/// and warns once per key a language lacks. Call before the first text.
pub fn init(extra: Option<&Path>) -> Result<(), CatalogError> {
    let loaded = Catalogs::load(extra)?;
    for (lang, id) in loaded.missing() {
        tracing::warn!(lang, id, "a catalog lacks a message: English is used for it");
    }
    let _ = CATALOGS.set(loaded);
    Ok(())
}

/// The catalog language that fits a browser's `Accept-Language` best
/// (`de-AT, de;q=0.9` reads German), if any does.
pub fn negotiate(accept_language: &str) -> Option<Lang> {
    use fluent_langneg::{accepted_languages, negotiate_languages, NegotiationStrategy};
    let requested = accepted_languages::parse(accept_language);
    let available: Vec<unic_langid::LanguageIdentifier> =
        catalogs().languages().filter_map(|l| l.parse().ok()).collect();
    negotiate_languages(&requested, &available, None, NegotiationStrategy::Lookup)
        .first()
        .map(|l| Lang::new(l.to_string()))
}

/// A reader's language (a tag with a catalog, such as `en` or `de`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Lang(String);

impl Default for Lang {
    fn default() -> Self {
        Self(FALLBACK.to_owned())
    }
}

impl Lang {
    pub fn new(tag: impl Into<String>) -> Self {
        Self(tag.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Message `id` without arguments.
    pub fn t(&self, id: &str) -> String {
        catalogs().text_with(&self.0, id, &[])
    }

    /// Message `id` with `args` (what `tr!` calls).
    pub fn t_with(&self, id: &str, args: &[(&str, Value<'_>)]) -> String {
        catalogs().text_with(&self.0, id, args)
    }

    /// Message `id` with `args`.
    pub fn t_args(&self, id: &str, args: &FluentArgs) -> String {
        catalogs().text(&self.0, id, Some(args))
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// `tr!(lang, "id")` or `tr!(lang, "id", name = value, ...)`: message `id`
/// in `lang`, with each `$name` set to its value (strings or numbers; a
/// number selects plural forms).
#[macro_export]
macro_rules! tr {
    ($lang:expr, $id:literal) => {
        $lang.t($id)
    };
    ($lang:expr, $id:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $lang.t_with($id, &[$((stringify!($name), $crate::i18n::Value::from($value))),+])
    };
}

#[cfg(test)]
mod tests;
