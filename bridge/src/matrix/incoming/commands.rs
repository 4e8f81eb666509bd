//! Agent chat commands (docs/agent-guide.md), in the style of the tuwunel admin
//! room: the first line of a message is split into words and parsed by a
//! clap-derived enum; clap's error text becomes the refusal notice. Parsing
//! is separate from executing: `parse` gives a `BotCommand`, `action` maps
//! it, with the room it was typed in, to what the bot must do.

use clap::{CommandFactory as _, Subcommand};

use super::chat_line::{self, usage, Refusal};
use crate::i18n::{catalogs, Lang};
use crate::tr;
use smsdesk_core::{AgentId, Command, ConversationId, QueueName};

/// Where a command was typed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Room {
    /// The agent's desk room with the bot.
    Desk,
    /// The room of one conversation.
    Conversation(ConversationId),
}

/// The agents' command line.
type Line = chat_line::Line<BotCommand>;

/// Every command an agent can type. Doc comments are the help texts.
#[derive(Clone, Debug, PartialEq, Eq, Subcommand)]
pub enum BotCommand {
    /// Set yourself available for new conversations (also leaves RONA).
    Available,
    /// Go idle with a reason code, e.g. `!idle Lunch`.
    Idle {
        /// One of the configured idle codes.
        code: Vec<String>,
    },
    /// Sign off: no more offers until you say !available (conversations you hold stay yours).
    Offline,
    /// Show your state, capacity and conversations.
    Status,
    /// Accept an offer, a transfer or a conference invitation.
    Accept {
        /// The conversation number (optional if only one is pending).
        id: Option<u64>,
    },
    /// Decline an offer or a conference invitation.
    Decline {
        /// The conversation number (optional if only one is pending).
        id: Option<u64>,
    },
    /// List the queues with how many conversations wait in each.
    Queues,
    /// List available agents, optionally filtered by name or id.
    Agents {
        /// Text the agent's name or Matrix id must contain.
        filter: Vec<String>,
    },
    /// List customers who opted out (texted STOP), optionally filtered by number.
    Optouts {
        /// Digits or text the customer or business number must contain.
        filter: Vec<String>,
    },
    /// Transfer this conversation to a queue or to an agent.
    Transfer {
        /// A queue name, or an agent like @bob:example.com.
        target: String,
    },
    /// Invite an available agent into this conversation.
    Conference {
        /// The agent, like @bob:example.com.
        agent: String,
    },
    /// End the conference: remove one agent (owner), everyone (owner), or leave.
    Endconf {
        /// The agent to remove (owner only).
        agent: Option<String>,
    },
    /// List the canned replies for this conversation's queue (react with a number to send one).
    Canned {
        /// Text their name or words must contain.
        filter: Vec<String>,
    },
    /// Send the canned reply with this name to the customer.
    C {
        /// The canned reply's name, as `!canned` lists it.
        name: String,
    },
    /// Write an internal note: never sent to the customer (a message in a thread is one too).
    Note {
        /// The note; every line of the message is kept.
        text: Vec<String>,
    },
    /// End this conversation; then pick a wrap-up reason.
    End,
    /// Pick the wrap-up reason by number or by text matching exactly one.
    Wrapup {
        /// A number from the list, or filter text.
        choice: Vec<String>,
    },
    /// Show or choose the language I write to you in: `!language de`.
    Language {
        /// A language tag with a catalog, e.g. en or de.
        tag: Option<String>,
    },
    /// Show the commands, or help for one: `!help transfer`.
    Help {
        /// A command name.
        topic: Option<String>,
    },
}

/// What the bot must do for a command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Run this engine command.
    Engine(Command),
    Status,
    Queues,
    Agents {
        filter: Option<String>,
    },
    Optouts {
        filter: Option<String>,
    },
    Help {
        topic: Option<String>,
    },
    /// `!canned`: the canned replies for this conversation.
    CannedList {
        conversation: ConversationId,
        filter: Option<String>,
    },
    /// `!c <name>`: send that canned reply.
    CannedSend {
        conversation: ConversationId,
        name: String,
    },
    /// `!language [tag]`: show or choose the language of the bot's texts.
    Language {
        tag: Option<String>,
    },
}

