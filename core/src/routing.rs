//! Routing: which available agent gets a waiting conversation. Policies sit
//! behind the `Router` trait so that WebAssembly router plugins can decide;
//! the built-in `LongestAvailable` is the default and the fallback when a
//! plugin fails. `next_offer` walks the queues and turns a pick into an
//! `Offer` command, which `decide` still validates: a router cannot break a rule.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use crate::command::Command;
use crate::ids::{AgentId, ConversationId, CustomerNumber, EntryNumber, QueueName, Timestamp};
use crate::model::{AgentStatus, Conversation};
use crate::state::State;

/// The waiting conversation a router decides about.
#[derive(Clone, Debug)]
pub struct RouteRequest<'a> {
    pub conversation: ConversationId,
    pub queue: &'a QueueName,
    pub customer: &'a CustomerNumber,
    pub entry: &'a EntryNumber,
    /// Time since the first SMS.
    pub waited: Duration,
    pub last_agent: Option<&'a AgentId>,
    pub required_skills: &'a BTreeSet<String>,
    /// What the intake bot learned (name, value), in its order.
    pub fields: &'a [(String, String)],
}

/// One eligible agent: available, below capacity, member of the queue.
#[derive(Clone, Debug)]
pub struct Candidate<'a> {
    pub agent: &'a AgentId,
    /// The agent's position in the roster: a stable small number for the
    /// life of the process (plugins get it instead of the Matrix id).
    pub ordinal: u32,
    /// Time since the agent last became available or last had work change.
    pub idle: Duration,
    pub load: u32,
    pub capacity: u32,
    pub skills: &'a BTreeSet<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pick {
    /// Index into the candidate slice.
    Agent(usize),
    /// Leave the conversation waiting for now.
    Wait,
}

/// Why a router could not decide; the engine logs it and falls back.
#[derive(Clone, Debug, thiserror::Error)]
#[error("router {router} failed: {message}")]
pub struct RouterError {
    pub router: String,
    pub message: String,
}

pub trait Router: Send {
    fn name(&self) -> &str;
    fn pick(&mut self, request: &RouteRequest<'_>, candidates: &[Candidate<'_>]) -> Result<Pick, RouterError>;
}

/// The seed policy: the agent who has waited longest for work; ties go to
/// the lower load, then to the agent id (so the result is deterministic).
#[derive(Clone, Copy, Debug, Default)]
pub struct LongestAvailable;

impl LongestAvailable {
    pub fn choose(candidates: &[Candidate<'_>]) -> Option<usize> {
        candidates
            .iter()
            .enumerate()
            .max_by(|(_, a), (_, b)| a.idle.cmp(&b.idle).then(b.load.cmp(&a.load)).then(b.agent.cmp(a.agent)))
            .map(|(i, _)| i)
    }
}

impl Router for LongestAvailable {
    fn name(&self) -> &str {
        "longest-available"
    }

    fn pick(&mut self, _: &RouteRequest<'_>, candidates: &[Candidate<'_>]) -> Result<Pick, RouterError> {
        Ok(Self::choose(candidates).map_or(Pick::Wait, Pick::Agent))
    }
}

/// The router of each queue; queues without one use longest-available.
#[derive(Default)]
pub struct Routers {
    per_queue: BTreeMap<QueueName, Box<dyn Router>>,
}

impl std::fmt::Debug for Routers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(self.per_queue.iter().map(|(q, r)| (q, r.name())))
            .finish()
    }
}

impl Routers {
    pub fn set(&mut self, queue: QueueName, router: Box<dyn Router>) {
        self.per_queue.insert(queue, router);
    }

