//! Logging for every subcommand: `tracing` to standard error, filtered
//! with `SMSDESK_LOG` (default `DEFAULT_FILTER`: smsdesk's own crates at
//! `info`, dependencies at `warn`), as text (coloured on a terminal
//! only) or one JSON object per line (`--log-format json` or
//! `SMSDESK_LOG_FORMAT=json`). No event uses a field named `message`,
//! which is the JSON line's own message key.
//!
//! Text lines escape control characters in every field (`escaped`): many
//! values come from requests (a URL path, a plugin's message about a
//! body), and a newline in one must not forge a log line of its own. JSON
//! lines are escaped by JSON itself.

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// The filter without `SMSDESK_LOG`: smsdesk's own lines from `info`,
/// dependencies' from `warn` (matrix-sdk logs its multi-kilobyte sync
/// filter at `info` on every sync). matrix-sdk's HTTP client logs every
/// refused request as an error, expected ones too (a 404 for account data
/// not set yet); smsdesk logs the failures that matter itself, so that
/// logger is off unless asked for (`SMSDESK_LOG=info,matrix_sdk=debug`).
pub const DEFAULT_FILTER: &str =
    "warn,matrix_sdk::http_client=off,smsdesk=info,smsdesk_core=info,smsdesk_engine=info,smsdesk_plugins=info,smsdesk_pgstore=info";

/// Installs the global subscriber; a second call does nothing.
pub fn init(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SMSDESK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(DEFAULT_FILTER));
    use std::io::IsTerminal;
    // Colours only where a person reads them (not in files or journald).
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder
            .fmt_fields(tracing_subscriber::fmt::format::debug_fn(|writer, field, value| {
                let text = format!("{value:?}");
                let value = escaped(&text);
                if field.name() == "message" {
                    write!(writer, "{value}")
                } else {
                    write!(writer, "{field}={value}")
                }
            }))
            .try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

/// `text` with control characters (newlines, carriage returns, escape
/// sequences) written as Rust escapes, so one value stays on one line.
pub fn escaped(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return text.into();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

#[cfg(test)]
mod tests {
    #[test]
    fn control_characters_cannot_break_a_line() {
        assert_eq!(super::escaped("plain text"), "plain text");
        assert_eq!(
            super::escaped("nonexistent\nINFO fake log line\r\u{1b}[31m"),
            "nonexistent\\nINFO fake log line\\r\\u{1b}[31m"
        );
    }

    #[test]
    fn by_default_dependencies_speak_only_from_warn() {
        use tracing::Level;
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(super::DEFAULT_FILTER))
            .with_writer(std::io::sink)
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            assert!(tracing::enabled!(target: "smsdesk::matrix::connection::sync", Level::INFO));
            assert!(tracing::enabled!(target: "smsdesk_engine::engine", Level::INFO));
            assert!(!tracing::enabled!(target: "matrix_sdk::sliding_sync", Level::INFO));
            assert!(tracing::enabled!(target: "matrix_sdk::client", Level::WARN));
            assert!(!tracing::enabled!(target: "matrix_sdk::http_client", Level::ERROR));
            assert!(!tracing::enabled!(target: "hyper::proto", Level::INFO));
        });
    }
}