/// Whether a message is meant as a command (plain text goes to the customer).
pub fn is_command(body: &str) -> bool {
    body.trim_start().starts_with('!')
}

/// The text of a `!note` command, every line of it (a command otherwise
/// reads only its first line); `None` when `body` is not one.
pub fn note_text(body: &str) -> Option<&str> {
    let rest = body.trim_start().strip_prefix('!')?;
    let word = rest.split_whitespace().next()?;
    if !word.eq_ignore_ascii_case("note") {
        return None;
    }
    Some(rest.trim_start()[word.len()..].trim())
}

/// Parses an agent's command line (its first line, after `!`), in English.
#[cfg(test)]
pub fn parse(body: &str) -> Result<BotCommand, Refusal> {
    parse_in(body, &Lang::default())
}

/// The command an alias of `lang`'s catalog stands for, or the word itself.
fn command_named(word: &str, lang: &Lang) -> String {
    let word = word.to_lowercase();
    catalogs()
        .aliases(lang.as_str())
        .into_iter()
        .find(|(alias, _)| *alias == word)
        .map_or(word, |(_, command)| command)
}

/// Parses an agent's command line: the English names always, and the
/// aliases of `lang`'s catalog (`!annehmen` for `!accept` in German); an
/// unknown command is refused in `lang`.
pub fn parse_in(body: &str, lang: &Lang) -> Result<BotCommand, Refusal> {
    let Some(rest) = chat_line::first_line(body).strip_prefix('!') else {
        return Err(lang.t("command-no-bang").into());
    };
    let mut words = rest.split_whitespace();
    let Some(first) = words.next() else {
        return chat_line::parse(rest, lang, "help-unknown");
    };
    let command = command_named(first, lang);
    if Line::command().find_subcommand(&command).is_none() {
        return Err(tr!(lang, "help-unknown", name = first).into());
    }
    let line: Vec<&str> = std::iter::once(command.as_str()).chain(words).collect();
    chat_line::parse(&line.join(" "), lang, "help-unknown")
}

/// Where each command works, for `!help`.
const DESK: &[&str] = &["available", "idle", "offline", "status", "accept", "decline"];
const CONVERSATION: &[&str] = &[
    "canned",
    "c",
    "note",
    "transfer",
    "conference",
    "endconf",
    "end",
    "wrapup",
];

/// `!help` in `lang`: every command with its one-line help, by room (with
/// the catalog's aliases); `!help <command>`: that command's usage, help
/// and where it works (and, in English, its arguments). The commands and
/// their usage come from the clap definitions above, so they cannot drift
/// from what is parsed; a test holds the English catalog to the doc comments.
pub fn help(topic: Option<&str>, lang: &Lang) -> String {
    let root = Line::command();
    let aliases = catalogs().aliases(lang.as_str());
    let also = |name: &str| {
        let words: Vec<String> = aliases
            .iter()
            .filter(|(_, c)| c == name)
            .map(|(a, _)| format!("!{a}"))
            .collect();
        words.join(", ")
    };
    let about = |name: &str| lang.t(&format!("about-{name}"));
    if let Some(topic) = topic {
        let name = command_named(topic.trim_start_matches('!'), lang);
        let Some(sub) = root.find_subcommand(&name) else {
            return tr!(lang, "help-unknown", name = topic.trim_start_matches('!'));
        };
        let room = if DESK.contains(&name.as_str()) {
            lang.t("help-where-desk")
        } else if CONVERSATION.contains(&name.as_str()) {
            lang.t("help-where-conversation")
        } else {
            lang.t("help-where-anywhere")
        };
        let mut lines = vec![usage(sub), about(&name), room];
        if !also(&name).is_empty() {
            lines.push(tr!(lang, "help-aliases", aliases = also(&name)));
        }
        if lang.as_str() == crate::i18n::FALLBACK {
            for a in sub.get_positionals() {
                let help = a.get_help().map(ToString::to_string).unwrap_or_default();
                lines.push(format!("  {}: {help}", a.get_id()));
            }
        }
        return lines.join("\n");
    }
    let section = |title: String, keep: &dyn Fn(&str) -> bool| {
        let mut lines = vec![title];
        lines.extend(root.get_subcommands().filter(|s| keep(s.get_name())).map(|s| {
            let name = s.get_name();
            match also(name) {
                aka if aka.is_empty() => format!("  {} — {}", usage(s), about(name)),
                aka => format!("  {} ({aka}) — {}", usage(s), about(name)),
            }
        }));
        lines.join("\n")
    };
    [
        section(lang.t("help-desk-title"), &|n| DESK.contains(&n)),
        section(lang.t("help-conversation-title"), &|n| CONVERSATION.contains(&n)),
        section(lang.t("help-anywhere-title"), &|n| {
            !DESK.contains(&n) && !CONVERSATION.contains(&n)
        }),
        lang.t("help-footer"),
    ]
    .join("\n")
}

