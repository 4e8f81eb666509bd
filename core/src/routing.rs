//! Routing: which available agent gets a waiting conversation. Policies sit
//! behind the `Router` trait so that WebAssembly router plugins can decide;
//! the built-in `LongestAvailable` is the default and the fallback when a
//! plugin fails. `next_offer` walks the queues and turns a pick into an
//! `Offer` command, which `decide` still validates: a router cannot break a rule.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use crate::command::Command;
use crate::ids::{AgentId, ConversationId, CustomerNumber, EntryNumber, QueueName, Timestamp};
use crate::model::Conversation;
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

fn candidates<'a>(state: &'a State, c: &Conversation, now: Timestamp) -> Vec<Candidate<'a>> {
    state
        .setup
        .agents
        .values()
        .enumerate()
        .filter(|(_, a)| a.queues.contains(&c.queue) && state.has_room(&a.id))
        .map(|(ordinal, a)| Candidate {
            agent: &a.id,
            ordinal: u32::try_from(ordinal).unwrap_or(u32::MAX),
            idle: state
                .agent(&a.id)
                .map_or(Duration::ZERO, |r| now.since(r.ready_since())),
            load: state.load(&a.id),
            capacity: a.capacity,
            skills: &a.skills,
        })
        .collect()
}

/// The next offer to make, if any: queues are served head first, then
/// oldest first; decliners are skipped while someone else is eligible.
pub fn next_offer(state: &State, routers: &mut Routers, now: Timestamp) -> Option<Command> {
    let anyone_free = state.setup.agents.keys().any(|a| state.has_room(a));
    if !anyone_free {
        return None;
    }
    for c in state.waiting() {
        let mut cands = candidates(state, c, now);
        if cands.iter().any(|k| !c.declined_by.contains(k.agent)) {
            cands.retain(|k| !c.declined_by.contains(k.agent));
        }
        if cands.is_empty() {
            continue;
        }
        let request = RouteRequest {
            conversation: c.id,
            queue: &c.queue,
            customer: &c.customer,
            entry: &c.entry,
            waited: now.since(c.opened_at),
            last_agent: c.last_agent.as_ref(),
            required_skills: &c.skills,
        };
        if let Some(i) = routers.pick(&request, &cands) {
            return Some(Command::Offer {
                conversation: c.id,
                agent: cands[i].agent.clone(),
            });
        }
    }
    None
}
