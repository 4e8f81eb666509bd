//! The engine: state + store + routers, single-threaded. It runs commands
//! through `decide`/`apply`, lets routing make offers, stages what changed
//! and commits it in one atomic, durable write per batch. A batch of many
//! commands costs one sync: that is group commit (driven by `committer`).
//!
//! Memory holds what is open; what a command needs beyond that (a carrier
//! message id seen before, an older reply's delivery record, a reply handed
//! in again) is read from the store just before the command is decided.
//!
//! If the store fails, memory may be ahead of disk, so the engine refuses
//! all further work until it is reopened from disk (the PostgreSQL answer
//! to a failed fsync: never pretend).

use crate::store::fetched::{Fetched, Through};
use crate::store::{layout, KvStore, Lookup, StoreError, WriteSet};
use smsdesk_core::apply::apply;
use smsdesk_core::command::Command;
use smsdesk_core::decide::decide;
use smsdesk_core::event::{Event, EventRecord};
use smsdesk_core::ids::{ConversationId, MessageId, Timestamp};
use smsdesk_core::rejection::Rejection;
use smsdesk_core::routing::{next_offer, Routers};
use smsdesk_core::setup::Setup;
use smsdesk_core::state::State;
use smsdesk_core::timers;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the engine stopped after a storage failure ({0}); restart smsdesk to recover from disk")]
    Stopped(String),
}

/// What one accepted command did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Executed {
    pub records: Vec<EventRecord>,
    /// An inbound SMS whose carrier message id was already stored: acknowledged, not stored again.
    pub duplicate: bool,
}

impl Executed {
    /// The conversation the command was about, if any (e.g. the one an SMS opened).
    pub fn conversation(&self) -> Option<ConversationId> {
        self.records.iter().find_map(|r| r.event.conversation())
    }
}

/// The result of one batch: one entry per command, plus the offers routing made.
#[derive(Clone, Debug, Default)]
pub struct BatchOutcome {
    pub results: Vec<Result<Executed, Rejection>>,
    pub routed: Vec<EventRecord>,
    /// Whether the batch put an SMS in the outbox (`layout::is_outbound`).
    pub outbound: bool,
}

pub struct Engine<S: KvStore> {
    state: State,
    store: S,
    routers: Routers,
    stopped: Option<String>,
    /// The store's identity (`layout::identity`), for front ends' cursors.
    identity: String,
}

impl<S: KvStore> std::fmt::Debug for Engine<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("open_conversations", &self.state.conversation_count())
            .field("routers", &self.routers)
            .field("stopped", &self.stopped)
            .finish()
    }
}

impl<S: KvStore> Engine<S> {
    /// Loads the state from `store`. Timers that expired meanwhile fire on the first `tick`.
    pub fn open(store: S, setup: Setup, routers: Routers) -> Result<Self, EngineError> {
        let state = layout::load(&store, setup)?;
        let identity = layout::identity(&store)?;
        Ok(Self {
            state,
            store,
            routers,
            stopped: None,
            identity,
        })
    }

