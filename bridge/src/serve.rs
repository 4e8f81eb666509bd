//! `smsdesk run`: builds the `AppState` and runs everything that runs on its
//! own — the HTTP listener, the SMS outbox, the Matrix desk, the intake
//! bots, the plugin reloader and the attachments' sweeper — until `shutdown` completes. Shutdown is a parameter (as in
//! mini-redis), so tests and signals stop it the same way; every task
//! started here is stopped here.

use std::future::Future;

use std::sync::Arc;

use anyhow::Context;
use tokio::task::JoinSet;

use crate::app::AppState;
use crate::config::Config;

/// Serves until `shutdown` completes. `init`: on PostgreSQL, an empty
/// database may be given a new store (`run --init`).
pub async fn run(
    config: Config,
    init: bool,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    if config.database.is_some() {
        return crate::replicated::run(config, init, shutdown).await;
    }
    if init {
        tracing::warn!(
            "--init is for storage.backend = \"postgres\"; a one-machine store is created at its first start anyway"
        );
    }
    let listen = config.listen;
    let state = tokio::task::spawn_blocking(move || crate::app::start(config)).await??;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    tracing::info!(%listen, "smsdesk is listening");
    let mut tasks = tokio::task::JoinSet::new();
    spawn_tasks(&state, &mut tasks);
    // On a PostgreSQL store the gateway runs this for the folder it shares.
    tasks.spawn(crate::dead_letters::expiry::run(
        state.dead_letters.clone(),
        state.config.retention,
    ));
    // Connection info: the failure limiter counts per source address.
    let app = crate::http::router(state.clone()).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let refused = state.clone();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            tokio::select! {
                () = shutdown => {}
                _ = refused.refused() => {}
            }
        })
        .await?;
    tasks.shutdown().await;
    if let Some(why) = state.refusal.borrow().clone() {
        anyhow::bail!("{why}");
    }
    tracing::info!("smsdesk stopped");
    Ok(())
}

/// Starts everything that runs on its own beside the HTTP listener: the
/// plugin reloader, the SMS outbox, the intake bots, the attachments'
/// sweeper, the outcome metrics, retention, and the Matrix desk.
pub fn spawn_tasks(state: &Arc<AppState>, tasks: &mut JoinSet<()>) {
    tasks.spawn(crate::reload::run(state.clone()));
    tasks.spawn(crate::outbox::run(state.clone()));
    tasks.spawn(crate::intake::run(state.clone()));
    tasks.spawn(crate::media::outgoing::sweeper(state.media.clone()));
    tasks.spawn(crate::outcomes::run(state.clone()));
    tasks.spawn(crate::retention::run(state.clone()));
    if let Some(matrix) = state.config.matrix.clone() {
        tasks.spawn(crate::matrix::run(state.clone(), matrix));
    }
}
