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
//! longer than the lease), or whose engine stopped (a commit failed: the
//! database went away, or a takeover fenced it), steps down in the same
//! process: its engine, desk and outboxes stop, the listener serves a
//! standby's routes again (webhooks go on being taken, into the spool
//! while the database is away), and it stands as a candidate again under
//! a new name, so that it can only lead again at a new epoch and nothing
//! it started before can commit. A clean stop resigns the lease, so a
//! standby takes over at once.

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

use crate::cluster::fit_to_lead::NotFit;
use crate::cluster::leader::Candidate;
use crate::cluster::listen::Wakes;
use crate::cluster::pg_pool::{Inserts, Pool};
use crate::cluster::shared_inbox::Gateway;
use crate::cluster::spool::Spool;
use crate::config::Config;
use crate::storage::EngineStore;

/// How long a leader that stops leading waits to resign the lease.
const RESIGN_LIMIT: std::time::Duration = std::time::Duration::from_secs(3);

/// The one listener, serving whichever routes `current` holds (a
/// standby's, then the leader's, then a standby's again after a step-down)
/// until `server_stop` says stop.
fn serve_swappable(
    listener: tokio::net::TcpListener,
    current: watch::Receiver<axum::Router>,
    mut server_stop: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<std::io::Result<()>> {
    tokio::spawn(async move {
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
    })
}

/// Serves as a standby, then as the leader, until `shutdown` completes.
/// An empty database is given a schema only with `init` (`run --init`).
pub async fn run(
    config: Config,
    init: bool,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let url = config
        .backend
        .database_url()
        .context("storage.backend is not \"postgres\"")?
        .to_owned();
    // Before anything slow: from here on a SIGHUP is a reload.
    let hangups = crate::reload::hangups();
    // Refused at once when the database answers: a schema this smsdesk
    // does not know, an empty database without --init. Otherwise checked
    // once it answers, before this instance stands as a candidate.
    let (u, i) = (url.clone(), init);
    let mut checked =
        match tokio::task::spawn_blocking(move || crate::cluster::fit_to_lead::schema_at_start(&u, i)).await? {
            Ok(_) => true,
            Err(NotFit::Refused(refused)) => return Err(refused),
            Err(NotFit::Unreachable(_)) => false,
        };
    let listen = config.listen;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let wakes = crate::cluster::listen::spawn(&url).context("starting the database listener")?;
    let database_ok = Arc::new(AtomicBool::new(false));
    let pool = Pool::new(&url);
    let inserts = Inserts::spawn(pool.clone());
    let gateway_config = config.clone();
    let gateway = tokio::task::spawn_blocking(move || Gateway::new(&gateway_config, inserts)).await??;
    let drainer = tokio::spawn(crate::cluster::spool::drain(gateway.spool(), pool.clone()));
    // The gateway's carriers are reloaded as the leader's are, leader or
    // not; its kept requests expire with storage.retention.
    let reloader = tokio::spawn(crate::reload::run(gateway.clone(), hangups));
    let expiry = tokio::spawn(crate::dead_letters::expiry::run(
        gateway.dead_letters(),
        config.retention,
    ));
    let standby = standby_router(database_ok.clone(), gateway.clone()).merge(gateway.routes());
    let (routes, current) = watch::channel(standby.clone());
    let (stop_tx, mut stopped) = watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    let server = serve_swappable(listener, current, stopped.clone());
    let mut candidate = Candidate::new(&url, wakes.leader.clone());
    tracing::info!(%listen, holder = candidate.holder(), "smsdesk is listening (PostgreSQL store; standing by until it leads)");

    let led = loop {
        if !checked {
            let ok = database_ok.clone();
            let schema =
                crate::cluster::fit_to_lead::wait_for_schema(&url, init, move |up| ok.store(up, Ordering::Relaxed));
            tokio::select! {
                passed = schema => match passed {
                    Ok(()) => checked = true,
                    Err(refused) => break Err(refused),
                },
                _ = stopped.wait_for(|stop| *stop) => break Ok(()),
            }
        }
        let ok = database_ok.clone();
        // A standby shows the epoch of the lease it watches, so a
        // dashboard sees a takeover from any instance.
        let epoch = gateway.metrics().lease_epoch.clone();
        let fence = tokio::select! {
            fence = candidate.lead(move |up| ok.store(up, Ordering::Relaxed), move |e| { epoch.set(e); }) => fence,
            _ = stopped.wait_for(|stop| *stop) => break Ok(()),
        };
        let leading = Leading {
            config: config.clone(),
            candidate: &candidate,
            gateway: &gateway,
            pool: &pool,
            wakes: &wakes,
            database_ok: &database_ok,
        };
        match leading.run(fence, &routes, &mut stopped).await {
            Ok(Led::Stopped) => break Ok(()),
            Ok(Led::SteppedDown) => {
                let _ = routes.send(standby.clone());
                gateway.metrics().leader.set(0);
                // A new name: leading again raises the epoch.
                candidate = Candidate::new(&url, wakes.leader.clone());
                tracing::info!(
                    holder = candidate.holder(),
                    "standing by (taking webhooks) until this instance leads again"
                );
            }
            Err(refused) => break Err(refused),
        }
    };
    drainer.abort();
    reloader.abort();
    expiry.abort();
    let _ = routes.send(standby);
    if led.is_err() {
        // The refusal is the answer; stop listening.
        server.abort();
        return led;
    }
    server.await??;
    tracing::info!("smsdesk stopped (the lease is resigned)");
    Ok(())
}

/// How a turn as the leader ended.
enum Led {
    /// The process is stopping (the lease is resigned).
    Stopped,
    /// The lease was lost or the engine stopped: stand by again.
    SteppedDown,
}

/// What a turn as the leader needs.
struct Leading<'a> {
    config: Config,
    candidate: &'a Candidate,
    gateway: &'a Arc<Gateway>,
    pool: &'a Arc<Pool>,
    wakes: &'a Wakes,
    database_ok: &'a Arc<AtomicBool>,
}

