//! The `smsdesk` binary: parses the command line and prints the error, if
//! any. Everything else is in the library (`smsdesk::`), so tests and
//! benchmarks call the same code in-process.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = smsdesk::cli::Cli::parse();
    match cli.run() {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
