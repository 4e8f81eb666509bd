//! Group commit and timers: a thread owns the `Engine`. Callers on any
//! thread submit commands; the thread takes whatever has queued up (up to
//! `max_batch`), runs it as one batch and commits it with one sync, then
//! answers every caller. Under load many commands share one `fdatasync`;
//! alone, a command pays one sync. Between jobs the thread sleeps until the
//! next timer deadline and fires it.
//!
//! Dropping the `Committer` stops the thread once it has worked through
//! the jobs already queued.
//!
//! `Liveness` is the thread's heartbeat: it says since when the thread has
//! been busy with one piece of work (a batch, a tick, a query), so a health
//! check can tell a stuck engine from an idle one.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::engine::{Engine, EngineError, Executed};
use crate::store::KvStore;
use smsdesk_core::clock::Clock;
use smsdesk_core::command::Command;
use smsdesk_core::ids::Timestamp;
use smsdesk_core::rejection::Rejection;
use smsdesk_core::state::State;

/// The answer to one submitted command.
pub type Reply = Result<Result<Executed, Rejection>, EngineError>;

/// Since when the engine thread has been busy with one piece of work;
/// shared by the thread (which feeds it) and health checks (which read it).
#[derive(Clone, Debug)]
pub struct Liveness {
    origin: Instant,
    /// Milliseconds after `origin` (plus one) when the current work began;
    /// 0 while the thread waits for work.
    busy_since: Arc<AtomicU64>,
}

impl Default for Liveness {
    fn default() -> Self {
        Self {
            origin: Instant::now(),
            busy_since: Arc::new(AtomicU64::new(0)),
        }
    }
}

impl Liveness {
    fn busy(&self) {
        let ms = u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.busy_since.store(ms.saturating_add(1), Ordering::Relaxed);
    }

    fn idle(&self) {
        self.busy_since.store(0, Ordering::Relaxed);
    }

    /// How long the thread has been busy with its current work; `None`
    /// while it waits for work.
    pub fn busy_for(&self) -> Option<Duration> {
        match self.busy_since.load(Ordering::Relaxed) {
            0 => None,
            since => {
                let now = u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(u64::MAX);
                Some(Duration::from_millis(now.saturating_sub(since - 1)))
            }
        }
    }
}

type ReplyFn = Box<dyn FnOnce(Reply) + Send>;
/// Where a gated group's answer goes: its replies, or its commands back
/// when the gate was shut (none of them ran).
type GatedFn = Box<dyn FnOnce(Result<Vec<Reply>, Vec<Command>>) + Send>;
type QueryFn<S> = Box<dyn FnOnce(&Engine<S>) + Send>;
type MaintainFn<S> = Box<dyn FnOnce(&mut Engine<S>) + Send>;

enum Job<S: KvStore> {
    Execute(Box<Command>, ReplyFn),
    /// Commands that run together, in one batch, only if the store's gate
    /// is open (`Committer::submit_gated`).
    Gated(Vec<Command>, GatedFn),
    Query(QueryFn<S>),
    /// Housekeeping that writes outside the event log (retention), run
    /// between batches like a query.
    Maintain(MaintainFn<S>),
}

/// What a commit did, for whoever follows the engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Committed {
    /// The sequence number the next event will get: everything before it is durable.
    pub next_seq: u64,
    /// Whether it put an SMS in the outbox (the outbox need not look otherwise).
    pub outbound: bool,
}

/// Options for the commit thread.
pub struct Options {
    /// Most commands in one batch (one sync).
    pub max_batch: usize,
    /// Called after every successful commit, with what it did.
    pub on_commit: Option<Box<dyn Fn(Committed) + Send>>,
    /// Longest sleep between timer checks (guards against clock jumps).
    pub max_sleep: Duration,
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("max_batch", &self.max_batch)
            .field("max_sleep", &self.max_sleep)
            .finish()
    }
}

impl Default for Options {
    fn default() -> Self {
        Self {
            max_batch: 256,
            on_commit: None,
            max_sleep: Duration::from_secs(1),
        }
    }
}

pub struct Committer<S: KvStore + 'static> {
    tx: Option<Sender<Job<S>>>,
    thread: Option<JoinHandle<()>>,
    liveness: Liveness,
}

impl<S: KvStore + 'static> std::fmt::Debug for Committer<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Committer")
            .field("running", &self.tx.is_some())
            .finish()
    }
}

