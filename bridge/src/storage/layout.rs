//! The storage directory's layout: `storage.path` made (owner only) and
//! what an older smsdesk kept beside it moved in, so that everything this
//! machine keeps lives under one directory. Moves work across
//! filesystems (`storage.path` may be a mount point of its own).

use std::path::Path;

use anyhow::Context as _;

use crate::config::Config;

/// Moves what an older smsdesk kept beside `storage.path` (`../matrix`,
/// `../dead-letters`) into it, so that everything lives under one directory.
pub fn adopt_old_layout(config: &Config) -> anyhow::Result<()> {
    let storage = &config.storage;
    std::fs::create_dir_all(storage).with_context(|| format!("creating {}", storage.display()))?;
    // Owner only, also for a directory an older smsdesk created.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(storage, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("making {} private", storage.display()))?;
    }
    for (old_name, new) in [
        ("matrix", config.matrix_store_dir()),
        ("dead-letters", config.dead_letters_dir()),
    ] {
        let old = storage.with_file_name(old_name);
        if old == *storage || !old.is_dir() || new.exists() {
            continue;
        }
        move_dir(&old, &new).with_context(|| format!("moving {} to {}", old.display(), new.display()))?;
        tracing::info!(from = %old.display(), to = %new.display(), "moved into the storage directory (older layout)");
    }
    Ok(())
}

/// `rename`, or copy and remove where `rename` cannot (`storage.path` on
/// another filesystem, e.g. a mount point of its own).
fn move_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    /// EXDEV: a rename across filesystems.
    const CROSS_DEVICE: i32 = 18;
    match std::fs::rename(from, to) {
        Err(e) if e.raw_os_error() == Some(CROSS_DEVICE) => {
            copy_dir(from, to)?;
            std::fs::File::open(to)?.sync_all()?;
            std::fs::remove_dir_all(from)
        }
        other => other,
    }
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
            std::fs::File::open(&target)?.sync_all()?;
        }
    }
    Ok(())
}
