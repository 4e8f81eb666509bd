//! The `smsdesk` binary.
//!
//! ## Layout
//!
//! - `cli`: the command line (clap); one module per subcommand group.
//!   - `cli::plugin`: `smsdesk plugin check` and `smsdesk plugin run`, the
//!     plugin author's tools (no server needed).
//!
//! The server (`smsdesk run`), the config check, the HTTP gateway and the
//! Matrix desk are added here by their issues.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli.run() {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
