//! The chat command language both kinds of room share (agents' desk and
//! conversation rooms, supervisor rooms): the first line of a message, split
//! into words, parsed by a clap-derived subcommand enum; clap's error text,
//! without colours or usage block, becomes the refusal (`Refusal`). Pure.

use clap::{Parser, Subcommand};

/// One command line: `!` and a subcommand of `S`.
#[derive(Debug, Parser)]
#[command(
    name = "!",
    no_binary_name = true,
    disable_help_flag = true,
    disable_help_subcommand = true,
    disable_version_flag = true
)]
pub(in crate::matrix) struct Line<S: Subcommand> {
    #[command(subcommand)]
    pub command: S,
}

/// Why a command line is not done: a sentence for the agent or supervisor
/// who typed it (a mistake in the command, or a room it does not work in).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refusal(String);

impl From<String> for Refusal {
    fn from(text: String) -> Self {
        Self(text)
    }
}

impl From<&str> for Refusal {
    fn from(text: &str) -> Self {
        Self(text.to_owned())
    }
}

/// The first line of `body`, trimmed: the only one a command reads.
pub(in crate::matrix) fn first_line(body: &str) -> &str {
    body.trim_start().lines().next().unwrap_or("").trim()
}

/// Parses `words` (a command line without its `!`) as a command of `S`.
/// An unknown command is refused with `unknown command !<name><where_>`.
pub(in crate::matrix) fn parse<S: Subcommand>(words: &str, where_: &str) -> Result<S, Refusal> {
    let words: Vec<&str> = words.split_whitespace().collect();
    let Some(first) = words.first() else {
        return Err("empty command; try !help".into());
    };
    let name = first.to_ascii_lowercase();
    let args = std::iter::once(name.as_str()).chain(words[1..].iter().copied());
    match Line::<S>::try_parse_from(args) {
        Ok(line) => Ok(line.command),
        Err(e) if e.kind() == clap::error::ErrorKind::InvalidSubcommand => {
            Err(format!("unknown command !{first}{where_}; try !help").into())
        }
        Err(e) => Err(render(&e).into()),
    }
}

/// clap's message, without colors, the usage block or its own help hint.
fn render(e: &clap::Error) -> String {
    let text = e.render().to_string();
    let first = text.lines().next().unwrap_or("").trim();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    format!("{first}; try !help")
}

/// A command's usage line, e.g. `!transfer <target>`, from its clap definition.
pub(in crate::matrix) fn usage(sub: &clap::Command) -> String {
    let args: Vec<String> = sub
        .get_positionals()
        .map(|a| {
            let name = a.get_id().as_str();
            let many = matches!(a.get_action(), clap::ArgAction::Append);
            match (a.is_required_set(), many) {
                (true, _) => format!("<{name}>"),
                (false, true) => format!("[{name}…]"),
                (false, false) => format!("[{name}]"),
            }
        })
        .collect();
    format!("!{} {}", sub.get_name(), args.join(" ")).trim_end().to_owned()
}
