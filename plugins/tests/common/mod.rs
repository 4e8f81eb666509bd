//! Shared helpers: the example plugins built by scripts/build-plugins.sh.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::PathBuf;

use smsdesk_plugins::{CarrierPlugin, Limits, PluginHost, Secrets};

pub const TOKEN: &str = "0123456789abcdef0123456789abcdef";
pub const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";

/// `examples/plugins/dist/<name>.wasm`, built by `scripts/build-plugins.sh` (run by `scripts/test.sh`).
pub fn plugin(name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/plugins/dist")
        .join(format!("{name}.wasm"));
    assert!(
        path.exists(),
        "{} is missing: run `bash scripts/build-plugins.sh` first (scripts/test.sh does)",
        path.display()
    );
    path
}

/// A host with a cache shared by all tests (compiling in a debug build takes seconds).
pub fn host() -> PluginHost {
    PluginHost::new(Limits::default(), Some(cache_dir())).unwrap()
}

pub fn cache_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("plugin-cache")
}

pub fn twilio_with(host: &PluginHost, token: &str) -> CarrierPlugin {
    CarrierPlugin::load(
        host,
        "twilio",
        &plugin("carrier-twilio"),
        vec![
            ("account_sid".into(), ACCOUNT.into()),
            ("api_base".into(), "http://127.0.0.1:9/twilio".into()),
        ],
        Secrets::new([("auth_token".to_owned(), token.to_owned())]),
    )
    .unwrap()
}

pub fn twilio() -> CarrierPlugin {
    twilio_with(&host(), TOKEN)
}
