//! `smsdesk run` on one machine (`storage.backend = "sled"`, the default):
//! builds the `AppState` and runs the HTTP listener and everything in
//! `tasks` until `shutdown` completes. Shutdown is a parameter (as in
//! mini-redis), so tests and signals stop it the same way; every task
//! started here is stopped here. Several instances on PostgreSQL start in
//! `cluster` instead; `cli::run` chooses.

use std::future::Future;

use anyhow::Context;

use crate::config::Config;

/// Serves until `shutdown` completes.
pub async fn run(config: Config, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
    let listen = config.listen;
    // Before anything slow: from here on a SIGHUP is a reload.
    let hangups = crate::reload::hangups();
    let state = tokio::task::spawn_blocking(move || crate::app::start(config)).await??;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    tracing::info!(%listen, "smsdesk is listening");
    let mut tasks = tokio::task::JoinSet::new();
    crate::tasks::spawn(&state, &mut tasks, hangups);
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
