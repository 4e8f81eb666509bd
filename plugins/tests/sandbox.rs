//! Hostile plugins are contained: an infinite loop, a huge allocation, a
//! trap, and attempts to read a file, open a socket, read the environment or
//! the clock. Each fails (or is denied) in that one call, with the right
//! `PluginError` and metric, and the next call on the same plugin works.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use smsdesk_plugins::cache::Source;
use smsdesk_plugins::router::{pack, Choice, WitRouteRequest};
use smsdesk_plugins::{Limits, PluginError, PluginHost, RouterPlugin};

fn request(mode: &str, extra: &[(&str, &str)]) -> WitRouteRequest {
    let mut settings = vec![("mode".to_owned(), mode.to_owned())];
    settings.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    WitRouteRequest {
        conversation: 1,
        queue: "billing".into(),
        customer: "+15557770001".into(),
        entry: "+15550001111".into(),
        waited_ms: 0,
        required_skills: 0,
        skill_names: vec![],
        settings,
        fields: vec![],
    }
}

fn candidates() -> Vec<u64> {
    pack(7, 1000, 0, 1, 0, false).to_vec()
}

fn hostile(host: &PluginHost) -> RouterPlugin {
    RouterPlugin::load(host, "hostile", &plugin("router-hostile"), vec![]).unwrap()
}

/// After any failure the plugin still answers a well-behaved call.
fn still_serves(p: &mut RouterPlugin) {
    assert_eq!(
        p.pick_raw(&request("ok", &[]), &candidates()).unwrap(),
        Choice::Agent(0)
    );
}

#[test]
fn an_infinite_loop_is_interrupted_at_the_cpu_budget() {
    let host = PluginHost::new(
        Limits {
            cpu_budget: Duration::from_millis(50),
            ..Limits::default()
        },
        Some(cache_dir()),
    )
    .unwrap();
    let mut p = hostile(&host);
    let started = Instant::now();
    let err = p.pick_raw(&request("loop", &[]), &candidates()).unwrap_err();
    let took = started.elapsed();
    assert!(matches!(err, PluginError::Timeout { .. }), "{err}");
    assert!(took < Duration::from_secs(2), "stopped after {took:?}");
    still_serves(&mut p);
    let stats = host.metrics().snapshot()["hostile"].clone();
    assert_eq!(stats.timeouts, 1);
    assert_eq!(stats.calls, 2);
}

#[test]
fn a_huge_allocation_hits_the_memory_cap() {
    let host = host();
    let mut p = hostile(&host);
    let err = p.pick_raw(&request("alloc", &[]), &candidates()).unwrap_err();
    assert!(matches!(err, PluginError::OutOfMemory { cap_mib: 64, .. }), "{err}");
    still_serves(&mut p);
    assert_eq!(host.metrics().snapshot()["hostile"].out_of_memory, 1);
}

#[test]
fn a_trap_fails_that_call_only() {
    let host = host();
    let mut p = hostile(&host);
    let err = p.pick_raw(&request("trap", &[]), &candidates()).unwrap_err();
    assert!(matches!(err, PluginError::Trap { .. }), "{err}");
    still_serves(&mut p);
    assert_eq!(host.metrics().snapshot()["hostile"].traps, 1);
}

#[test]
fn files_sockets_environment_and_clock_are_out_of_reach() {
    let host = host();
    let mut p = hostile(&host);
    // A file that certainly exists and is readable by this process.
    let secret = std::env::temp_dir().join(format!("smsdesk-secret-{}", std::process::id()));
    std::fs::write(&secret, "top secret").unwrap();
    let path = secret.to_string_lossy().into_owned();
    assert_eq!(
        p.pick_raw(&request("file", &[("path", &path)]), &candidates()).unwrap(),
        Choice::Wait,
        "the plugin read a host file"
    );
    std::fs::remove_file(&secret).unwrap();

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    assert_eq!(
        p.pick_raw(&request("socket", &[("addr", &addr)]), &candidates())
            .unwrap(),
        Choice::Wait,
        "the plugin opened a socket"
    );
    assert!(listener.accept().is_err(), "a connection reached the host");

    assert_eq!(
        p.pick_raw(&request("env", &[]), &candidates()).unwrap(),
        Choice::Wait,
        "the plugin saw environment variables"
    );
    assert_eq!(
        p.pick_raw(&request("clock", &[]), &candidates()).unwrap(),
        Choice::Wait,
        "the plugin read the real clock"
    );
    still_serves(&mut p);
}

