//! The supervisor room's command language (docs/supervisor-guide.md), parsed like
//! the agents' (`matrix::incoming::chat_line`): the first line split into
//! words, a clap-derived enum, clap's error text as the refusal. Pure.

use clap::{CommandFactory as _, Subcommand};

use crate::i18n::Lang;
use crate::matrix::incoming::chat_line::{self, Refusal};

/// The supervisor room's command line.
type Line = chat_line::Line<SupervisorCommand>;

/// Every command a supervisor can type. Doc comments are the help texts.
#[derive(Clone, Debug, PartialEq, Eq, Subcommand)]
pub enum SupervisorCommand {
    /// Today's figures per queue: waiting, longest wait, agents, accepted, abandoned, service level, ASA, AHT.
    Stats {
        /// One queue (default: all you watch).
        queue: Option<String>,
    },
    /// Every agent of your queues, with state and time in state.
    Agents {
        /// Text the agent's name, Matrix id or state must contain.
        filter: Vec<String>,
    },
    /// A conversation's transcript and every state change: by number, or a customer's latest.
    History {
        /// A conversation number (e.g. 42) or a customer's number (e.g. +15557770001).
        target: String,
    },
    /// Join a conversation's room to watch it (what you write there never reaches the customer).
    Monitor {
        /// The conversation number.
        id: u64,
    },
    /// The canned replies agents can send in your queues, as configured (placeholders unfilled).
    Canned {
        /// One queue (default: all you watch).
        queue: Option<String>,
    },
    /// Show or choose the language I write to you in: `!language de`.
    Language {
        /// A language tag, e.g. de or en.
        tag: Option<String>,
    },
    /// Show the commands.
    Help,
}

/// Parses the first line of `body`. The error is a notice for the
/// supervisor, in `lang`.
pub fn parse(body: &str, lang: &Lang) -> Result<SupervisorCommand, Refusal> {
    chat_line::parse(
        chat_line::first_line(body).trim_start_matches('!'),
        lang,
        "supervisor-unknown-command",
    )
}

/// The commands with their one-line help, in `lang` (`supervisor-about-<command>`;
/// a test holds the English catalog to the doc comments above).
pub fn help(lang: &Lang) -> String {
    let mut out = lang.t("supervisor-help-title");
    for sub in Line::command().get_subcommands() {
        let about = match sub.get_name() {
            // The same words as the agents' `!language`.
            "language" => lang.t("about-language"),
            name => lang.t(&format!("supervisor-about-{name}")),
        };
        out.push_str(&format!("\n  {} — {about}", chat_line::usage(sub)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> Result<SupervisorCommand, Refusal> {
        super::parse(body, &Lang::default())
    }

    #[test]
    fn commands_parse_and_mistakes_are_named() {
        assert_eq!(parse("!stats"), Ok(SupervisorCommand::Stats { queue: None }));
        assert_eq!(
            parse("!stats billing"),
            Ok(SupervisorCommand::Stats {
                queue: Some("billing".into())
            })
        );
        assert_eq!(
            parse("!history +15557770001"),
            Ok(SupervisorCommand::History {
                target: "+15557770001".into()
            })
        );
        assert_eq!(parse("!monitor 7"), Ok(SupervisorCommand::Monitor { id: 7 }));
        let why = parse("!monitor seven").unwrap_err().to_string();
        assert!(why.contains("invalid value 'seven'"), "{why}");
        assert_eq!(
            parse("!accept").unwrap_err().to_string(),
            "unknown command !accept in a supervisor room; try !help"
        );
        let english = help(&Lang::default());
        assert!(
            english.contains("!monitor <id> — Join a conversation's room"),
            "{english}"
        );
        let german = help(&Lang::new("de"));
        assert!(german.starts_with("Supervisor-Befehle:"), "{german}");
        assert!(german.contains("!language [tag] — "), "{german}");
        assert_eq!(
            super::parse("!akzeptieren", &Lang::new("de")).unwrap_err().to_string(),
            "unbekannter Befehl !akzeptieren im Supervisor-Raum; versuch !help"
        );
    }

    #[test]
    fn the_english_catalog_says_what_the_doc_comments_say() {
        for sub in Line::command().get_subcommands().filter(|s| s.get_name() != "language") {
            let about = sub.get_about().map(ToString::to_string).unwrap_or_default();
            assert_eq!(
                Lang::default().t(&format!("supervisor-about-{}", sub.get_name())),
                about,
                "{}",
                sub.get_name()
            );
        }
    }
}