impl<S: KvStore + 'static> Committer<S> {
    pub fn spawn(engine: Engine<S>, clock: Arc<dyn Clock>, options: Options) -> Self {
        let (tx, rx) = mpsc::channel();
        let liveness = Liveness::default();
        let beat = liveness.clone();
        let thread = std::thread::Builder::new()
            .name("smsdesk-engine".to_owned())
            .spawn(move || run(engine, rx, clock.as_ref(), &options, &beat))
            .ok();
        Self {
            tx: Some(tx),
            thread,
            liveness,
        }
    }

    /// The engine thread's heartbeat.
    pub fn liveness(&self) -> &Liveness {
        &self.liveness
    }

    /// Queues a command; `reply` is called once it is committed (or refused).
    pub fn submit(&self, command: Command, reply: impl FnOnce(Reply) + Send + 'static) {
        let job = Job::Execute(Box::new(command), Box::new(reply));
        let Some(tx) = self.tx.as_ref() else { return };
        if let Err(mpsc::SendError(Job::Execute(_, reply))) = tx.send(job) {
            reply(Err(thread_gone()));
        }
    }

    /// Queues `commands` to run together in one batch, but only if the
    /// store's gate is open then (`KvStore::get_many_gated`: nothing stored
    /// elsewhere waits to be committed ahead of them). `reply` gets their
    /// replies once committed, or the commands back if the gate was shut.
    pub fn submit_gated(
        &self,
        commands: Vec<Command>,
        reply: impl FnOnce(Result<Vec<Reply>, Vec<Command>>) + Send + 'static,
    ) {
        let job = Job::Gated(commands, Box::new(reply));
        let Some(tx) = self.tx.as_ref() else { return };
        if let Err(mpsc::SendError(Job::Gated(commands, reply))) = tx.send(job) {
            reply(Ok(commands.iter().map(|_| Err(thread_gone())).collect()));
        }
    }

    /// Runs a command and blocks until it is durable.
    pub fn execute(&self, command: Command) -> Reply {
        let (tx, rx) = mpsc::sync_channel(1);
        self.submit(command, move |r| {
            let _ = tx.send(r);
        });
        rx.recv().unwrap_or_else(|_| Err(thread_gone()))
    }

    /// Reads the engine on its own thread; `None` if the thread is gone.
    pub fn query<R: Send + 'static>(&self, f: impl FnOnce(&Engine<S>) -> R + Send + 'static) -> Option<R> {
        let (tx, rx) = mpsc::sync_channel(1);
        let job = Job::Query(Box::new(move |engine: &Engine<S>| {
            let _ = tx.send(f(engine));
        }));
        self.tx.as_ref()?.send(job).ok()?;
        rx.recv().ok()
    }

    /// Queues a read of the engine, run on its thread between batches;
    /// returns false (and drops `f`) if the thread is gone. The async
    /// counterpart of `query`: `f` sends its answer wherever the caller waits.
    pub fn submit_query(&self, f: impl FnOnce(&Engine<S>) + Send + 'static) -> bool {
        self.tx
            .as_ref()
            .is_some_and(|tx| tx.send(Job::Query(Box::new(f))).is_ok())
    }

    /// Queues housekeeping that writes to the store (retention), run on the
    /// engine thread between batches; false if the thread is gone.
    pub fn submit_maintenance(&self, f: impl FnOnce(&mut Engine<S>) + Send + 'static) -> bool {
        self.tx
            .as_ref()
            .is_some_and(|tx| tx.send(Job::Maintain(Box::new(f))).is_ok())
    }

    /// A copy of the current state.
    pub fn snapshot(&self) -> Option<State> {
        self.query(|e| e.state().clone())
    }
}

