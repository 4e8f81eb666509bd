//! How the committer thread commits its batches: on its own thread, or
//! pipelined through a writer thread.
//!
//! `Commits::Here` is plain group commit: run a batch, commit it, answer
//! it, take the next. That suits a local disk (sled), where the commit is
//! one `fdatasync`.
//!
//! Where a commit waits on a network round trip (PostgreSQL), the engine
//! thread would sit idle during it. `Commits::Pipelined` hands each staged
//! batch (`Engine::stage_batch`) to a writer thread and goes on to the next
//! batch while it commits; the engine reads what is still on its way from
//! the pending writes (`store::pending`). The writer commits whatever has
//! queued up as one write set, then answers those batches' callers, in
//! order, and tells the engine thread they are durable. So no caller hears
//! of a command before it is durable, and none before an earlier one.
//!
//! - Reads that look at the store outside a batch (queries, housekeeping)
//!   first wait until every staged batch is durable (`drain`).
//! - At most `DEPTH` batches are on their way; the engine thread waits for
//!   the writer beyond that (a slow database slows intake; memory does not
//!   run ahead).
//! - When a commit fails, that group and every later batch is answered
//!   with the error and never committed, and the engine stops, as after a
//!   failed commit of its own.

use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;

use smsdesk_core::command::Command;
use smsdesk_core::ids::Timestamp;
use smsdesk_core::rejection::Rejection;

use crate::engine::{BatchOutcome, Engine, EngineError, Executed, Staged};
use crate::store::{KvStore, WriteSet, Writer};

/// The answer to one submitted command.
pub type Reply = Result<Result<Executed, Rejection>, EngineError>;
pub type ReplyFn = Box<dyn FnOnce(Reply) + Send>;
/// Called after every successful commit with the sequence number the next event will get.
pub type OnCommit = Box<dyn Fn(u64) + Send>;

/// Most batches on their way to the store at once.
const DEPTH: u64 = 8;

/// One staged batch for the writer.
struct Item {
    batch: u64,
    writes: Option<Arc<WriteSet>>,
    answers: Vec<(ReplyFn, Result<Executed, Rejection>)>,
    next_seq: u64,
    notify: bool,
}

/// From the writer: every batch up to `through` is durable, or failed.
struct Done {
    through: u64,
    failed: Option<String>,
}

/// Where the committer's batches are committed.
pub(crate) enum Commits {
    /// On the engine thread, one batch at a time.
    Here(Option<OnCommit>),
    Pipelined(Pipeline),
}

impl Commits {
    /// Pipelined where the store has a writer of its own, else here.
    pub fn for_store(store: &impl KvStore, on_commit: Option<OnCommit>) -> Self {
        match store.writer() {
            Ok(Some(writer)) => match Pipeline::spawn(writer, on_commit) {
                Ok(pipeline) => Self::Pipelined(pipeline),
                Err((error, on_commit)) => {
                    tracing::warn!(%error, "no writer thread; commits wait on the engine thread");
                    Self::Here(on_commit)
                }
            },
            Ok(None) => Self::Here(on_commit),
            Err(error) => {
                tracing::warn!(%error, "the store has no writer; commits wait on the engine thread");
                Self::Here(on_commit)
            }
        }
    }

    /// Runs `commands` and has their callers answered once they are durable.
    pub fn batch<S: KvStore>(
        &mut self,
        engine: &mut Engine<S>,
        commands: Vec<Command>,
        replies: Vec<ReplyFn>,
        now: Timestamp,
    ) {
        match self {
            Self::Here(on_commit) => match engine.execute_batch(commands, now) {
                Ok(outcome) => {
                    notify(on_commit.as_ref(), engine.state().counters.next_seq);
                    for (reply, result) in replies.into_iter().zip(outcome.results) {
                        reply(Ok(result));
                    }
                }
                Err(e) => refuse(replies, &e),
            },
            Self::Pipelined(pipeline) => match engine.stage_batch(commands, now) {
                Ok(staged) => pipeline.send(engine, staged, replies, true),
                Err(e) => refuse(replies, &e),
            },
        }
    }

    /// Fires due timers and routes (`Engine::tick`).
    pub fn tick<S: KvStore>(&mut self, engine: &mut Engine<S>, now: Timestamp) {
        let changed = |outcome: &BatchOutcome| !outcome.routed.is_empty() || !outcome.results.is_empty();
        match self {
            Self::Here(on_commit) => match engine.tick(now) {
                Ok(outcome) if changed(&outcome) => notify(on_commit.as_ref(), engine.state().counters.next_seq),
                Ok(_) => {}
                Err(error) => tracing::error!(%error, "timer tick failed"),
            },
            Self::Pipelined(pipeline) => match engine.stage_tick(now) {
                Ok(staged) => {
                    let notify = changed(&staged.outcome);
                    pipeline.send(engine, staged, Vec::new(), notify);
                }
                Err(error) => tracing::error!(%error, "timer tick failed"),
            },
        }
    }

    /// Takes note of batches the writer finished, without waiting.
    pub fn collect<S: KvStore>(&mut self, engine: &mut Engine<S>) {
        if let Self::Pipelined(pipeline) = self {
            while let Ok(done) = pipeline.done.try_recv() {
                pipeline.settle(engine, done);
            }
        }
    }

