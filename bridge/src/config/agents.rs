//! `[agents]`: idle codes and the roster. Each agent's Matrix id is parsed
//! into a typed `OwnedUserId` once, here; that their queues exist is
//! checked in `check`.

use matrix_sdk::ruma::OwnedUserId;
use smsdesk_core::setup::AgentSetup;
use smsdesk_core::{AgentId, QueueName};

use super::matrix::user_id;
use super::reader::{join, Reader};

/// One roster agent: the engine's view and their typed Matrix id.
#[derive(Clone, Debug, PartialEq)]
pub struct AgentConfig {
    /// Where it is defined, e.g. `agents.roster[0]` (for messages).
    pub key: String,
    pub setup: AgentSetup,
    pub user: OwnedUserId,
    /// `queues` as written, in order (for messages naming `queues[i]`).
    pub queues: Vec<QueueName>,
    /// `language`: what smsdesk says to them (else `[matrix] language`).
    pub language: Option<crate::i18n::Lang>,
}

impl AgentConfig {
    pub fn id(&self) -> &AgentId {
        &self.setup.id
    }

    pub fn name(&self) -> &str {
        &self.setup.name
    }
}

/// `(idle_codes, roster)`.
pub fn read(r: &mut Reader, root: &toml::Table) -> (Vec<String>, Vec<AgentConfig>) {
    let (mut idle_codes, mut roster) = (Vec::new(), Vec::new());
    let Some(v) = root.get("agents") else {
        return (idle_codes, roster);
    };
    let Some(t) = r.table(v, "agents", &["idle_codes", "roster"]) else {
        return (idle_codes, roster);
    };
    idle_codes = r.strings(t, "agents", "idle_codes");
    for (path, v) in r
        .array_of_tables(t, "roster")
        .into_iter()
        .map(|(p, v)| (format!("agents.{p}"), v))
    {
        if let Some(agent) = agent(r, &path, v, &roster) {
            roster.push(agent);
        }
    }
    (idle_codes, roster)
}

fn agent(r: &mut Reader, path: &str, v: &toml::Value, roster: &[AgentConfig]) -> Option<AgentConfig> {
    let a = r.table(
        v,
        path,
        &["matrix_id", "name", "queues", "capacity", "skills", "language"],
    )?;
    let id = r.string(a, path, "matrix_id", true)?;
    let user = match user_id(&id) {
        Ok(user) => user,
        Err(why) => {
            r.err(&join(path, "matrix_id"), why.to_string());
            return None;
        }
    };
    let mut setup = AgentSetup::new(user.as_str(), &[]);
    let queues: Vec<QueueName> = r.strings(a, path, "queues").into_iter().map(QueueName::new).collect();
    setup.queues = queues.iter().cloned().collect();
    if let Some(name) = r.string(a, path, "name", false) {
        setup.name = name;
    }
    if let Some(c) = r.integer(a, path, "capacity", 1) {
        setup.capacity = u32::try_from(c).unwrap_or(u32::MAX);
    }
    setup.skills = r.strings(a, path, "skills").into_iter().collect();
    let language = super::language::read(r, a, path);
    if roster.iter().any(|other| other.user == user) {
        r.err(&join(path, "matrix_id"), format!("agent {id} is listed twice"));
        return None;
    }
    Some(AgentConfig {
        key: path.to_owned(),
        setup,
        user,
        queues,
        language,
    })
}
