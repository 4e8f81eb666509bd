//! `smsdesk run` on a shared PostgreSQL store (`storage.backend =
//! "postgres"`): every instance with the same config listens at once; one
//! leads (see `leader`) and runs the engine, the Matrix desk and the
//! outboxes, the others stand by. Every instance takes webhooks (into the
//! shared inbox, see `shared_inbox`). A standby also answers `/healthz`
//! and `/readyz` (`"role": "standby"`, 503 when the database does not
//! answer) and `/metrics` (the webhooks it took), and takes what any instance
//! takes (webhooks, appservice transactions, the carriers' fetches of
//! agents' attachments: see `shared_inbox::Gateway`); anything else gets
//! 503 with a `Retry-After` (the wallboard is the leader's).
//! When the standby takes over, the same listener serves the leader's routes.
//!
//! A leader whose lease was lost (paused too long, or the database gone
//! longer than the lease) stops the process at once: it cannot write any
//! more (its commits are fenced), and its service manager starts it again
//! as a standby. A clean stop resigns the lease, so a standby takes over
//! at once.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::Context as _;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Json;
use tokio::sync::watch;
use tower::ServiceExt as _;

use crate::config::Config;
use crate::leader::Candidate;
use crate::pg_pool::{Inserts, Pool};
use crate::shared_inbox::Gateway;

/// The exit code of a leader that lost its lease: "start me again".
pub const LOST_LEASE: i32 = 75;

/// Serves as a standby, then as the leader, until `shutdown` completes.
pub async fn run(config: Config, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
    let url = config.database.clone().context("storage.url is missing")?;
    let listen = config.listen;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let wakes = crate::listen::spawn(&url).context("starting the database listener")?;
    let candidate = Candidate::new(&url, wakes.leader.clone());
    let database_ok = Arc::new(AtomicBool::new(false));
    let pool = Pool::new(&url);
    let inserts = Inserts::spawn(pool.clone());
    let gateway_config = config.clone();
    let gateway = tokio::task::spawn_blocking(move || Gateway::new(&gateway_config, inserts)).await??;
    // The gateway's carriers are reloaded as the leader's are, leader or
    // not; its kept requests expire with storage.retention.
    let reloader = tokio::spawn(crate::reload::run(gateway.clone()));
    let expiry = tokio::spawn(crate::dead_letters::expiry::run(
        gateway.dead_letters(),
        config.retention,
    ));
    let (routes, current) =
        watch::channel(standby_router(database_ok.clone(), gateway.clone()).merge(gateway.routes()));
    let (stop_tx, mut stopped) = watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    let mut server_stop = stopped.clone();
    let server = tokio::spawn(async move {
        let app = axum::Router::new().fallback_service(tower::service_fn(move |request| {
            let router = current.borrow().clone();
            async move { router.oneshot(request).await }
        }));
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = server_stop.wait_for(|stop| *stop).await;
        })
        .await
    });
    tracing::info!(%listen, holder = candidate.holder(), "smsdesk is listening (PostgreSQL store; standing by until it leads)");

    let ok = database_ok.clone();
    let fence = tokio::select! {
        fence = candidate.lead(move |up| ok.store(up, Ordering::Relaxed)) => fence,
        _ = stopped.wait_for(|stop| *stop) => {
            reloader.abort();
            expiry.abort();
            server.await??;
            return Ok(());
        }
    };
    let (store_fence, app_fence) = (fence.clone(), fence.clone());
    let leader_metrics = gateway.metrics();
    leader_metrics.lease_epoch.set(fence.epoch);
    let dead_letters = gateway.dead_letters();
    let store =
        tokio::task::spawn_blocking(move || smsdesk_pgstore::PgStore::connect(&url).map(|s| s.fenced(store_fence)))
            .await?
            .context("opening the PostgreSQL store")?;
    let store = match fit_to_lead(&config, store).await {
        Ok(store) => store,
        Err(refused) => {
            candidate.resign(&fence).await;
            return Err(refused);
        }
    };
    let state = tokio::task::spawn_blocking(move || {
        crate::app::start_with(config, Arc::new(store), Some(app_fence), leader_metrics, dead_letters)
    })
    .await??;
    let _ = routes.send(
        crate::http::engine_routes(state.clone())
            .layer(axum::middleware::from_fn_with_state(database_ok.clone(), database_gate))
            .merge(gateway.routes()),
    );
    let mut tasks = tokio::task::JoinSet::new();
    crate::serve::spawn_tasks(&state, &mut tasks);
    tasks.spawn(crate::shared_inbox::consume(state.clone(), pool, wakes.inbox.clone()));
    if let (Some(appservice), Some(here)) = (state.appservice.clone(), gateway.appservice_wake()) {
        // A transaction stored by any instance (heard from the database),
        // or by this one, wakes this leader's desk.
        let heard = wakes.appservice.clone();
        tasks.spawn(async move {
            loop {
                tokio::select! {
                    () = heard.notified() => {}
                    () = here.notified() => {}
                }
                appservice.wake.notify_one();
            }
        });
    }
    gateway.metrics().leader.set(1);
    tracing::info!(
        epoch = fence.epoch,
        "leading: the engine, the Matrix desk and the outboxes run here"
    );

    tokio::select! {
        why = candidate.hold(&fence, |up| database_ok.store(up, Ordering::Relaxed)) => {
            tracing::error!(%why, "this instance no longer leads; stopping so that it starts again as a standby");
            std::process::exit(LOST_LEASE);
        }
        why = engine_stopped(&state) => {
            // The engine refuses work after a failed commit (the database
            // went away, or a takeover fenced it): start afresh, from the
            // database, as a standby first.
            tracing::error!(%why, "the engine stopped; stopping so that this instance starts again from the database");
            candidate.resign(&fence).await;
            std::process::exit(LOST_LEASE);
        }
        why = state.refused() => {
            tasks.shutdown().await;
            reloader.abort();
            expiry.abort();
            candidate.resign(&fence).await;
            anyhow::bail!("{why}");
        }
        _ = stopped.wait_for(|stop| *stop) => {}
    }
    tasks.shutdown().await;
    reloader.abort();
    expiry.abort();
    candidate.resign(&fence).await;
    server.await??;
    tracing::info!("smsdesk stopped (the lease is resigned)");
    Ok(())
}

