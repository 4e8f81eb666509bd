//! Answers to the read-only commands (`!status`, `!queues`, `!agents`),
//! rendered from the engine's state. Pure: a `State` in, text out.

use smsdesk_core::{AgentId, State};

/// `!status`: the agent's state, load and conversations.
pub fn status(state: &State, agent: &AgentId) -> String {
    let Some(a) = state.agent(agent) else {
        return format!("{agent} is not on the agent roster.");
    };
    let mut lines = vec![format!(
        "You are {} — {} of {} conversation(s) in use.",
        a.status,
        state.load(agent),
        state.capacity(agent)
    )];
    for c in state.holdings(agent) {
        lines.push(format!("#{} {} · {} · {}", c.id, c.customer, c.queue, c.phase.label()));
    }
    lines.join("\n")
}

/// `!queues`: every queue with how many wait in it.
pub fn queues(state: &State) -> String {
    let lines: Vec<String> = state
        .setup
        .queues
        .keys()
        .map(|q| format!("{q}: {} waiting", state.waiting_count(q)))
        .collect();
    format!("Queues (use with !transfer <queue>):\n{}", lines.join("\n"))
}

/// `!agents [filter]`: available agents whose name or id contains `filter`.
pub fn agents(state: &State, filter: Option<&str>) -> String {
    let filter = filter.map(str::to_lowercase);
    let lines: Vec<String> = state
        .setup
        .agents
        .values()
        .filter(|a| state.is_available(&a.id))
        .filter(|a| {
            filter
                .as_ref()
                .is_none_or(|f| a.name.to_lowercase().contains(f) || a.id.as_str().to_lowercase().contains(f))
        })
        .map(|a| format!("{} {} ({}/{})", a.id, a.name, state.load(&a.id), a.capacity))
        .collect();
    if lines.is_empty() {
        "No available agent matches.".to_owned()
    } else {
        format!(
            "Available agents (use with !transfer or !conference):\n{}",
            lines.join("\n")
        )
    }
}