impl Leading<'_> {
    /// Leads with `fence` until the lease is lost, the engine stops, or
    /// `stopped` says so; an error when the database must not be led.
    async fn run(
        self,
        fence: smsdesk_pgstore::Fence,
        routes: &watch::Sender<axum::Router>,
        stopped: &mut watch::Receiver<bool>,
    ) -> anyhow::Result<Led> {
        let Self {
            config,
            candidate,
            gateway,
            pool,
            wakes,
            database_ok,
        } = self;
        // Before the slow opening: a SIGHUP from now on reloads the
        // leader's plugins too, not only the gateway's.
        let hangups = crate::reload::hangups();
        let url = config.backend.database_url().unwrap_or_default().to_owned();
        let (store_fence, app_fence) = (fence.clone(), fence.clone());
        let leader_metrics = gateway.metrics();
        leader_metrics.lease_epoch.set(fence.epoch);
        let dead_letters = gateway.dead_letters();
        let opened =
            tokio::task::spawn_blocking(move || crate::storage::open::postgres_leader(&url, store_fence)).await?;
        let (store, reader, passed_over) = match opened {
            Ok(opened) => opened,
            Err(error) => {
                // The database went away again: stand by and try again.
                tracing::error!(%error, "cannot open the PostgreSQL store to lead; standing by");
                let _ = tokio::time::timeout(RESIGN_LIMIT, candidate.resign(&fence)).await;
                return Ok(Led::SteppedDown);
            }
        };
        let store = match crate::cluster::fit_to_lead::fit_to_lead(&config, store).await {
            Ok(store) => store,
            Err(NotFit::Refused(refused)) => {
                candidate.resign(&fence).await;
                return Err(refused);
            }
            Err(NotFit::Unreachable(error)) => {
                tracing::error!(%error, "the database stopped answering as this instance took over; standing by");
                let _ = tokio::time::timeout(RESIGN_LIMIT, candidate.resign(&fence)).await;
                return Ok(Led::SteppedDown);
            }
        };
        let state = tokio::task::spawn_blocking(move || {
            let store: EngineStore = Arc::new(store);
            crate::app::start_with(
                config,
                store,
                Some(Arc::new(reader)),
                Some(app_fence),
                leader_metrics,
                dead_letters,
            )
        })
        .await??;
        let spool = gateway.spool();
        let _ = routes.send(
            crate::http::engine_routes(state.clone())
                .layer(axum::middleware::from_fn_with_state(
                    (database_ok.clone(), spool),
                    database_gate,
                ))
                .merge(gateway.routes()),
        );
        let mut tasks = tokio::task::JoinSet::new();
        crate::tasks::spawn(&state, &mut tasks, hangups);
        tasks.spawn(crate::cluster::shared_inbox::consume(
            state.clone(),
            pool.clone(),
            wakes.inbox.clone(),
            gateway.handover().open(state.clone()),
            passed_over,
        ));
        relay_appservice_wakes(&mut tasks, &state, gateway, wakes);
        gateway.metrics().leader.set(1);
        tracing::info!(
            epoch = fence.epoch,
            "leading: the engine, the Matrix desk and the outboxes run here"
        );

        let led = tokio::select! {
            why = candidate.hold(&fence, |up| database_ok.store(up, Ordering::Relaxed)) => {
                tracing::error!(%why, "this instance no longer leads; stepping down to stand by (what it acknowledged is in the database or its spool)");
                Led::SteppedDown
            }
            why = engine_stopped(&state) => {
                // The engine refuses work after a failed commit (the database
                // went away, or a takeover fenced it): start afresh, from the
                // database, as a standby first.
                tracing::error!(%why, "the engine stopped; stepping down to stand by, to lead again from the database");
                Led::SteppedDown
            }
            why = state.refused() => {
                // The bot account serves another store: not this
                // database's to lead (see `matrix::connection::account_owner`).
                gateway.handover().close();
                tasks.shutdown().await;
                let _ = tokio::task::spawn_blocking(move || drop(state)).await;
                let _ = tokio::time::timeout(RESIGN_LIMIT, candidate.resign(&fence)).await;
                anyhow::bail!("{why}");
            }
            _ = stopped.wait_for(|stop| *stop) => Led::Stopped,
        };
        gateway.handover().close();
        if matches!(led, Led::SteppedDown) {
            // The engine's routes go before the engine does.
            let _ = routes.send(standby_router(database_ok.clone(), gateway.clone()).merge(gateway.routes()));
        }
        tasks.shutdown().await;
        // The engine's thread is joined when its last handle goes: off the runtime.
        let _ = tokio::task::spawn_blocking(move || drop(state)).await;
        // Not for long when the database is away: the lease runs out anyway.
        let _ = tokio::time::timeout(RESIGN_LIMIT, candidate.resign(&fence)).await;
        Ok(led)
    }
}

