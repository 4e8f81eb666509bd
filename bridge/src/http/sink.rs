//! Where a verified webhook's commands go, and what the webhook handler
//! needs around them. On one machine (`AppState`) they are committed by
//! the engine before the answer. With a PostgreSQL store
//! (`shared_inbox::Gateway`), any instance stores them in the shared inbox
//! before the answer, and the leader's engine takes them from there.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use smsdesk_core::{Command, Rejection};
use smsdesk_engine::{EngineError, Executed};
use smsdesk_plugins::reload::Watched;
use smsdesk_plugins::CarrierPlugin;

use crate::app::AppState;
use crate::config::Config;
use crate::dead_letters::DeadLetters;
use crate::metrics::Metrics;

/// What became of one command.
#[derive(Debug)]
pub enum Stored {
    /// Committed by the engine (or refused by it).
    Done(Result<Executed, Rejection>),
    /// Durably in the shared inbox; the leader's engine commits it.
    Queued,
}

/// The storage failed: nothing is acknowledged, the carrier retries. The
/// text is what the webhook's 503 says; the kind tells why.
#[derive(Debug, thiserror::Error)]
pub enum StoreFailed {
    /// The engine could not commit (one machine).
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The commands could not be written down as an inbox row.
    #[error("{0}")]
    Encode(String),
    /// The database is away and the place kept for that is full.
    #[error("{0}")]
    Full(String),
    /// The database is away and the place kept for that cannot be written.
    #[error("{0}")]
    Unwritable(String),
    /// A webhook too large to keep.
    #[error("{0}")]
    TooLarge(String),
    /// This process is stopping.
    #[error("{0}")]
    Stopping(String),
}

pub type Storing = Pin<Box<dyn Future<Output = Result<Vec<Stored>, StoreFailed>> + Send>>;

/// What the webhook handler reads around the commands.
#[derive(Clone, Copy, Debug)]
pub struct Parts<'a> {
    pub metrics: &'a Metrics,
    pub carriers: &'a BTreeMap<String, Watched<CarrierPlugin>>,
    /// `http.public_url` (what carriers sign) and `http.max_body`.
    pub config: &'a Config,
    pub dead_letters: &'a DeadLetters,
}

impl<'a> Parts<'a> {
    /// The parts, from the fields `AppState` and the gateway both keep.
    pub fn of(
        metrics: &'a Metrics,
        carriers: &'a BTreeMap<String, Watched<CarrierPlugin>>,
        config: &'a Config,
        dead_letters: &'a DeadLetters,
    ) -> Self {
        Self {
            metrics,
            carriers,
            config,
            dead_letters,
        }
    }
}

/// The webhook handler's view of the server.
pub trait WebhookSink: Send + Sync + 'static {
    fn parts(&self) -> Parts<'_>;
    /// Stores `commands` durably (all in one go where the store allows);
    /// one outcome per command, in order.
    fn store(self: &Arc<Self>, commands: Vec<Command>) -> Storing;
}

impl WebhookSink for AppState {
    fn parts(&self) -> Parts<'_> {
        Parts::of(&self.metrics, &self.carriers, &self.config, &self.dead_letters)
    }
    fn store(self: &Arc<Self>, commands: Vec<Command>) -> Storing {
        // All submitted before any is awaited: one group commit.
        let replies: Vec<_> = commands.into_iter().map(|c| self.submit(c)).collect();
        Box::pin(async move {
            let mut out = Vec::with_capacity(replies.len());
            for reply in replies {
                out.push(Stored::Done(reply.await?));
            }
            Ok(out)
        })
    }
}