    fn pick(&mut self, request: &RouteRequest<'_>, candidates: &[Candidate<'_>]) -> Option<usize> {
        if let Some(router) = self.per_queue.get_mut(request.queue) {
            match router.pick(request, candidates) {
                Ok(Pick::Agent(i)) if i < candidates.len() => return Some(i),
                Ok(Pick::Wait) => return None,
                Ok(Pick::Agent(i)) => tracing::warn!(
                    router = router.name(),
                    index = i,
                    candidates = candidates.len(),
                    "router picked a candidate that does not exist; using longest-available"
                ),
                Err(error) => tracing::warn!(%error, "router failed; using longest-available"),
            }
        }
        LongestAvailable::choose(candidates)
    }
}

/// The eligible members of `queue` (see `State::eligible`), in roster order.
fn candidates<'a>(state: &'a State, queue: &QueueName, now: Timestamp) -> Vec<Candidate<'a>> {
    state
        .eligible(queue)
        .filter_map(|id| {
            let setup = state.setup.agents.get(id)?;
            Some(Candidate {
                agent: &setup.id,
                ordinal: state.ordinal(id).unwrap_or(u32::MAX),
                idle: state.agent(id).map_or(Duration::ZERO, |r| now.since(r.ready_since())),
                load: state.load(id),
                capacity: setup.capacity,
                skills: &setup.skills,
            })
        })
        .collect()
}

/// One queue's waiting line, with the agents who may take from it.
struct Line<'a, I: Iterator<Item = &'a Conversation>> {
    waiting: std::iter::Peekable<I>,
    candidates: Vec<Candidate<'a>>,
}

/// The next offer to make, if any: conversations are served head first,
/// then oldest first, across the queues that are open (business hours) and
/// have both someone waiting and someone eligible; decliners are skipped
/// while someone else is eligible.
/// Reads the waiting and eligible indexes, never every conversation.
pub fn next_offer(state: &State, routers: &mut Routers, now: Timestamp) -> Option<Command> {
    let mut lines: Vec<_> = state
        .queues_waiting()
        .filter(|q| state.eligible(q).next().is_some())
        .filter(|q| state.setup.queue(q).is_none_or(|setup| setup.is_open(now)))
        .map(|q| Line {
            waiting: state.waiting_in(q).peekable(),
            candidates: candidates(state, q, now),
        })
        .collect();
    loop {
        let (_, i) = lines
            .iter_mut()
            .enumerate()
            .filter_map(|(i, line)| line.waiting.peek().map(|c| (c.queue_order(), i)))
            .min()?;
        let line = &mut lines[i];
        let c = line.waiting.next()?;
        let mut cands = line.candidates.clone();
        if cands.iter().any(|k| !c.declined_by.contains(k.agent)) {
            cands.retain(|k| !c.declined_by.contains(k.agent));
        }
        // Back to the last agent, before the queue's router is asked: offered
        // to them when they have room; waited for while they are available
        // but full; otherwise (offline, idle, RONA) the router decides now.
        if let Some(s) = c
            .sticky
            .as_ref()
            .filter(|s| c.first_accepted_at.is_none() && s.waiting(now) && !c.declined_by.contains(&s.agent))
        {
            if line.candidates.iter().any(|k| k.agent == &s.agent) {
                return Some(Command::Offer {
                    conversation: c.id,
                    agent: s.agent.clone(),
                });
            }
            let member = state
                .setup
                .agents
                .get(&s.agent)
                .is_some_and(|a| a.queues.contains(&c.queue));
            let available = state
                .agent(&s.agent)
                .is_some_and(|a| a.status == AgentStatus::Available);
            if member && available {
                continue;
            }
        }
        let request = RouteRequest {
            conversation: c.id,
            queue: &c.queue,
            customer: &c.customer,
            entry: &c.entry,
            waited: now.since(c.opened_at),
            last_agent: c.last_agent.as_ref(),
            required_skills: &c.skills,
            fields: &c.fields,
        };
        if let Some(i) = routers.pick(&request, &cands) {
            return Some(Command::Offer {
                conversation: c.id,
                agent: cands[i].agent.clone(),
            });
        }
    }
}