impl<S: KvStore + 'static> Drop for Committer<S> {
    fn drop(&mut self) {
        self.tx.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run<S: KvStore>(
    mut engine: Engine<S>,
    rx: Receiver<Job<S>>,
    clock: &dyn Clock,
    options: &Options,
    liveness: &Liveness,
) {
    // Fire whatever expired while we were down, before taking new work.
    liveness.busy();
    tick(&mut engine, clock.now(), options, Tick::WhenDue);
    loop {
        liveness.idle();
        let now = clock.now();
        let wait = engine
            .state()
            .next_deadline()
            .map_or(options.max_sleep, |d| d.since(now).min(options.max_sleep));
        let first = match rx.recv_timeout(wait) {
            Ok(job) => {
                liveness.busy();
                job
            }
            Err(RecvTimeoutError::Timeout) => {
                // Idle: fire timers, and route (a queue may have opened).
                liveness.busy();
                tick(&mut engine, clock.now(), options, Tick::Always);
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => return,
        };
        let mut batch = Batch::default();
        let mut queries = Vec::new();
        let mut chores = Vec::new();
        let mut next = Some(first);
        while let Some(job) = next.take() {
            match job {
                Job::Execute(c, r) => batch.add(vec![*c], Answer::One(r), false),
                Job::Gated(c, r) => batch.add(c, Answer::Gated(r), true),
                Job::Query(q) => queries.push(q),
                Job::Maintain(m) => chores.push(m),
            }
            if batch.commands.len() < options.max_batch {
                next = rx.try_recv().ok();
            }
        }
        let now = clock.now();
        tick(&mut engine, now, options, Tick::WhenDue);
        if !batch.commands.is_empty() {
            batch.run(&mut engine, now, options);
        }
        for q in queries {
            q(&engine);
        }
        for m in chores {
            m(&mut engine);
        }
        // Callers have their answers; now do the deferred index work, while
        // new commands queue up for the next (larger) batch.
        if let Err(error) = engine.settle() {
            tracing::error!(%error, "settling committed writes failed");
        }
    }
}

/// Where the replies of a job in a batch go.
enum Answer {
    One(ReplyFn),
    Gated(GatedFn),
}

/// The commands gathered for one batch, and where their replies go.
#[derive(Default)]
struct Batch {
    commands: Vec<Command>,
    /// Per command: whether it runs only with the gate open.
    gated: Vec<bool>,
    /// Per job, in order: its answer and how many commands it has.
    answers: Vec<(Answer, usize)>,
}

impl Batch {
    fn add(&mut self, commands: Vec<Command>, answer: Answer, gated: bool) {
        self.answers.push((answer, commands.len()));
        self.gated.extend(commands.iter().map(|_| gated));
        self.commands.extend(commands);
    }

    /// Runs it and answers every job.
    fn run<S: KvStore>(self, engine: &mut Engine<S>, now: Timestamp, options: &Options) {
        match engine.execute_gated(self.commands, &self.gated, now) {
            Ok((outcome, held)) => {
                let shut = !held.is_empty();
                // Nothing was committed when the gate held back every command.
                if !(shut && outcome.results.is_empty()) {
                    notify(engine, options, outcome.outbound);
                }
                let (mut results, mut held) = (outcome.results.into_iter(), held.into_iter());
                for (answer, count) in self.answers {
                    match answer {
                        Answer::One(reply) => reply(Ok(results.next().unwrap_or_else(|| Ok(Executed::default())))),
                        Answer::Gated(reply) if shut => reply(Err(held.by_ref().take(count).collect())),
                        Answer::Gated(reply) => reply(Ok(results.by_ref().take(count).map(Ok).collect())),
                    }
                }
            }
            Err(e) => {
                let why = e.to_string();
                for (answer, count) in self.answers {
                    match answer {
                        Answer::One(reply) => reply(Err(EngineError::Stopped(why.clone()))),
                        Answer::Gated(reply) => {
                            reply(Ok((0..count).map(|_| Err(EngineError::Stopped(why.clone()))).collect()));
                        }
                    }
                }
            }
        }
    }
}

/// The answer to a command whose engine thread is gone (it stopped, or
/// the process is shutting down): for waiters that find their reply
/// channel closed, here and in the server.
pub fn thread_gone() -> EngineError {
    EngineError::Stopped("the engine thread is gone".to_owned())
}

/// When `tick` runs the engine's timers and routing.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tick {
    /// Only if a deadline has passed (before a batch: the batch routes anyway).
    WhenDue,
    /// Also with nothing due, to route (idle: a queue may have opened).
    Always,
}

fn tick<S: KvStore>(engine: &mut Engine<S>, now: Timestamp, options: &Options, when: Tick) {
    let due = engine.state().next_deadline().is_some_and(|d| d <= now);
    if engine.stopped().is_some() || (!due && when == Tick::WhenDue) {
        return;
    }
    match engine.tick(now) {
        Ok(outcome) if !outcome.routed.is_empty() || !outcome.results.is_empty() => {
            notify(engine, options, outcome.outbound);
        }
        Ok(_) => {}
        Err(error) => tracing::error!(%error, "timer tick failed"),
    }
}

fn notify<S: KvStore>(engine: &Engine<S>, options: &Options, outbound: bool) {
    if let Some(f) = &options.on_commit {
        f(Committed {
            next_seq: engine.state().counters.next_seq,
            outbound,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::Liveness;

    #[test]
    fn liveness_says_how_long_the_current_work_has_lasted() {
        let l = Liveness::default();
        assert_eq!(l.busy_for(), None);
        l.busy();
        std::thread::sleep(std::time::Duration::from_millis(30));
        assert!(l.busy_for().is_some_and(|d| d >= std::time::Duration::from_millis(25)));
        l.idle();
        assert_eq!(l.busy_for(), None);
    }
}
