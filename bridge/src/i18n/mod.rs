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

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use serde::{Deserialize, Serialize};

pub use fluent_bundle::FluentArgs as Args;
pub use load::CatalogError;

/// The language every catalog falls back to.
pub const FALLBACK: &str = "en";

/// One language's messages.
struct Catalog {
    bundle: FluentBundle<FluentResource>,
    ids: Vec<String>,
    /// Messages without placeables, formatted once at load (labels, titles:
    /// most of what a card or a list asks for).
    fixed: std::collections::HashMap<String, String>,
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
            let fixed = fixed_texts(&bundle, &ids);
            langs.insert(lang, Catalog { bundle, ids, fixed });
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
        for l in [lang, FALLBACK] {
            let Some(catalog) = self.langs.get(l) else {
                continue;
            };
            if let Some(text) = catalog.fixed.get(id) {
                return text.clone();
            }
            let Some(pattern) = catalog.bundle.get_message(id).and_then(|m| m.value()) else {
                continue;
            };
            let mut errors = Vec::new();
            let text = catalog.bundle.format_pattern(pattern, args, &mut errors);
            if !errors.is_empty() {
                tracing::warn!(lang = l, id, ?errors, "a catalog message did not format cleanly");
            }
            return text.into_owned();
        }
        id.to_owned()
    }
}

/// The messages of `ids` that have no placeable, formatted.
fn fixed_texts(bundle: &FluentBundle<FluentResource>, ids: &[String]) -> std::collections::HashMap<String, String> {
    let mut out = std::collections::HashMap::new();
    for id in ids {
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            continue;
        };
        let plain = pattern
            .elements
            .iter()
            .all(|e| matches!(e, fluent_syntax::ast::PatternElement::TextElement { .. }));
        if plain {
            let mut errors = Vec::new();
            out.insert(
                id.clone(),
                bundle.format_pattern(pattern, None, &mut errors).into_owned(),
            );
        }
    }
    out
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
        catalogs().text(&self.0, id, None)
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
    ($lang:expr, $id:literal, $($name:ident = $value:expr),+ $(,)?) => {{
        let mut args = $crate::i18n::Args::new();
        $(args.set(stringify!($name), $value);)+
        $lang.t_args($id, &args)
    }};
}

#[cfg(test)]
mod tests;