fn joined(words: &[String]) -> Option<String> {
    let s = words.join(" ");
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

fn agent_id(text: &str) -> Result<AgentId, Refusal> {
    if text.starts_with('@') && text.contains(':') {
        Ok(AgentId::new(text.to_owned()))
    } else {
        Err(format!("{text:?} is not a Matrix user id like @bob:example.com").into())
    }
}

/// Maps a parsed command typed by `agent` in `room` to what the bot does,
/// or a refusal saying why it cannot be done there.
pub fn action(command: BotCommand, agent: &AgentId, room: Room) -> Result<Action, Refusal> {
    let agent = agent.clone();
    let conversation = |what: &str| match room {
        Room::Conversation(id) => Ok(id),
        Room::Desk => Err(Refusal::from(format!(
            "!{what} works in a conversation room, not in your desk room"
        ))),
    };
    Ok(match command {
        BotCommand::Available => Action::Engine(Command::SetAvailable { agent }),
        BotCommand::Idle { code } => Action::Engine(Command::SetIdle {
            agent,
            code: joined(&code),
        }),
        BotCommand::Offline => Action::Engine(Command::SetOffline { agent }),
        BotCommand::Status => Action::Status,
        BotCommand::Accept { id } => Action::Engine(Command::Accept {
            agent,
            conversation: id.map(ConversationId),
        }),
        BotCommand::Decline { id } => Action::Engine(Command::Decline {
            agent,
            conversation: id.map(ConversationId),
        }),
        BotCommand::Queues => Action::Queues,
        BotCommand::Language { tag } => Action::Language { tag },
        BotCommand::Agents { filter } => Action::Agents {
            filter: joined(&filter),
        },
        BotCommand::Optouts { filter } => Action::Optouts {
            filter: joined(&filter),
        },
        BotCommand::Transfer { target } => {
            let conversation = conversation("transfer")?;
            if target.starts_with('@') {
                Action::Engine(Command::TransferToAgent {
                    agent,
                    conversation,
                    target: agent_id(&target)?,
                })
            } else {
                Action::Engine(Command::TransferToQueue {
                    agent,
                    conversation,
                    queue: QueueName::new(target),
                })
            }
        }
        BotCommand::Conference { agent: target } => Action::Engine(Command::RequestConference {
            conversation: conversation("conference")?,
            agent,
            target: agent_id(&target)?,
        }),
        BotCommand::Endconf { agent: target } => Action::Engine(Command::EndConference {
            conversation: conversation("endconf")?,
            agent,
            target: target.as_deref().map(agent_id).transpose()?,
        }),
        BotCommand::Canned { filter } => Action::CannedList {
            conversation: conversation("canned")?,
            filter: joined(&filter),
        },
        BotCommand::C { name } => Action::CannedSend {
            conversation: conversation("c")?,
            name,
        },
        BotCommand::Note { text } => Action::Engine(Command::AddNote {
            conversation: conversation("note")?,
            author: agent,
            body: text.join(" "),
            reference: None,
            supervisor: false,
        }),
        BotCommand::End => Action::Engine(Command::End {
            conversation: conversation("end")?,
            agent,
        }),
        BotCommand::Wrapup { choice } => Action::Engine(Command::Wrapup {
            conversation: conversation("wrapup")?,
            agent,
            choice: joined(&choice),
        }),
        BotCommand::Help { topic } => Action::Help { topic },
    })
}

#[cfg(test)]
#[path = "commands_tests.rs"]
mod tests;
