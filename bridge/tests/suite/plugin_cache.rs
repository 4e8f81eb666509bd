//! Where the plugin tools keep compiled plugins, as an author meets it:
//! `SMSDESK_PLUGIN_CACHE` names the folder, an empty one turns the cache
//! off, and a folder the cache may not use is said once on stderr while
//! the command still works — and is left as it was.

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::{Command, Output};

use crate::common::dist;

fn check_with(cache: &str, home: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_smsdesk"))
        .args(["plugin", "check", &dist("router-round-robin")])
        .env("SMSDESK_PLUGIN_CACHE", cache)
        .env("HOME", home)
        .env_remove("XDG_CACHE_HOME")
        .output()
        .unwrap()
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn the_tools_keep_the_compiled_plugin_where_told_and_nowhere_when_told_so() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    let first = check_with(cache.to_str().unwrap(), tmp.path());
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let kept = entries(&cache);
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert!(kept[0].ends_with(".cwasm"), "{kept:?}");
    let mode = std::fs::metadata(&cache).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "the folder is its owner's only");
    // The second check loads it: same answer, nothing new written.
    let second = check_with(cache.to_str().unwrap(), tmp.path());
    assert!(second.status.success());
    assert_eq!(first.stdout, second.stdout);
    assert_eq!(entries(&cache), kept);

    // Empty: no cache at all, not even the default under HOME.
    let off = check_with("", tmp.path());
    assert!(off.status.success());
    assert!(!tmp.path().join(".cache").exists(), "nothing made under HOME");
}

#[test]
fn a_folder_that_is_not_a_cache_is_named_left_alone_and_the_check_still_runs() {
    // `SMSDESK_PLUGIN_CACHE=.` in a plugin crate: a 0755 folder with the
    // author's files. Before, it would have been closed and emptied.
    let tmp = tempfile::tempdir().unwrap();
    let crate_dir = tmp.path().join("my-router");
    std::fs::create_dir(&crate_dir).unwrap();
    std::fs::write(crate_dir.join("Cargo.toml"), "[package]\n").unwrap();
    std::fs::set_permissions(&crate_dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let o = check_with(crate_dir.to_str().unwrap(), tmp.path());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(String::from_utf8_lossy(&o.stdout).contains("world:"));
    assert!(err.contains("is not used") && err.contains("Cargo.toml"), "{err}");
    assert_eq!(entries(&crate_dir), ["Cargo.toml"]);
    let mode = std::fs::metadata(&crate_dir).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o755, "its mode is left as it was");
}
