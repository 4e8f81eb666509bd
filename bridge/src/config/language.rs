//! `language` keys (`[matrix]`, `[[agents.roster]]`, `[[supervisors]]`): a
//! tag with a catalog, built in (`en`, `de`) or in a `locales/` folder
//! beside the config file. An unknown tag is named with the ones there are.

use crate::i18n::{Catalogs, Lang};

use super::reader::{join, Reader};

/// The `language` of the table at `path`, if set and known.
pub fn read(r: &mut Reader, t: &toml::Table, path: &str) -> Option<Lang> {
    let tag = r.string(t, path, "language", false)?;
    let key = join(path, "language");
    match Catalogs::load(Some(&r.base.join("locales"))) {
        Ok(catalogs) if catalogs.has(&tag) => Some(Lang::new(tag)),
        Ok(catalogs) => {
            let known: Vec<&str> = catalogs.languages().collect();
            r.err(
                &key,
                format!(
                    "{tag:?} has no catalog: use one of {}, or add its messages as locales/{tag}/*.ftl beside the config",
                    known.join(", ")
                ),
            );
            None
        }
        Err(e) => {
            r.err(&key, format!("the message catalogs cannot be read: {e}"));
            None
        }
    }
}