/// `store`, unless it must not be led: an import that did not finish
/// (part of a store), or an empty database while `storage.path` holds a
/// one-machine (sled) store (starting would leave every conversation
/// behind). The operator is told what to run.
async fn fit_to_lead(config: &Config, store: smsdesk_pgstore::PgStore) -> anyhow::Result<smsdesk_pgstore::PgStore> {
    let sled = config.storage.clone();
    let url = config.database.clone().unwrap_or_default();
    // The clients are dropped on this blocking thread, never on the runtime's.
    tokio::task::spawn_blocking(move || {
        let unfinished = smsdesk_pgstore::Conn::new(&url)
            .with(smsdesk_pgstore::import::unfinished)
            .map_err(anyhow::Error::msg)?;
        if let Some(import) = unfinished {
            drop(store);
            anyhow::bail!(
                "an import into this database ({import}) did not finish: run `smsdesk import-store --config …` again with every instance stopped"
            );
        }
        if sled.join("db").exists() && crate::engine_store::is_empty(&store)? {
            drop(store);
            anyhow::bail!(
                "the database holds no engine store, but {} holds a one-machine (sled) store: run `smsdesk import-store --config …` with every instance stopped to move it into the database, or move the directory away to start afresh",
                sled.display()
            );
        }
        Ok(store)
    })
    .await?
}

/// Returns (why) once the engine has stopped.
async fn engine_stopped(state: &crate::app::AppState) -> String {
    loop {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        match state.read(|e| e.stopped().map(str::to_owned)).await {
            Ok(None) => {}
            Ok(Some(why)) => return why,
            Err(gone) => return gone.to_string(),
        }
    }
}

/// The leader's `/readyz` is 503 while its lease renewals do not reach
/// the database (it stops once the lease runs out); otherwise the
/// engine's answer.
async fn database_gate(
    axum::extract::State(up): axum::extract::State<Arc<AtomicBool>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if request.uri().path() == "/readyz" && !up.load(Ordering::Relaxed) {
        let body = serde_json::json!({
            "ready": false,
            "role": "leader",
            "store": "postgres: unreachable",
        });
        return (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response();
    }
    next.run(request).await
}

/// What a standby serves.
fn standby_router(database_ok: Arc<AtomicBool>, gateway: Arc<Gateway>) -> axum::Router {
    let ready = move || {
        let up = database_ok.load(Ordering::Relaxed);
        async move {
            let body = serde_json::json!({
                "ready": up,
                "role": "standby",
                "store": if up { "postgres" } else { "postgres: unreachable" },
            });
            let status = if up {
                StatusCode::OK
            } else {
                StatusCode::SERVICE_UNAVAILABLE
            };
            (status, Json(body))
        }
    };
    axum::Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(ready))
        .route(
            "/metrics",
            get(move || {
                let text = gateway.render_metrics();
                async move {
                    (
                        [(
                            header::CONTENT_TYPE,
                            "application/openmetrics-text; version=1.0.0; charset=utf-8",
                        )],
                        text,
                    )
                }
            }),
        )
        .fallback(|| async {
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, "2")],
                "this smsdesk instance is a standby; the leader serves this request\n",
            )
                .into_response()
        })
}
