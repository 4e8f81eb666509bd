//! The chat command language both kinds of room share (agents' desk and
//! conversation rooms, supervisor rooms): the first line of a message, split
//! into words, parsed by a clap-derived subcommand enum; what clap finds
//! wrong (a missing, invalid or unexpected argument) becomes the refusal
//! (`Refusal`), worded by the reader's catalog. Pure.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Parser, Subcommand};

use crate::i18n::{Args, Lang};
use crate::tr;

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

/// Parses `words` (a command line without its `!`, the command's English
/// name first) as a command of `S`; a mistake is refused in `lang`, and an
/// unknown command with the catalog message `unknown` (`$name`).
pub(in crate::matrix) fn parse<S: Subcommand>(words: &str, lang: &Lang, unknown: &str) -> Result<S, Refusal> {
    let words: Vec<&str> = words.split_whitespace().collect();
    let Some(first) = words.first() else {
        return Err(lang.t("command-empty").into());
    };
    let name = first.to_ascii_lowercase();
    let args = std::iter::once(name.as_str()).chain(words[1..].iter().copied());
    match Line::<S>::try_parse_from(args) {
        Ok(line) => Ok(line.command),
        Err(e) if e.kind() == ErrorKind::InvalidSubcommand => {
            let mut args = Args::new();
            args.set("name", *first);
            Err(lang.t_args(unknown, &args).into())
        }
        Err(e) => Err(mistake(&e, &name, lang).into()),
    }
}

/// clap's finding, said in `lang`: what is missing, wrong or too much.
fn mistake(e: &clap::Error, command: &str, lang: &Lang) -> String {
    let context = |kind: ContextKind| match e.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join(" "),
        _ => String::new(),
    };
    // clap names arguments in capitals (`<TARGET>`); `!help` shows `<target>`.
    let arg = context(ContextKind::InvalidArg).to_lowercase();
    match e.kind() {
        ErrorKind::MissingRequiredArgument => tr!(lang, "command-missing", command = command, args = arg),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => tr!(
            lang,
            "command-invalid-value",
            command = command,
            arg = arg,
            value = context(ContextKind::InvalidValue)
        ),
        ErrorKind::UnknownArgument => tr!(lang, "command-unexpected", command = command, arg = arg),
        _ => tr!(lang, "command-not-understood", command = command),
    }
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
