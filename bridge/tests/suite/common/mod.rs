//! What the tests share: real `smsdesk run` and `smsdesk sim` processes on
//! 127.0.0.1 (`server`, `sim`), signed Twilio webhooks (`twilio`), config
//! files (`config`), the store of a stopped server (`store`), a local
//! Synapse and Matrix users (`matrix`), one agent at work end to end
//! (`desk`), and how every process a test starts is stopped (`process`).
#![allow(dead_code, unused_imports, clippy::unwrap_used)]

use std::path::PathBuf;

pub mod browser;
pub mod config;
pub mod desk;
pub mod matrix;
pub mod poll;
pub mod process;
pub mod replicas;
pub mod server;
pub mod sim;
pub mod store;
pub mod twilio;

pub use server::Server;
pub use sim::Sim;
pub use store::{open_engine, stored};
pub use twilio::{form, post_signed, sign, sms_params};

pub const TOKEN: &str = "test-auth-token-0123456789";
pub const ENTRY: &str = "+15550001111";
/// The entry point served by the Telnyx carrier, and the API key the
/// simulator expects from smsdesk for it.
pub const TELNYX_ENTRY: &str = "+18885550100";
pub const TELNYX_KEY: &str = "KEYtest-telnyx-0123456789";
/// The "broken" (hostile) carrier's `auth_token`: it checks `x-hostile-signature` with it, then traps.
pub const BROKEN_TOKEN: &str = "broken-secret-0123456789abcdef";
/// `supervisor.token` in the tests' config: opens the wallboard.
pub const SUPERVISOR_TOKEN: &str = "wallboard-test-token-0123456789";

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// An example plugin's fixture, by file name, from whichever example crate
/// holds it (`examples/plugins/<crate>/fixtures/`).
pub fn example_fixture(name: &str) -> String {
    let crates = std::fs::read_dir(root().join("examples/plugins")).expect("examples/plugins");
    crates
        .filter_map(Result::ok)
        .map(|c| c.path().join("fixtures").join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("no example fixture {name}"))
        .to_string_lossy()
        .into_owned()
}

/// A built example plugin (`scripts/build-plugins.sh`).
pub fn dist(name: &str) -> String {
    let p = root().join("examples/plugins/dist").join(format!("{name}.wasm"));
    assert!(
        p.exists(),
        "{} missing: run `bash scripts/build-plugins.sh`",
        p.display()
    );
    p.to_string_lossy().into_owned()
}

/// A free port on 127.0.0.1 that no other test gets while this one runs
/// (`smsdesk_pgstore::testing::free_port`); never one the demo uses
/// (8008, 8080, 8090: the demo's test runs beside the others).
pub fn free_port() -> u16 {
    smsdesk_pgstore::testing::free_port()
}

/// A client whose requests come from `127.0.0.<last>` (Linux answers
/// every 127/8 address on loopback): a source address of its own, for
/// what is counted per source. Redirects are not followed.
pub fn client_from(last: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, last]))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The `smsdesk` binary the tests and benchmarks run: this build's, or the
/// one `SMSDESK_BIN` names (to measure another build with the same
/// benchmark, e.g. the code before a change).
pub fn bin() -> String {
    std::env::var("SMSDESK_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_smsdesk").to_owned())
}

/// The log filter for processes the tests start (`SMSDESK_TEST_LOG`, default warn).
pub fn log_filter() -> String {
    std::env::var("SMSDESK_TEST_LOG").unwrap_or_else(|_| "warn".to_owned())
}
