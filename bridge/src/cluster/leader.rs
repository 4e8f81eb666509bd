//! One leader among the instances that share a PostgreSQL store (docs/operator-guide.md,
//! "Several instances"). Every instance is a candidate: it takes the lease when it is free
//! or has run out (the database's clock decides), and then alone runs the
//! engine, the Matrix desk and the outboxes; the others stand by. The
//! leader renews the lease every `RENEW`; a standby tries every `RETRY`. A
//! leader that dies (SIGKILL, a crash) loses its session's liveness lock
//! with its connection (see `smsdesk_pgstore::lease`), so a standby takes
//! over once the lock stayed free for `GRACE` (a live leader takes it
//! again within a renewal, after a database restart); one that is frozen (SIGSTOP, cut off) keeps it, and
//! is replaced at most `TTL + RETRY` after its last renewal. A leader that
//! stops cleanly resigns and says so (`NOTIFY`, heard through `listen`), so
//! a standby takes over at once.
//!
//! Writing is fenced by the epoch the leader took over with (see
//! `smsdesk_pgstore::store`): a leader paused past its lease, whose place
//! was taken, cannot commit when it wakes, and `hold` returns as soon as a
//! renewal fails, upon which `serve` stops the process. Nothing it had in
//! memory is lost: what it acknowledged is in the database.

use std::sync::Arc;
use std::time::{Duration, Instant};

use postgres::Client;
use smsdesk_pgstore::lease::Lease;
use smsdesk_pgstore::{Conn, Fence};

use crate::cluster::pg_pool::DbError;

/// How long a lease lasts without renewal.
pub const TTL: Duration = Duration::from_secs(10);
/// How often the leader renews it (and takes its liveness lock again on a
/// new connection).
pub const RENEW: Duration = Duration::from_millis(500);
/// How long one renewal may take before it counts as failed.
const RENEW_LIMIT: Duration = Duration::from_secs(2);
/// How long a leader's liveness lock must stay free before a standby takes
/// its place: more than a renewal, so a leader whose database restarted
/// (every session's locks gone) takes its lock again first.
pub const GRACE: Duration = Duration::from_millis(1_000);
/// How often a standby tries to take it (one query, or three when the
/// leader's liveness is looked at).
pub const RETRY: Duration = Duration::from_millis(200);

/// This instance as a candidate for leadership.
#[derive(Clone)]
pub struct Candidate {
    lease: Lease,
    conn: Arc<Conn>,
    /// Woken when the leader resigns (`NOTIFY smsdesk_leader`), if anyone listens.
    resigned: Arc<tokio::sync::Notify>,
}

impl std::fmt::Debug for Candidate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Candidate").field("holder", &self.lease.holder).finish()
    }
}

/// A name for this instance, new at every start: the host, the process
/// and a random part (a restarted instance is a new holder).
fn holder_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "host".to_owned());
    format!("{host}-{}-{:08x}", std::process::id(), rand::random::<u32>())
}

impl Candidate {
    /// A candidate on the database at `url`; `resigned` is notified when
    /// a leader resigns (see `listen`), so a standby tries at once.
    pub fn new(url: &str, resigned: Arc<tokio::sync::Notify>) -> Self {
        Self {
            lease: Lease::new(smsdesk_pgstore::lease::LEADER, &holder_name(), TTL).with_grace(GRACE),
            conn: Arc::new(Conn::new(url)),
            resigned,
        }
    }

    /// This instance's name in the lease.
    pub fn holder(&self) -> &str {
        &self.lease.holder
    }

    /// Runs `f` with a connection (made again after a failure), off the
    /// async runtime. `Conn::with` says only why, so a failure counts as
    /// `Unreachable`: every caller tries again, as the lease needs.
    async fn with_client<T: Send + 'static>(
        &self,
        mut f: impl FnMut(&Lease, &mut Client) -> Result<T, postgres::Error> + Send + 'static,
    ) -> Result<T, DbError> {
        let (lease, conn) = (self.lease.clone(), self.conn.clone());
        tokio::task::spawn_blocking(move || conn.with(|c| f(&lease, c)).map_err(DbError::Unreachable))
            .await
            .map_err(|e| DbError::Stopping(e.to_string()))?
    }

    /// Waits until this instance holds the lease; its fence. `database_ok`
    /// is told whether the database answers while it waits, and `epoch`
    /// the epoch of the lease another instance holds.
    pub async fn lead(&self, database_ok: impl Fn(bool), epoch: impl Fn(i64)) -> Fence {
        let mut said = false;
        loop {
            match self.with_client(|lease, c| lease.try_acquire(c)).await {
                Ok(Some(fence)) => {
                    database_ok(true);
                    tracing::info!(holder = %fence.holder, epoch = fence.epoch, "this instance leads");
                    return fence;
                }
                Ok(None) => {
                    database_ok(true);
                    let held = self
                        .with_client(|_, c| smsdesk_pgstore::lease::holder(c, smsdesk_pgstore::lease::LEADER))
                        .await;
                    if let Ok(Some(h)) = held {
                        epoch(h.epoch);
                    }
                    if !said {
                        said = true;
                        tracing::info!(holder = %self.lease.holder, "another instance leads; standing by");
                    }
                }
                Err(error) => {
                    database_ok(false);
                    tracing::warn!(%error, "cannot reach the database to take the lease; retrying");
                }
            }
            tokio::select! {
                () = tokio::time::sleep(RETRY) => {}
                () = self.resigned.notified() => {}
            }
        }
    }

    /// Renews the lease until it is lost (taken, or not renewed in time);
    /// returns why. A renewal that fails for a moment is retried while
    /// the lease still runs by this instance's own (monotonic) clock;
    /// `database_ok` is told whether each renewal reached the database.
    pub async fn hold(&self, fence: &Fence, database_ok: impl Fn(bool)) -> String {
        let mut renewed = Instant::now();
        loop {
            tokio::time::sleep(RENEW).await;
            if renewed.elapsed() >= TTL {
                return format!(
                    "the lease was not renewed for {:?} (paused, or the database unreachable)",
                    renewed.elapsed()
                );
            }
            let f = fence.clone();
            // A renewal stuck on a cut-off connection counts as failed, so
            // the lease's end is noticed in time.
            let renewal = tokio::time::timeout(RENEW_LIMIT, self.with_client(move |lease, c| lease.renew(c, &f)))
                .await
                .unwrap_or_else(|_| Err(DbError::Unreachable("the renewal took too long".to_owned())));
            match renewal {
                Ok(true) => {
                    database_ok(true);
                    renewed = Instant::now();
                }
                Ok(false) => return "another instance took the lease".to_owned(),
                Err(error) => {
                    database_ok(false);
                    tracing::warn!(%error, "cannot renew the lease; retrying");
                }
            }
        }
    }

    /// Gives the lease up at once (a clean stop): a standby takes over now.
    pub async fn resign(&self, fence: &Fence) {
        let f = fence.clone();
        if let Err(error) = self.with_client(move |lease, c| lease.resign(c, &f)).await {
            tracing::warn!(%error, "cannot resign the lease; a standby takes over when it runs out");
        }
    }
}