/// A transaction stored by any instance (heard from the database), or by
/// this one, wakes this leader's desk (appservice mode).
fn relay_appservice_wakes(
    tasks: &mut tokio::task::JoinSet<()>,
    state: &crate::app::AppState,
    gateway: &Gateway,
    wakes: &Wakes,
) {
    let (Some(appservice), Some(here)) = (state.appservice.clone(), gateway.appservice_wake()) else {
        return;
    };
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

/// The leader's `/readyz`: while its lease renewals do not reach the
/// database (it steps down once the lease runs out), what the spool says
/// (200 while it takes webhooks); otherwise the engine's answer, with the
/// spool's figures added.
async fn database_gate(
    axum::extract::State((up, spool)): axum::extract::State<(Arc<AtomicBool>, Arc<Spool>)>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if request.uri().path() != "/readyz" {
        return next.run(request).await;
    }
    let status = spool.status();
    if !up.load(Ordering::Relaxed) {
        return unreachable_readyz("leader", status);
    }
    let answer = next.run(request).await;
    let (parts, body) = answer.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1 << 20).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(serde_json::Value::Object(mut body)) => {
            body.insert("spool".to_owned(), serde_json::json!(status));
            (parts.status, Json(body)).into_response()
        }
        _ => axum::response::Response::from_parts(parts, axum::body::Body::from(bytes)),
    }
}

/// `/readyz` while the database does not answer: ready (200) as long as
/// the spool takes webhooks.
fn unreachable_readyz(role: &str, spool: crate::cluster::spool::Status) -> axum::response::Response {
    let body = serde_json::json!({
        "ready": spool.accepting,
        "role": role,
        "store": "postgres: unreachable",
        "spool": spool,
    });
    let status = if spool.accepting {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

/// What a standby serves.
fn standby_router(database_ok: Arc<AtomicBool>, gateway: Arc<Gateway>) -> axum::Router {
    let spool = gateway.spool();
    let ready = move || {
        let up = database_ok.load(Ordering::Relaxed);
        let status = spool.status();
        async move {
            if !up {
                return unreachable_readyz("standby", status);
            }
            let body = serde_json::json!({
                "ready": true,
                "role": "standby",
                "store": "postgres",
                "spool": status,
            });
            (StatusCode::OK, Json(body)).into_response()
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
