//! Reading catalogs: the embedded ones (`locales/` at build time) and a
//! `locales/` folder beside the config file (read at start: a language
//! added or a wording changed without a rebuild). Each language's files are
//! parsed with Fluent's own parser; a file that does not parse is named
//! with the line of its first mistake.

use std::collections::BTreeMap;
use std::path::Path;

use fluent_bundle::FluentResource;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/catalogs.rs"));
}

/// One language's catalog files, parsed: (file name, resource).
pub type Files = Vec<(String, FluentResource)>;

/// A catalog file that cannot be read as Fluent.
#[derive(Debug, thiserror::Error)]
#[error("locales/{lang}/{file}: {message}")]
pub struct CatalogError {
    pub lang: String,
    pub file: String,
    pub message: String,
}

fn parse(lang: &str, file: &str, text: String) -> Result<FluentResource, CatalogError> {
    FluentResource::try_new(text).map_err(|(resource, errors)| {
        let first = errors.first().map_or(0, |e| e.pos.start);
        let line = resource.source()[..first.min(resource.source().len())]
            .matches('\n')
            .count()
            + 1;
        CatalogError {
            lang: lang.to_owned(),
            file: file.to_owned(),
            message: format!(
                "line {line}: {} (Fluent syntax)",
                errors.first().map_or_else(String::new, |e| e.kind.to_string())
            ),
        }
    })
}

/// The catalogs built into the binary, by language.
pub fn embedded() -> Result<BTreeMap<String, Files>, CatalogError> {
    let mut out: BTreeMap<String, Files> = BTreeMap::new();
    for (lang, file, text) in embedded::EMBEDDED {
        let resource = parse(lang, file, (*text).to_owned())?;
        out.entry((*lang).to_owned())
            .or_default()
            .push(((*file).to_owned(), resource));
    }
    Ok(out)
}

/// The catalogs in `dir` (`<dir>/<language>/*.ftl`), by language; none if
/// the folder does not exist.
pub fn folder(dir: &Path) -> Result<BTreeMap<String, Files>, CatalogError> {
    let mut out: BTreeMap<String, Files> = BTreeMap::new();
    let Ok(langs) = std::fs::read_dir(dir) else {
        return Ok(out);
    };
    let mut found = Vec::new();
    for lang in langs.flatten().filter(|e| e.path().is_dir()) {
        let lang_name = lang.file_name().to_string_lossy().into_owned();
        let Ok(files) = std::fs::read_dir(lang.path()) else {
            continue;
        };
        for f in files.flatten() {
            let path = f.path();
            if path.extension().is_some_and(|x| x == "ftl") {
                found.push((lang_name.clone(), path));
            }
        }
    }
    found.sort();
    for (lang, path) in found {
        let file = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(&path).map_err(|e| CatalogError {
            lang: lang.clone(),
            file: file.clone(),
            message: format!("cannot be read: {e}"),
        })?;
        let resource = parse(&lang, &file, text)?;
        out.entry(lang).or_default().push((file, resource));
    }
    Ok(out)
}

/// The message ids a catalog's files define.
pub fn ids(files: &Files) -> Vec<String> {
    let mut out = Vec::new();
    for (_, resource) in files {
        for entry in resource.entries() {
            if let fluent_syntax::ast::Entry::Message(m) = entry {
                out.push(m.id.name.to_owned());
            }
        }
    }
    out
}
