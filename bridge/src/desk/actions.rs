//! `POST /desk/action`: what an agent does on the desk page, as JSON
//! (`{"do": "accept", "conversation": 3}`), turned into the same engine
//! commands the Matrix desk sends, so the two front ends are one desk.
//! The answer is `{"ok": true}`, or `{"error": …}` with the engine's
//! refusal in the words the Matrix desk uses. The page sees the result
//! through its event stream, as it sees what the agent does in Matrix.

use serde::Deserialize;
use smsdesk_core::{AgentId, Command, ConversationId, QueueName};

/// One action on the page.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(tag = "do", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Action {
    Available,
    Idle {
        #[serde(default)]
        code: Option<String>,
    },
    Offline,
    Accept {
        conversation: u64,
    },
    Decline {
        conversation: u64,
    },
    Reply {
        conversation: u64,
        text: String,
        /// The page's own id for this reply, so a resend is one reply.
        nonce: String,
    },
    Note {
        conversation: u64,
        text: String,
        nonce: String,
    },
    Transfer {
        conversation: u64,
        /// A queue name, or an agent like `@bob:example.com`.
        to: String,
    },
    Conference {
        conversation: u64,
        agent: String,
    },
    /// The owner ends one agent's part (or all, without `agent`); a
    /// conference agent leaves.
    EndConference {
        conversation: u64,
        #[serde(default)]
        agent: Option<String>,
    },
    End {
        conversation: u64,
    },
    Wrapup {
        conversation: u64,
        /// A reason as listed, or its number.
        reason: String,
    },
}

/// Why an action cannot even be made into a command.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("{0:?} is not an agent id like @bob:example.com")]
    NotAnAgent(String),
    #[error("the page's reply id must be 1 to 64 letters, digits, - or _")]
    BadNonce,
}

impl Refused {
    /// Why, for the agent, in `lang`.
    pub fn text(&self, lang: &crate::i18n::Lang) -> String {
        match self {
            Self::NotAnAgent(text) => crate::tr!(lang, "deskpage-not-an-agent", text = text.as_str()),
            Self::BadNonce => lang.t("deskpage-bad-nonce"),
        }
    }
}

fn agent_id(text: &str) -> Result<AgentId, Refused> {
    matrix_sdk::ruma::UserId::parse(text.trim())
        .map(|u| AgentId::new(u.to_string()))
        .map_err(|_| Refused::NotAnAgent(text.to_owned()))
}

/// The reference a desk reply or note carries (`desk:<agent>:<nonce>`): the
/// engine recognises it when the page sends the same one again.
fn reference(agent: &AgentId, nonce: &str) -> Result<String, Refused> {
    let ok = !nonce.is_empty()
        && nonce.len() <= 64
        && nonce.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !ok {
        return Err(Refused::BadNonce);
    }
    Ok(format!("desk:{agent}:{nonce}"))
}

impl Action {
    /// The engine command for `agent`'s action.
    pub fn command(self, agent: AgentId) -> Result<Command, Refused> {
        let id = ConversationId;
        Ok(match self {
            Self::Available => Command::SetAvailable { agent },
            Self::Idle { code } => Command::SetIdle { agent, code },
            Self::Offline => Command::SetOffline { agent },
            Self::Accept { conversation } => Command::Accept {
                agent,
                conversation: Some(id(conversation)),
            },
            Self::Decline { conversation } => Command::Decline {
                agent,
                conversation: Some(id(conversation)),
            },
            Self::Reply {
                conversation,
                text,
                nonce,
            } => Command::Reply {
                reference: Some(reference(&agent, &nonce)?),
                agent,
                conversation: id(conversation),
                body: text,
                media: Vec::new(),
                canned: None,
            },
            Self::Note {
                conversation,
                text,
                nonce,
            } => Command::AddNote {
                reference: Some(reference(&agent, &nonce)?),
                author: agent,
                conversation: id(conversation),
                body: text,
                supervisor: false,
            },
            Self::Transfer { conversation, to } if to.trim_start().starts_with('@') => Command::TransferToAgent {
                target: agent_id(&to)?,
                agent,
                conversation: id(conversation),
            },
            Self::Transfer { conversation, to } => Command::TransferToQueue {
                agent,
                conversation: id(conversation),
                queue: QueueName::new(to.trim().to_owned()),
            },
            Self::Conference {
                conversation,
                agent: target,
            } => Command::RequestConference {
                target: agent_id(&target)?,
                agent,
                conversation: id(conversation),
            },
            Self::EndConference {
                conversation,
                agent: target,
            } => Command::EndConference {
                target: target.as_deref().map(agent_id).transpose()?,
                agent,
                conversation: id(conversation),
            },
            Self::End { conversation } => Command::End {
                agent,
                conversation: id(conversation),
            },
            Self::Wrapup { conversation, reason } => Command::Wrapup {
                agent,
                conversation: id(conversation),
                choice: Some(reason),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alice() -> AgentId {
        AgentId::from("@alice:hs")
    }

    fn parse(json: &str) -> Action {
        serde_json::from_str(json).expect("an action")
    }

    #[test]
    fn actions_become_the_matrix_desks_commands() {
        assert_eq!(
            parse(r#"{"do":"accept","conversation":3}"#).command(alice()),
            Ok(Command::Accept {
                agent: alice(),
                conversation: Some(ConversationId(3))
            })
        );
        assert_eq!(
            parse(r#"{"do":"transfer","conversation":3,"to":"billing"}"#).command(alice()),
            Ok(Command::TransferToQueue {
                agent: alice(),
                conversation: ConversationId(3),
                queue: QueueName::from("billing")
            })
        );
        let Ok(Command::Reply { reference, .. }) =
            parse(r#"{"do":"reply","conversation":3,"text":"hi","nonce":"n1"}"#).command(alice())
        else {
            panic!("a reply");
        };
        assert_eq!(reference.as_deref(), Some("desk:@alice:hs:n1"));
    }

    #[test]
    fn what_cannot_be_a_command_is_refused_by_name() {
        assert!(serde_json::from_str::<Action>(r#"{"do":"teleport"}"#).is_err());
        assert!(serde_json::from_str::<Action>(r#"{"do":"accept","conversation":3,"as":"@bob:hs"}"#).is_err());
        assert_eq!(
            parse(r#"{"do":"conference","conversation":3,"agent":"bob"}"#).command(alice()),
            Err(Refused::NotAnAgent("bob".into()))
        );
        assert_eq!(
            parse(r#"{"do":"reply","conversation":3,"text":"hi","nonce":"<x>"}"#).command(alice()),
            Err(Refused::BadNonce)
        );
    }
}
