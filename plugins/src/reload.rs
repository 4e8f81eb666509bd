//! Hot reload. A `Watched` plugin remembers its file's size and modification
//! time; `reload_if_changed` (called on a timer, on SIGHUP or by an admin
//! command) loads the new file and swaps it in. If the new file is broken,
//! the old plugin stays loaded and the error is returned and logged.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::SystemTime;

use crate::error::PluginError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
}

fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    Some(Stamp {
        len: meta.len(),
        modified: meta.modified().ok(),
    })
}

type Loader<T> = Box<dyn Fn(&Path) -> Result<T, PluginError> + Send + Sync>;

pub struct Watched<T> {
    path: PathBuf,
    loader: Loader<T>,
    current: RwLock<Arc<T>>,
    stamp: Mutex<Option<Stamp>>,
}

impl<T> std::fmt::Debug for Watched<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watched").field("path", &self.path).finish()
    }
}

impl<T> Watched<T> {
    /// Loads `path` now; fails if the first load fails.
    pub fn load(
        path: impl Into<PathBuf>,
        loader: impl Fn(&Path) -> Result<T, PluginError> + Send + Sync + 'static,
    ) -> Result<Self, PluginError> {
        let path = path.into();
        let stamp = stamp(&path);
        let first = loader(&path)?;
        Ok(Self {
            path,
            loader: Box::new(loader),
            current: RwLock::new(Arc::new(first)),
            stamp: Mutex::new(stamp),
        })
    }

    /// The plugin in use now.
    pub fn get(&self) -> Arc<T> {
        self.current.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reloads if the file changed. `Ok(true)`: swapped; `Ok(false)`: unchanged;
    /// `Err`: the new file is broken and the old plugin stays.
    pub fn reload_if_changed(&self) -> Result<bool, PluginError> {
        let now = stamp(&self.path);
        let mut last = self.stamp.lock().unwrap_or_else(PoisonError::into_inner);
        if now == *last {
            return Ok(false);
        }
        // Remember the stamp even on failure, so a broken file is reported once, not on every check.
        *last = now;
        drop(last);
        self.reload().map(|()| true)
    }

    /// Reloads unconditionally (SIGHUP, admin command).
    pub fn reload(&self) -> Result<(), PluginError> {
        match (self.loader)(&self.path) {
            Ok(new) => {
                *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(new);
                tracing::info!(path = %self.path.display(), "plugin reloaded");
                Ok(())
            }
            Err(error) => {
                tracing::warn!(path = %self.path.display(), %error, "plugin reload failed; keeping the loaded version");
                Err(error)
            }
        }
    }
}
