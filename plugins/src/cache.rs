//! Precompiled components on disk. Compiling a component takes tens of
//! milliseconds; loading its precompiled form takes well under one. Entries
//! are keyed by the SHA-256 of the component bytes and a hash of the
//! wasmtime version and engine configuration, so a changed plugin, a new
//! smsdesk build or other engine settings never pick up a stale entry.
//!
//! The cache directory must be as trusted as the smsdesk binary itself:
//! loading a precompiled file runs its machine code. `Cache::usable` checks
//! that no one else can write it (or a folder above it) before each use,
//! and the cache is not used when they could.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::component::Component;
use wasmtime::Engine;

/// Feeds `Hash` output into SHA-256, for a stable engine fingerprint.
struct ShaHasher(Sha256);

impl Hasher for ShaHasher {
    fn finish(&self) -> u64 {
        0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}

/// Where a component's precompiled form lives, or would live.
pub fn key(engine: &Engine, bytes: &[u8]) -> String {
    let mut engine_hash = ShaHasher(Sha256::new());
    engine.precompile_compatibility_hash().hash(&mut engine_hash);
    let engine_hash = engine_hash.0.finalize();
    let content = Sha256::digest(bytes);
    format!("{}-{}", hex::encode(&content[..16]), hex::encode(&engine_hash[..8]))
}

#[derive(Clone, Debug)]
pub struct Cache {
    dir: PathBuf,
}

/// How a component was obtained, for logs and the benchmark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Compiled,
    Cached,
}

impl Cache {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn path_for(&self, engine: &Engine, bytes: &[u8]) -> PathBuf {
        entry_in(&self.dir, engine, bytes)
    }

    /// Loads from the cache, or compiles and stores. Cache problems are
    /// logged and fall back to compiling; they never fail the load.
    pub fn load(&self, engine: &Engine, bytes: &[u8]) -> wasmtime::Result<(Component, Source)> {
        let dir = match self.usable() {
            Ok(dir) => dir,
            Err(error) => {
                tracing::warn!(dir = %self.dir.display(), %error, "the plugin cache is not used; compiling without it");
                return Ok((Component::new(engine, bytes)?, Source::Compiled));
            }
        };
        let path = entry_in(&dir, engine, bytes);
        if path.exists() {
            match deserialize(engine, &path) {
                Ok(c) => return Ok((c, Source::Cached)),
                Err(error) => tracing::warn!(path = %path.display(), %error, "unusable cache entry; recompiling"),
            }
        }
        let component = Component::new(engine, bytes)?;
        if let Err(error) = store(&dir, &path, &component) {
            tracing::warn!(path = %path.display(), %error, "could not write the plugin cache");
        }
        Ok((component, Source::Compiled))
    }

    /// Makes the directory if need be and says whether it may be used: the
    /// path to use (symbolic links resolved), or why not. What is loaded
    /// from here runs as native code, so nobody else may write it or
    /// anything above it:
    /// - the directory is its owner's only (0700), whoever runs smsdesk and
    ///   with whatever umask (`check-config` too), and owned by this
    ///   process's user: root could read another user's, and would run
    ///   what that user put there;
    /// - every folder above it is owned by root or this user and writable
    ///   by no one else, unless sticky (`/tmp`), so no one can swap a part
    ///   of the path between this check and a load;
    /// - a directory found open to others that holds compiled plugins only
    ///   is closed and emptied (anyone could have put native code in it);
    ///   one that holds anything else is not touched, and not used: it is
    ///   not a cache folder (`SMSDESK_PLUGIN_CACHE=.` in a crate, say).
    pub fn usable(&self) -> std::io::Result<PathBuf> {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&self.dir)?;
        let dir = std::fs::canonicalize(&self.dir)?;
        #[cfg(unix)]
        secure(&dir)?;
        Ok(dir)
    }
}

/// The entry for `bytes` compiled by `engine`, in `dir`.
fn entry_in(dir: &Path, engine: &Engine, bytes: &[u8]) -> PathBuf {
    dir.join(format!("{}.cwasm", key(engine, bytes)))
}

/// Whether `name` is one of the cache's own files: an entry, or one being written.
fn ours(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.ends_with(".cwasm") || name.starts_with(".tmp")
}

/// The checks of `Cache::usable` on `dir` (absolute, no symbolic links).
#[cfg(unix)]
fn secure(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
    let me = rustix::process::geteuid().as_raw();
    let refuse = |why: String| Err(std::io::Error::other(why));
    for above in dir.ancestors().skip(1) {
        let m = std::fs::metadata(above)?;
        if m.uid() != 0 && m.uid() != me {
            return refuse(format!(
                "{} is owned by user {}, not by root or this user ({me})",
                above.display(),
                m.uid()
            ));
        }
        if m.mode() & 0o022 != 0 && m.mode() & 0o1000 == 0 {
            return refuse(format!(
                "others may write {} ({:o})",
                above.display(),
                m.mode() & 0o7777
            ));
        }
    }
    let m = std::fs::metadata(dir)?;
    if m.uid() != me {
        return refuse(format!(
            "owned by user {}, not by this process's user {me}: chown it or remove it",
            m.uid()
        ));
    }
    if m.mode() & 0o077 == 0 {
        return Ok(());
    }
    let entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    if let Some(other) = entries.iter().find(|e| !ours(&e.file_name())) {
        return refuse(format!(
            "open to others ({:o}) and holding {:?}, which is not a compiled plugin: not a cache folder, left as it is",
            m.mode() & 0o777,
            other.file_name()
        ));
    }
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    for entry in entries {
        std::fs::remove_file(entry.path())?;
    }
    tracing::warn!(dir = %dir.display(), "the plugin cache was open to others: closed and emptied");
    Ok(())
}

/// Writes the compiled plugin, owner-only (0600), under a name no other
/// writer shares, then renames it into place.
fn store(dir: &Path, path: &Path, component: &Component) -> anyhow_like::Result<()> {
    let bytes = component.serialize()?;
    let mut file = tempfile::Builder::new().prefix(".tmp").tempfile_in(dir)?;
    std::io::Write::write_all(&mut file, &bytes)?;
    file.persist(path)?;
    Ok(())
}

mod anyhow_like {
    pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;
}

#[allow(unsafe_code)]
fn deserialize(engine: &Engine, path: &Path) -> wasmtime::Result<Component> {
    // SAFETY: wasmtime requires that the file was produced by `serialize` of
    // a compatible engine. Files in this directory are written only by
    // `store` above, under a key that includes the engine's compatibility
    // hash; wasmtime additionally checks the header and engine settings and
    // rejects a mismatch. The directory passed `Cache::usable`: no one but
    // this user (and root) can write it or swap a folder above it.
    unsafe { Component::deserialize_file(engine, path) }
}