#[test]
fn wrong_world_incompatible_version_and_garbage_are_refused_at_load() {
    let host = host();
    let err = RouterPlugin::load(&host, "x", &plugin("carrier-twilio"), vec![]).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{} is a carrier plugin, but a router plugin is needed here",
            plugin("carrier-twilio").display()
        )
    );
    let err = RouterPlugin::load(&host, "x", &plugin("router-incompatible"), vec![]).unwrap_err();
    assert!(
        matches!(err, PluginError::Incompatible { ref found, .. } if found == "0.9.0"),
        "{err}"
    );
    assert!(err.to_string().contains("this smsdesk supports 0.1.0, 0.2.0"), "{err}");
    // Wrong files get one short line with a hint, not a dump of bytes.
    let junk = std::env::temp_dir().join(format!("smsdesk-junk-{}.wasm", std::process::id()));
    std::fs::write(&junk, b"definitely not wasm").unwrap();
    let err = RouterPlugin::load(&host, "x", &junk, vec![]).unwrap_err();
    assert!(matches!(err, PluginError::Invalid { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("not WebAssembly at all (it starts with \"definite\""),
        "{err}"
    );
    assert!(!err.to_string().contains('\n'), "{err}");
    // A core module (the smallest valid one): built for the wrong target.
    std::fs::write(&junk, b"\0asm\x01\0\0\0").unwrap();
    let err = RouterPlugin::load(&host, "x", &junk, vec![]).unwrap_err();
    assert!(
        err.to_string()
            .contains("a core WebAssembly module, not a component: build the plugin for wasm32-wasip2"),
        "{err}"
    );
    std::fs::remove_file(&junk).unwrap();
    let err = RouterPlugin::load(&host, "x", std::path::Path::new("/nonexistent/router.wasm"), vec![]).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("cannot read plugin /nonexistent/router.wasm"),
        "{err}"
    );
}

#[test]
fn inspect_reports_world_version_and_exports() {
    let host = host();
    let (_, info, _) = host.load(&plugin("carrier-twilio")).unwrap();
    assert_eq!(info.world, smsdesk_plugins::World::Carrier);
    assert_eq!(info.version, "0.2.0");
    assert!(info.exports.contains(&"smsdesk:plugin/carrier@0.2.0".to_owned()));
    assert!(info.imports.contains(&"smsdesk:plugin/secrets@0.2.0".to_owned()));
    let (_, old, _) = host.load(&v0_1_fixture("carrier-twilio")).unwrap();
    assert_eq!(old.version, "0.1.0");
    assert!(old.imports.contains(&"smsdesk:plugin/secrets@0.1.0".to_owned()));
    assert!(
        !info
            .imports
            .iter()
            .any(|i| i.starts_with("wasi:filesystem") && i.contains("preopens")),
        "{:?}",
        info.imports
    );
}

/// A host keeping compiled plugins in `dir`.
fn cached_in(dir: &std::path::Path) -> PluginHost {
    PluginHost::new(Limits::default(), Some(dir.to_owned())).unwrap()
}

/// Loads the round-robin router on `host`: compiled, or from the cache.
fn load_source(host: &PluginHost) -> Source {
    host.load(&plugin("router-round-robin")).unwrap().2
}

/// A folder's permission bits.
fn mode(dir: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(dir).unwrap().permissions().mode() & 0o777
}

