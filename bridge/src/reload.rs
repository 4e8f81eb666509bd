//! Hot reload of plugins: carriers, routers and intake bots are checked every few
//! seconds and reloaded at once on SIGHUP. Loading (compiling) runs on a
//! blocking thread, never on the engine thread or a runtime worker; a
//! broken file keeps the loaded version and is logged.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use smsdesk_plugins::reload::Watched;
use smsdesk_plugins::CarrierPlugin;

use crate::app::AppState;

/// How often plugin files are checked for changes.
pub const RELOAD_CHECK: Duration = Duration::from_secs(2);

/// What holds plugins to reload: the engine's state, or (on a shared
/// store) a gateway's carriers.
pub trait Plugins: Send + Sync + 'static {
    /// Reloads every plugin (`forced`), or those whose file changed.
    fn reload_all(&self, forced: bool);
}

/// SIGHUP, listened for from the moment `hangups` made it: made before
/// smsdesk listens, so that a SIGHUP sent as soon as it answers (an
/// operator, a deploy script) is a reload, not the default end of the
/// process, and is not missed before the reloader first runs.
#[derive(Debug)]
pub struct Hangups {
    #[cfg(unix)]
    signal: Option<tokio::signal::unix::Signal>,
}

/// Starts listening for SIGHUP (on a Tokio runtime).
pub fn hangups() -> Hangups {
    Hangups {
        #[cfg(unix)]
        signal: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok(),
    }
}

impl Hangups {
    /// Completes at the next SIGHUP; never where there is none.
    async fn next(&mut self) {
        #[cfg(unix)]
        if let Some(signal) = self.signal.as_mut() {
            if signal.recv().await.is_some() {
                return;
            }
        }
        std::future::pending::<()>().await;
    }
}

/// Runs until the task is stopped.
pub async fn run<P: Plugins>(state: Arc<P>, mut hangups: Hangups) {
    loop {
        let forced = tokio::select! {
            () = hangups.next() => true,
            () = tokio::time::sleep(RELOAD_CHECK) => false,
        };
        if forced {
            tracing::info!("SIGHUP: reloading every plugin");
        }
        let state = state.clone();
        let _ = tokio::task::spawn_blocking(move || state.reload_all(forced)).await;
    }
}

/// Reloads `carriers` (`forced`), or those whose file changed.
pub fn carriers(carriers: &BTreeMap<String, Watched<CarrierPlugin>>, forced: bool) {
    for (name, watched) in carriers {
        report(
            "carrier",
            name,
            reload_one(forced, || watched.reload(), || watched.reload_if_changed()),
        );
    }
}

impl Plugins for AppState {
    fn reload_all(&self, forced: bool) {
        reload_state(self, forced);
    }
}

fn reload_state(state: &AppState, forced: bool) {
    carriers(&state.carriers, forced);
    for (queue, router) in &state.routers {
        report(
            "router",
            queue,
            reload_one(forced, || router.reload(), || router.reload_if_changed()),
        );
    }
    for (entry, watched) in &state.intakes {
        report(
            "intake",
            entry,
            reload_one(forced, || watched.reload(), || watched.reload_if_changed()),
        );
    }
}

/// Forced: reload; otherwise only if the file changed.
fn reload_one<E>(
    forced: bool,
    reload: impl Fn() -> Result<(), E>,
    if_changed: impl Fn() -> Result<bool, E>,
) -> Result<bool, E> {
    if forced {
        reload().map(|()| true)
    } else {
        if_changed()
    }
}

fn report(what: &str, name: &str, result: Result<bool, smsdesk_plugins::PluginError>) {
    if let Err(error) = result {
        match what {
            "router" => tracing::warn!(queue = %name, %error, "router plugin reload failed; the loaded version stays"),
            "intake" => {
                tracing::warn!(entry = %name, %error, "intake plugin reload failed; the loaded version stays")
            }
            _ => tracing::warn!(carrier = %name, %error, "carrier plugin reload failed; the loaded version stays"),
        }
    }
}