    /// Waits until every staged batch is durable (or failed), so that the
    /// store holds what memory does.
    pub fn drain<S: KvStore>(&mut self, engine: &mut Engine<S>) {
        if let Self::Pipelined(pipeline) = self {
            pipeline.wait_until(engine, 0);
        }
    }
}

fn notify(on_commit: Option<&OnCommit>, next_seq: u64) {
    if let Some(f) = on_commit {
        f(next_seq);
    }
}

fn refuse(replies: Vec<ReplyFn>, error: &EngineError) {
    let why = error.to_string();
    for reply in replies {
        reply(Err(EngineError::Stopped(why.clone())));
    }
}

/// The writer thread and what is on its way to it.
pub(crate) struct Pipeline {
    items: Option<Sender<Item>>,
    done: Receiver<Done>,
    thread: Option<JoinHandle<()>>,
    /// The last batch sent, and the last known durable (or failed).
    sent: u64,
    confirmed: u64,
}

impl Pipeline {
    fn spawn(writer: Box<dyn Writer>, on_commit: Option<OnCommit>) -> Result<Self, (std::io::Error, Option<OnCommit>)> {
        let (items, inbox) = mpsc::channel();
        let (report, done) = mpsc::channel();
        // The hook goes to the writer thread only once that thread exists.
        let (hand, hook) = mpsc::sync_channel::<Option<OnCommit>>(1);
        let thread = std::thread::Builder::new()
            .name("smsdesk-writer".to_owned())
            .spawn(move || {
                let on_commit = hook.recv().ok().flatten();
                write(writer, &inbox, &report, on_commit.as_ref());
            });
        match thread {
            Ok(thread) => {
                let _ = hand.send(on_commit);
                Ok(Self {
                    items: Some(items),
                    done,
                    thread: Some(thread),
                    sent: 0,
                    confirmed: 0,
                })
            }
            Err(error) => Err((error, on_commit)),
        }
    }

    fn send<S: KvStore>(&mut self, engine: &mut Engine<S>, staged: Staged, replies: Vec<ReplyFn>, notify: bool) {
        let item = Item {
            batch: staged.batch,
            writes: staged.writes,
            answers: replies.into_iter().zip(staged.outcome.results).collect(),
            next_seq: staged.next_seq,
            notify,
        };
        let Some(items) = &self.items else { return };
        if let Err(mpsc::SendError(item)) = items.send(item) {
            // The writer is gone (it panicked): nothing more is durable.
            let error = EngineError::Stopped("the store's writer thread is gone".to_owned());
            engine.stop(error.to_string());
            refuse(item.answers.into_iter().map(|(reply, _)| reply).collect(), &error);
            return;
        }
        self.sent = staged.batch;
        self.wait_until(engine, DEPTH);
    }

    /// Waits until at most `depth` batches are on their way.
    fn wait_until<S: KvStore>(&mut self, engine: &mut Engine<S>, depth: u64) {
        while self.sent.saturating_sub(self.confirmed) > depth {
            match self.done.recv() {
                Ok(done) => self.settle(engine, done),
                Err(_) => {
                    engine.stop("the store's writer thread is gone".to_owned());
                    self.confirmed = self.sent;
                    engine.confirm(self.sent);
                }
            }
        }
    }

    fn settle<S: KvStore>(&mut self, engine: &mut Engine<S>, done: Done) {
        if let Some(why) = done.failed {
            engine.stop(why);
        }
        self.confirmed = self.confirmed.max(done.through);
        engine.confirm(done.through);
    }
}

impl Drop for Pipeline {
    /// Lets the writer finish what was sent (every caller is answered).
    fn drop(&mut self) {
        self.items.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The writer thread: commits what queued up as one write set, answers it.
fn write(mut writer: Box<dyn Writer>, inbox: &Receiver<Item>, report: &Sender<Done>, on_commit: Option<&OnCommit>) {
    let mut failed: Option<String> = None;
    while let Ok(first) = inbox.recv() {
        let mut group = vec![first];
        group.extend(inbox.try_iter());
        let through = group.last().map_or(0, |item| item.batch);
        if failed.is_none() {
            if let Some(writes) = merged(&group) {
                if let Err(e) = writer.commit(&writes) {
                    tracing::error!(error = %e, "commit failed; the engine stops until restarted");
                    failed = Some(e.to_string());
                }
            }
        }
        let next_seq = group.iter().filter(|item| item.notify).map(|item| item.next_seq).max();
        for item in group {
            for (reply, result) in item.answers {
                match &failed {
                    None => reply(Ok(result)),
                    Some(why) => reply(Err(EngineError::Stopped(why.clone()))),
                }
            }
        }
        if let (None, Some(next_seq)) = (&failed, next_seq) {
            notify(on_commit, next_seq);
        }
        let _ = report.send(Done {
            through,
            failed: failed.clone(),
        });
    }
}

/// The group's writes as one set (later batches' values win).
fn merged(group: &[Item]) -> Option<Arc<WriteSet>> {
    let mut sets = group.iter().filter_map(|item| item.writes.as_ref());
    let first = sets.next()?;
    let mut rest = sets.peekable();
    if rest.peek().is_none() {
        return Some(first.clone());
    }
    let mut all = WriteSet::clone(first);
    for set in rest {
        all.writes
            .extend(set.writes.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    Some(Arc::new(all))
}