fn set_mode(dir: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn the_cache_serves_the_second_load() {
    let dir = tempfile::tempdir().unwrap();
    let host = cached_in(dir.path());
    let first = load_source(&host);
    assert_eq!(first, Source::Compiled);
    let second = load_source(&host);
    assert_eq!(second, Source::Cached);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    // A corrupted entry is recompiled, not trusted.
    let entry = std::fs::read_dir(dir.path()).unwrap().next().unwrap().unwrap().path();
    std::fs::write(&entry, b"garbage").unwrap();
    let third = load_source(&host);
    assert_eq!(third, Source::Compiled);
}

#[test]
fn a_cache_owned_by_another_user_is_not_used() {
    // Root can read anyone's folder: native code another user put there
    // must not be run as root. (Needs root to make such a folder: the test
    // command runs as root in CI.)
    let dir = tempfile::tempdir().unwrap();
    let host = cached_in(dir.path());
    let first = load_source(&host);
    assert_eq!(first, Source::Compiled);
    if let Err(e) = std::os::unix::fs::chown(dir.path(), Some(65534), None) {
        eprintln!("not checked: only root can give the folder away ({e})");
        return;
    }
    let again = load_source(&host);
    assert_eq!(again, Source::Compiled, "a foreign entry was loaded");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "nothing written there"
    );
}

#[test]
fn a_cache_below_a_folder_others_may_write_is_not_used() {
    // Another user could swap a part of the path between the check and a
    // load. (A sticky folder such as /tmp is fine: others cannot rename
    // what is ours in it.)
    let tmp = tempfile::tempdir().unwrap();
    let open = tmp.path().join("open");
    std::fs::create_dir(&open).unwrap();
    set_mode(&open, 0o777);
    let cache = open.join("cache");
    let host = cached_in(&cache);
    for _ in 0..2 {
        let source = load_source(&host);
        assert_eq!(source, Source::Compiled);
    }
    let why = smsdesk_plugins::cache::Cache::new(&cache).usable().unwrap_err();
    assert!(why.to_string().contains("others may write"), "{why}");
    assert_eq!(std::fs::read_dir(&cache).unwrap().count(), 0, "nothing written there");
}

#[test]
fn a_folder_open_to_others_is_emptied_only_of_compiled_plugins() {
    let dir = tempfile::tempdir().unwrap();
    let host = cached_in(dir.path());
    load_source(&host);
    // Only compiled plugins in it: closed and emptied, then filled again.
    set_mode(dir.path(), 0o755);
    let source = load_source(&host);
    assert_eq!(source, Source::Compiled, "an entry others could write is not trusted");
    assert_eq!(mode(dir.path()), 0o700);
    // Anything else in it: not a cache folder; left alone and not used.
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    set_mode(dir.path(), 0o755);
    let source = load_source(&host);
    assert_eq!(source, Source::Compiled);
    assert!(dir.path().join("notes.txt").exists());
    assert_eq!(mode(dir.path()), 0o755);
}

/// `examples/plugins/hostile-table/<name>.wat` as a component file.
fn hostile_table(name: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/plugins/hostile-table")
        .join(format!("{name}.wat"));
    let bytes = wat::parse_file(&source).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("router-{name}.wasm"));
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

#[test]
fn a_plugin_that_asks_to_wait_fails_at_once() {
    // Before: std::thread::sleep waited inside the host for an hour, where
    // the epoch deadline never fires.
    let host = host();
    let mut p = hostile(&host);
    let started = Instant::now();
    let err = p.pick_raw(&request("sleep", &[]), &candidates()).unwrap_err();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(1), "the plugin waited {took:?}");
    assert!(matches!(err, PluginError::Trap { .. }), "{err}");
    assert!(err.to_string().contains("smsdesk plugins may not wait"), "{err}");
    still_serves(&mut p);
}

#[test]
fn tables_count_against_the_memory_budget() {
    // Before: a hundred million table elements were granted (about 800 MB).
    let host = host();
    let (_dir, path) = hostile_table("tables");
    let mut p = RouterPlugin::load(&host, "tables", &path, vec![]).unwrap();
    let err = p.pick_raw(&request("ok", &[]), &candidates()).unwrap_err();
    assert!(matches!(err, PluginError::OutOfMemory { cap_mib: 64, .. }), "{err}");
}

#[test]
fn sixteen_memories_are_one_too_many() {
    // Before: fifteen extra memories of 60 MiB, each under the cap, were
    // granted and touched (about 960 MB).
    let host = host();
    let (_dir, path) = hostile_table("memories");
    let err = RouterPlugin::load(&host, "memories", &path, vec![]).unwrap_err();
    assert!(matches!(err, PluginError::Instantiate { .. }), "{err}");
    assert!(err.to_string().contains("memory"), "{err}");
}