    pub fn state(&self) -> &State {
        &self.state
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    /// The store's identity: random, fixed at the store's creation.
    pub fn identity(&self) -> &str {
        &self.identity
    }

    /// Why the engine refuses work after a storage failure; `None` while healthy.
    pub fn stopped(&self) -> Option<&str> {
        self.stopped.as_deref()
    }

    /// One command, committed on its own (one sync).
    pub fn execute(&mut self, command: Command, now: Timestamp) -> Result<Result<Executed, Rejection>, EngineError> {
        let mut outcome = self.execute_batch(vec![command], now)?;
        Ok(outcome.results.pop().unwrap_or_else(|| Ok(Executed::default())))
    }

    /// Runs every command in order, then routing, then commits once.
    /// Returns only after the commit is durable.
    pub fn execute_batch(&mut self, commands: Vec<Command>, now: Timestamp) -> Result<BatchOutcome, EngineError> {
        self.execute_gated(commands, &[], now).map(|(outcome, _)| outcome)
    }

    /// `execute_batch`, but the commands `gated` marks (by position; none
    /// past its end) run only if the store's gate is open: nothing stored
    /// elsewhere waits to be committed ahead of them
    /// (`KvStore::get_many_gated`, asked in the batch's read). Returns the
    /// outcome of the commands that ran, in order, and the gated commands
    /// that did not, in order (none when the gate was open).
    pub fn execute_gated(
        &mut self,
        mut commands: Vec<Command>,
        gated: &[bool],
        now: Timestamp,
    ) -> Result<(BatchOutcome, Vec<Command>), EngineError> {
        if let Some(why) = &self.stopped {
            return Err(EngineError::Stopped(why.clone()));
        }
        let gate = gated.contains(&true);
        let (fetched, open) = match Fetched::for_batch(&self.store, &self.state, &commands, gate) {
            Ok(fetched) => fetched,
            Err(e) => {
                tracing::error!(error = %e, "reading the store failed before a batch; the engine stops until restarted");
                self.stopped = Some(e.to_string());
                return Err(e.into());
            }
        };
        let mut held = Vec::new();
        if !open {
            let (out, run): (Vec<_>, Vec<_>) = commands
                .into_iter()
                .enumerate()
                .partition(|(i, _)| gated.get(*i).copied().unwrap_or(false));
            held = out.into_iter().map(|(_, c)| c).collect();
            commands = run.into_iter().map(|(_, c)| c).collect();
            if commands.is_empty() {
                return Ok((BatchOutcome::default(), held));
            }
        }
        self.run_fetched(commands, &fetched, now).map(|outcome| (outcome, held))
    }

    /// Runs `commands` with the reads `fetched` for them, routes, commits.
    fn run_fetched(
        &mut self,
        commands: Vec<Command>,
        fetched: &Fetched,
        now: Timestamp,
    ) -> Result<BatchOutcome, EngineError> {
        let mut all = Vec::new();
        let mut outcome = BatchOutcome::default();
        for command in commands {
            // Earlier commands of this batch are applied in memory but not
            // committed: after a failure here memory may be ahead of disk.
            let result = match self.run_one(&command, now, fetched) {
                Ok(r) => r,
                Err(e) => {
                    tracing::error!(error = %e, "reading the store failed mid-batch; the engine stops until restarted");
                    self.stopped = Some(e.to_string());
                    return Err(e);
                }
            };
            if let Ok(done) = &result {
                all.extend(done.records.iter().cloned());
            }
            outcome.results.push(result);
        }
        outcome.routed = self.route(now);
        all.extend(outcome.routed.iter().cloned());
        outcome.outbound = all.iter().any(|r| layout::is_outbound(&r.event));
        self.commit(&all)?;
        Ok(outcome)
    }

    /// Fires every due timer (offer, conference invitation, auto wrap-up) and routes.
    pub fn tick(&mut self, now: Timestamp) -> Result<BatchOutcome, EngineError> {
        let due = timers::due(&self.state, now);
        self.execute_batch(due, now)
    }

    fn run_one(
        &mut self,
        command: &Command,
        now: Timestamp,
        fetched: &Fetched,
    ) -> Result<Result<Executed, Rejection>, EngineError> {
        let stored = Through::new(fetched, &self.store);
        match command {
            Command::ReceiveSms(sms) => {
                let known = self.state.seen(&sms.carrier, &sms.carrier_message_id).is_some()
                    || layout::was_seen(&stored, &sms.carrier, &sms.carrier_message_id)?;
                if known {
                    return Ok(Ok(Executed {
                        records: Vec::new(),
                        duplicate: true,
                    }));
                }
            }
            Command::Reply {
                conversation,
                reference: Some(reference),
                ..
            } => {
                // The same reply handed in again (a front end replaying after a crash) is already done.
                let known = self.state.reply_with_reference(*conversation, reference).is_some()
                    || layout::reply_by_reference(&stored, *conversation, reference)?.is_some();
                if known {
                    return Ok(Ok(Executed::default()));
                }
            }
            Command::RecordSendOutcome { message, .. } => read_back_delivery(&mut self.state, &stored, *message)?,
            Command::RecordDelivery {
                carrier, provider_id, ..
            } if self.state.message_by_provider(carrier, provider_id).is_none() => {
                if let Some(message) = layout::message_by_provider(&stored, carrier, provider_id)? {
                    read_back_delivery(&mut self.state, &stored, message)?;
                }
            }
            _ => {}
        }
        let events = match decide(&self.state, command, now) {
            Ok(events) => events,
            Err(rejection) => return Ok(Err(rejection)),
        };
        let actor = command.actor();
        let records = events
            .into_iter()
            .map(|event| {
                // smsdesk's own texts are smsdesk's, whoever's command caused them.
                let by = match event {
                    Event::AutoReplied { .. } => smsdesk_core::command::Actor::System,
                    _ => actor.clone(),
                };
                self.record(by, event, now)
            })
            .collect();
        Ok(Ok(Executed {
            records,
            duplicate: false,
        }))
    }

    fn record(&mut self, actor: smsdesk_core::command::Actor, event: Event, now: Timestamp) -> EventRecord {
        let record = EventRecord {
            seq: self.state.counters.next_seq,
            at: now,
            actor,
            event,
        };
        apply(&mut self.state, &record);
        record
    }

    /// Makes offers until no waiting conversation can be matched.
    fn route(&mut self, now: Timestamp) -> Vec<EventRecord> {
        let mut out = Vec::new();
        // Each successful offer fills one seat, so this is bounded; the cap is a guard.
        let bound = self.state.conversation_count() + 1;
        for _ in 0..bound {
            let Some(command) = next_offer(&self.state, &mut self.routers, now) else {
                break;
            };
            match decide(&self.state, &command, now) {
                Ok(events) => {
                    for event in events {
                        out.push(self.record(smsdesk_core::command::Actor::System, event, now));
                    }
                }
                Err(rejection) => {
                    tracing::error!(%rejection, "routing proposed an offer the rules refuse");
                    break;
                }
            }
        }
        out
    }

    fn commit(&mut self, records: &[EventRecord]) -> Result<(), EngineError> {
        let mut writes = WriteSet::default();
        let finished = layout::stage(&mut self.state, records, &mut writes);
        if records.is_empty() && writes.len() <= 1 {
            // Nothing but the counters: no need to sync.
            return Ok(());
        }
        if let Err(e) = self.store.commit(&writes) {
            tracing::error!(error = %e, "commit failed; the engine stops until restarted");
            self.stopped = Some(e.to_string());
            return Err(e.into());
        }
        self.state.forget_finished(&finished);
        Ok(())
    }

    /// Finishes the store's deferred work; call when no caller is waiting.
    pub fn settle(&mut self) -> Result<(), EngineError> {
        if let Err(e) = self.store.settle() {
            tracing::error!(error = %e, "applying committed writes failed; the engine stops until restarted");
            self.stopped = Some(e.to_string());
            return Err(e.into());
        }
        Ok(())
    }

    /// A reply's delivery record, wherever it is (memory or store).
    pub fn delivery(&self, message: MessageId) -> Result<Option<smsdesk_core::model::DeliveryRecord>, StoreError> {
        match self.state.delivery(message) {
            Some(record) => Ok(Some(record)),
            None => layout::delivery(&self.store, message),
        }
    }

    /// Erases up to `limit` conversations closed before `cutoff`
    /// (`store::retention`), in one durable write; what it erased.
    pub fn erase_closed_before(
        &mut self,
        cutoff: Timestamp,
        limit: usize,
    ) -> Result<crate::store::retention::Erased, EngineError> {
        let mut writes = WriteSet::default();
        let state = &self.state;
        let erased = crate::store::retention::stage_erase(
            &self.store,
            cutoff,
            limit,
            |id| state.conversation(id).is_some(),
            &mut writes,
        )?;
        if !writes.is_empty() {
            if let Err(e) = self.store.commit(&writes) {
                tracing::error!(error = %e, "commit failed; the engine stops until restarted");
                self.stopped = Some(e.to_string());
                return Err(e.into());
            }
        }
        Ok(erased)
    }

    /// Indexes closed conversations of an older store for retention, `limit`
    /// records at a time (`store::retention::stage_backfill`); where to go
    /// on from, `None` when done. Nothing to do once the marker is set.
    pub fn backfill_closed_index(
        &mut self,
        after: Option<ConversationId>,
        limit: usize,
    ) -> Result<Option<ConversationId>, EngineError> {
        if self.store.get(crate::store::retention::INDEXED)?.is_some() {
            return Ok(None);
        }
        let mut writes = WriteSet::default();
        let next = crate::store::retention::stage_backfill(&self.store, after, limit, &mut writes)?;
        if let Err(e) = self.store.commit(&writes) {
            tracing::error!(error = %e, "commit failed; the engine stops until restarted");
            self.stopped = Some(e.to_string());
            return Err(e.into());
        }
        Ok(next)
    }

    /// Every event of a conversation, open or closed, oldest first.
    pub fn history(&self, conversation: ConversationId) -> Result<Vec<EventRecord>, StoreError> {
        layout::history(&self.store, conversation)
    }
}

/// Brings a reply's delivery record into memory for the batch, if it is not there.
fn read_back_delivery(state: &mut State, stored: &impl Lookup, message: MessageId) -> Result<(), EngineError> {
    if state.delivery(message).is_none() {
        if let Some(record) = layout::delivery(stored, message)? {
            state.hold_delivery(message, record);
        }
    }
    Ok(())
}
