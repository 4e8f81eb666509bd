//! After `smsdesk import-store` copied the one-machine (sled) stores into
//! PostgreSQL, they are moved out of the way: into
//! `storage.path/imported-<YYYY-MM-DD>/` (UTC; `-2`, `-3`… when that name
//! is taken). `storage.path` stays, because an instance on PostgreSQL still
//! keeps its own things there (`dead-letters/`, `spool/`, `plugin-cache/`);
//! only the stores the database now holds leave it. So no instance started
//! later sees a stale store at `storage.path` (an `export`, a restore
//! script, or an operator switching `backend` back would otherwise read
//! the desk as it was before the import), and restoring a copy of
//! `storage.path` cannot bring the old store back as if it were current.
//!
//! The engine store's `db` goes first: once it is gone, `storage.path` no
//! longer looks like a store, even if the moves stop part way.

use std::path::{Path, PathBuf};

/// What the import copied, as named under `storage.path`: the engine's
/// sled files, then the bot's store, the appservice inbox and attachments.
const ENGINE_FILES: &[&str] = &["db", "conf", "wal", "blobs", "events", "outbox"];
const STORES: &[&str] = &["matrix", "appservice", "media"];

/// Where the imported stores of `storage` go: `imported-<date>`, or the
/// first `imported-<date>-N` not taken.
fn destination(storage: &Path, date: &str) -> PathBuf {
    let first = storage.join(format!("imported-{date}"));
    if !first.exists() {
        return first;
    }
    (2u32..)
        .map(|n| storage.join(format!("imported-{date}-{n}")))
        .find(|p| !p.exists())
        .unwrap_or(first)
}

/// Moves the one-machine stores under `storage` into a new
/// `imported-<date>` folder (owner only); the folder. `date` is
/// `YYYY-MM-DD`.
pub fn move_aside(storage: &Path, date: &str) -> std::io::Result<PathBuf> {
    let to = destination(storage, date);
    std::fs::create_dir(&to)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&to, std::fs::Permissions::from_mode(0o700))?;
    }
    let mut names: Vec<String> = ENGINE_FILES.iter().map(|s| (*s).to_owned()).collect();
    // sled's snapshots (`snap.<hex>`) belong to its `db`.
    for entry in std::fs::read_dir(storage)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name.starts_with("snap.") {
            names.push(name);
        }
    }
    names.extend(STORES.iter().map(|s| (*s).to_owned()));
    for name in names {
        let from = storage.join(&name);
        if from.symlink_metadata().is_ok() {
            std::fs::rename(&from, to.join(&name))
                .map_err(|e| std::io::Error::new(e.kind(), format!("moving {}: {e}", from.display())))?;
        }
    }
    Ok(to)
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    jiff::Timestamp::now().strftime("%Y-%m-%d").to_string()
}

/// The folders earlier imports left under `storage`, oldest name first.
pub fn earlier(storage: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(storage)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("imported-"))
        .map(|e| e.path())
        .collect();
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stores_move_into_a_dated_folder_and_the_instance_s_own_things_stay() {
        let dir = tempfile::tempdir().unwrap();
        let s = dir.path();
        for f in ["db", "conf", "wal", "snap.0000000000001234"] {
            std::fs::write(s.join(f), f).unwrap();
        }
        for d in [
            "blobs",
            "events",
            "outbox",
            "matrix",
            "appservice",
            "media",
            "dead-letters",
            "plugin-cache",
            "spool",
        ] {
            std::fs::create_dir(s.join(d)).unwrap();
            std::fs::write(s.join(d).join("x"), d).unwrap();
        }
        let to = move_aside(s, "2026-12-06").unwrap();
        assert_eq!(to, s.join("imported-2026-12-06"));
        for gone in [
            "db",
            "conf",
            "wal",
            "snap.0000000000001234",
            "blobs",
            "events",
            "outbox",
            "matrix",
            "appservice",
            "media",
        ] {
            assert!(!s.join(gone).exists(), "{gone} is still in storage.path");
            assert!(to.join(gone).exists(), "{gone} was not moved");
        }
        for kept in ["dead-letters", "plugin-cache", "spool"] {
            assert_eq!(std::fs::read_to_string(s.join(kept).join("x")).unwrap(), kept);
        }
        assert_eq!(std::fs::read_to_string(to.join("wal")).unwrap(), "wal");
        // A second import the same day never mixes into the first's folder.
        std::fs::write(s.join("db"), "again").unwrap();
        let second = move_aside(s, "2026-12-06").unwrap();
        assert_eq!(second, s.join("imported-2026-12-06-2"));
        assert_eq!(std::fs::read_to_string(second.join("db")).unwrap(), "again");
        assert_eq!(std::fs::read_to_string(to.join("db")).unwrap(), "db");
        assert_eq!(earlier(s), vec![to, second]);
        assert_eq!(today().len(), 10);
    }
}
