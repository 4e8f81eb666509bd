//! Precompiled components on disk. Compiling a component takes tens of
//! milliseconds; loading its precompiled form takes well under one. Entries
//! are keyed by the SHA-256 of the component bytes and a hash of the
//! wasmtime version and engine configuration, so a changed plugin, a new
//! smsdesk build or other engine settings never pick up a stale entry.
//!
//! The cache directory must be as trusted as the smsdesk binary itself:
//! loading a precompiled file runs its machine code.

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
        self.dir.join(format!("{}.cwasm", key(engine, bytes)))
    }

    /// Loads from the cache, or compiles and stores. Cache problems are
    /// logged and fall back to compiling; they never fail the load.
    pub fn load(&self, engine: &Engine, bytes: &[u8]) -> wasmtime::Result<(Component, Source)> {
        let path = self.path_for(engine, bytes);
        if let Err(error) = self.private_dir() {
            tracing::warn!(dir = %self.dir.display(), %error, "the plugin cache cannot be made private; compiling without it");
            return Ok((Component::new(engine, bytes)?, Source::Compiled));
        }
        if path.exists() {
            match deserialize(engine, &path) {
                Ok(c) => return Ok((c, Source::Cached)),
                Err(error) => tracing::warn!(path = %path.display(), %error, "unusable cache entry; recompiling"),
            }
        }
        let component = Component::new(engine, bytes)?;
        if let Err(error) = self.store(&path, &component) {
            tracing::warn!(path = %path.display(), %error, "could not write the plugin cache");
        }
        Ok((component, Source::Compiled))
    }

    /// Makes the directory, its owner's only (0700), whoever runs smsdesk
    /// and with whatever umask (`check-config` too): what is loaded from
    /// here runs as native code, so nobody else may write it. A directory
    /// found open to others is closed and emptied first; one owned by
    /// another user is not used at all (root could read it, and would run
    /// what that user put there).
    fn private_dir(&self) -> std::io::Result<()> {
        let mut dir = std::fs::DirBuilder::new();
        dir.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut dir, 0o700);
        dir.create(&self.dir)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
            let found = std::fs::metadata(&self.dir)?;
            let me = rustix::process::geteuid().as_raw();
            if found.uid() != me {
                return Err(std::io::Error::other(format!(
                    "owned by user {}, not by this process's user {me}",
                    found.uid()
                )));
            }
            let mode = found.permissions().mode();
            if mode & 0o077 != 0 {
                std::fs::set_permissions(&self.dir, std::fs::Permissions::from_mode(0o700))?;
                // Anyone could have put native code in it meanwhile: what
                // it holds is compiled again.
                for entry in std::fs::read_dir(&self.dir)? {
                    let path = entry?.path();
                    if path.is_file() {
                        std::fs::remove_file(&path)?;
                    }
                }
                tracing::warn!(dir = %self.dir.display(), "the plugin cache was open to others: closed and emptied");
            }
        }
        Ok(())
    }

    /// Writes the compiled plugin, owner-only (0600).
    fn store(&self, path: &Path, component: &Component) -> anyhow_like::Result<()> {
        let bytes = component.serialize()?;
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        std::io::Write::write_all(&mut options.open(&tmp)?, &bytes)?;
        std::fs::rename(&tmp, path)?;
        Ok(())
    }
}

mod anyhow_like {
    pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;
}

#[allow(unsafe_code)]
fn deserialize(engine: &Engine, path: &Path) -> wasmtime::Result<Component> {
    // SAFETY: wasmtime requires that the file was produced by `serialize` of
    // a compatible engine. Files in this directory are written only by
    // `Cache::store` above, under a key that includes the engine's
    // compatibility hash; wasmtime additionally checks the header and engine
    // settings and rejects a mismatch. The directory is trusted like the binary.
    unsafe { Component::deserialize_file(engine, path) }
}
