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

/// A plugin binary kept as built for interface 0.1.0 (`tests/fixtures/v0.1.0/`).
pub fn v0_1_fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/v0.1.0")
        .join(format!("{name}.wasm"))
}

/// A plugin binary kept as built for interface 0.2.0 (`tests/fixtures/v0.2.0/`).
pub fn v0_2_fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/v0.2.0")
        .join(format!("{name}.wasm"))
}

pub fn twilio_with(host: &PluginHost, token: &str) -> CarrierPlugin {
    carrier_at(host, &plugin("carrier-twilio"), token)
}

/// A Twilio plugin from `path`, with the test account and `token`.
pub fn carrier_at(host: &PluginHost, path: &std::path::Path, token: &str) -> CarrierPlugin {
    CarrierPlugin::load(
        host,
        "twilio",
        path,
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

/// The Telnyx plugin with `public_key` (base64) and a test API key.
pub fn telnyx_with(host: &PluginHost, public_key: &str) -> CarrierPlugin {
    CarrierPlugin::load(
        host,
        "telnyx",
        &plugin("carrier-telnyx"),
        vec![
            ("api_base".into(), "http://127.0.0.1:9/telnyx".into()),
            ("messaging_profile_id".into(), "profile-1".into()),
        ],
        Secrets::new([
            ("public_key".to_owned(), public_key.to_owned()),
            ("api_key".to_owned(), "KEYtest".to_owned()),
        ]),
    )
    .unwrap()
}
