//! Connections to the shared PostgreSQL store for async code, and the
//! shared inbox's group commit.
//!
//! - `Pool`: a few connections, each used on a blocking thread (the
//!   `postgres` client must not run on an async runtime's thread), at most
//!   `POOL` at a time so a burst waits its turn rather than exhaust the
//!   server's `max_connections`.
//! - `Inserts`: webhooks waiting to be stored are grouped: each of
//!   `WRITERS` writers takes every row waiting (up to `GROUP`) and stores
//!   them in one transaction, so a burst costs one commit per group, not
//!   per webhook, as the engine's committer does on one machine.
//! - `DbError`: why either failed, as its caller needs to know: try again
//!   (unreachable, gone, timed out), don't (the database refused), or
//!   stop (this process is stopping).

use std::sync::{Arc, Mutex, PoisonError};

use smsdesk_pgstore::{conn, describe, inbox, Session};
use tokio::sync::{mpsc, oneshot};

/// Connections to the database at most (for inserts and the leader's reads).
const POOL: usize = 8;
/// Writers storing groups of rows at once.
const WRITERS: usize = 4;
/// Rows in one group at most.
const GROUP: usize = 256;

/// Why a database call failed; its text is what the old `String` said.
#[derive(Clone, Debug, thiserror::Error)]
pub enum DbError {
    /// The database is unreachable, the connection gone, or it timed out:
    /// the same call may work later.
    #[error("{0}")]
    Unreachable(String),
    /// The database answered and refused (a constraint, a permission, a
    /// login, a statement it does not take): trying again changes nothing.
    #[error("{0}")]
    Refused(String),
    /// This process is stopping: a writer or the blocking thread is gone.
    #[error("{0}")]
    Stopping(String),
}

impl DbError {
    /// `error` from a statement, described (`smsdesk_pgstore::describe`).
    /// An answer from the server is a refusal, unless its SQLSTATE says
    /// the server is in trouble or the transaction may work again
    /// (connection 08, rollback 40, resources 53, operator 57, system 58,
    /// and 25006: a read-only server, as a standby is until promoted).
    /// Without an answer: a closed connection or the network is
    /// `Unreachable`; anything else (a value that does not convert) is a
    /// refusal, since trying again does the same.
    pub fn of(error: &postgres::Error) -> Self {
        let transient =
            |code: &str| code == "25006" || ["08", "40", "53", "57", "58"].iter().any(|c| code.starts_with(c));
        let retry = match error.code() {
            Some(code) => transient(code.code()),
            None => error.is_closed() || std::error::Error::source(error).is_some_and(|s| s.is::<std::io::Error>()),
        };
        if retry {
            Self::Unreachable(describe(error))
        } else {
            Self::Refused(describe(error))
        }
    }

    /// `error` from connecting: refused for good (the login, the database
    /// name, the TLS settings) or not reached.
    pub fn of_open(error: &conn::OpenError) -> Self {
        if error.is_for_good() {
            Self::Refused(error.to_string())
        } else {
            Self::Unreachable(error.to_string())
        }
    }

    /// Whether the same call may work later.
    pub fn is_retry(&self) -> bool {
        matches!(self, Self::Unreachable(_))
    }
}

pub struct Pool {
    url: String,
    /// Idle connections, each with the statements prepared on it.
    idle: Mutex<Vec<Session>>,
    permits: tokio::sync::Semaphore,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool").finish_non_exhaustive()
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        let idle = std::mem::take(self.idle.get_mut().unwrap_or_else(PoisonError::into_inner));
        conn::close(idle.into_iter().map(Session::into_client).collect());
    }
}

impl Pool {
    pub fn new(url: &str) -> Arc<Self> {
        Arc::new(Self {
            url: url.to_owned(),
            idle: Mutex::new(Vec::new()),
            permits: tokio::sync::Semaphore::new(POOL),
        })
    }

    /// Runs `f` with a connection on a blocking thread, once one of the
    /// `POOL` is free. An idle connection found gone (the server restarted
    /// since) is replaced and `f` tried once more on the new one; a
    /// connection that failed otherwise is dropped, a good one kept.
    pub async fn run<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnMut(&mut Session) -> Result<T, postgres::Error> + Send + 'static,
    ) -> Result<T, DbError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| DbError::Stopping(e.to_string()))?;
        let pool = self.clone();
        tokio::task::spawn_blocking(move || {
            let taken = pool.idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
            let open = || {
                conn::open(&pool.url)
                    .map(Session::new)
                    .map_err(|e| DbError::of_open(&e))
            };
            let (result, keep) = conn::once_more(taken, open, DbError::of, f);
            if let Some(session) = keep {
                pool.keep(session);
            }
            result
        })
        .await
        .map_err(|e| DbError::Stopping(e.to_string()))?
    }

    fn keep(&self, session: Session) {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < POOL {
            idle.push(session);
        } else {
            conn::close(vec![session.into_client()]);
        }
    }
}

type Waiting = (String, oneshot::Sender<Result<(), DbError>>);

/// Rows for the shared inbox, stored in groups.
#[derive(Debug)]
pub struct Inserts {
    queue: mpsc::UnboundedSender<Waiting>,
}

impl Inserts {
    /// Starts the writers (on the current runtime); they stop when the
    /// `Inserts` is dropped.
    pub fn spawn(pool: Arc<Pool>) -> Arc<Self> {
        let (queue, rx) = mpsc::unbounded_channel();
        let rx = Arc::new(tokio::sync::Mutex::new(rx));
        for _ in 0..WRITERS {
            tokio::spawn(writer(rx.clone(), pool.clone()));
        }
        Arc::new(Self { queue })
    }

    /// Stores `row`; returns once PostgreSQL has committed it (with
    /// whatever other rows were waiting at the time).
    pub async fn push(&self, row: String) -> Result<(), DbError> {
        let (tx, rx) = oneshot::channel();
        self.queue
            .send((row, tx))
            .map_err(|_| DbError::Stopping("the shared inbox's writers stopped".to_owned()))?;
        rx.await
            .map_err(|_| DbError::Stopping("the shared inbox's writer stopped".to_owned()))?
    }
}

async fn writer(queue: Arc<tokio::sync::Mutex<mpsc::UnboundedReceiver<Waiting>>>, pool: Arc<Pool>) {
    loop {
        let group = {
            let mut queue = queue.lock().await;
            let Some(first) = queue.recv().await else { return };
            let mut group = vec![first];
            while group.len() < GROUP {
                match queue.try_recv() {
                    Ok(next) => group.push(next),
                    Err(_) => break,
                }
            }
            group
        };
        let (rows, waiting): (Vec<String>, Vec<_>) = group.into_iter().unzip();
        // Tried again on a new connection if the kept one was gone: a
        // group whose commit went through unseen is stored twice, which
        // the engine answers as duplicates.
        let result = pool.run(move |c| inbox::push(c, &rows)).await;
        for reply in waiting {
            let _ = reply.send(result.clone());
        }
    }
}
