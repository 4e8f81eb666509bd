//! `smsdesk plugin new <world> <dir>`: a plugin crate that builds on its
//! own, outside smsdesk's repository. It carries the interface (the newest
//! WIT) and, for routers, the SDK helpers as a module, so nothing points
//! back into this tree; a working example for its world; fixtures with
//! what they must give (`fixtures/`, which `smsdesk plugin test` runs);
//! the world's guide (`GUIDE.md`, also printed by `smsdesk plugin guide`);
//! and a README with the commands.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context};
use smsdesk_plugins::World;

const WIT: &str = include_str!("../../../plugins/wit/since_v0.3.0/smsdesk.wit");
const SDK: &str = include_str!("../../../examples/plugins/sdk/src/lib.rs");
const CARGO: &str = include_str!("../../templates/plugin/Cargo.toml.in");
const README: &str = include_str!("../../templates/plugin/README.md.in");

/// The author's guide to `world` (the same pages as in the repository).
pub fn guide(world: World) -> &'static str {
    match world {
        World::Router => include_str!("../../../examples/plugins/guide/router.md"),
        World::Carrier => include_str!("../../../examples/plugins/guide/carrier.md"),
        World::Intake => include_str!("../../../examples/plugins/guide/intake.md"),
    }
}

/// The example code and fixture for `world`.
fn template(world: World) -> (&'static str, &'static str, &'static str) {
    match world {
        World::Router => (
            include_str!("../../templates/plugin/router.rs"),
            include_str!("../../templates/plugin/router.json"),
            "",
        ),
        World::Carrier => (
            include_str!("../../templates/plugin/carrier.rs"),
            include_str!("../../templates/plugin/carrier.json"),
            "serde_json = \"1\"\nbase64 = \"0.22\"\n",
        ),
        World::Intake => (
            include_str!("../../templates/plugin/intake.rs"),
            include_str!("../../templates/plugin/intake.json"),
            "",
        ),
    }
}

pub fn world_named(name: &str) -> anyhow::Result<World> {
    Ok(match name {
        "router" => World::Router,
        "carrier" => World::Carrier,
        "intake" => World::Intake,
        other => bail!("unknown world {other:?}: choose router, carrier or intake"),
    })
}

pub fn new(world: World, dir: &Path) -> anyhow::Result<ExitCode> {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .context("give the new plugin a directory name, e.g. `my-router`")?;
    let valid = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        bail!("{name:?} cannot be a crate name: use letters, digits, - and _, starting with a letter");
    }
    if dir.exists() && dir.read_dir().map_or(true, |mut d| d.next().is_some()) {
        bail!(
            "{} already exists and is not empty; choose a new directory",
            dir.display()
        );
    }
    let (code, fixture, extra_deps) = template(world);
    let fixture_path = format!("fixtures/{}.json", world.name());
    let fill = |text: &str| {
        text.replace("{name}", &name)
            .replace("{world}", world.name())
            .replace("{version}", smsdesk_plugins::INTERFACE_VERSION)
            .replace("{file}", &name.replace('-', "_"))
            .replace("{extra_deps}", extra_deps)
    };
    let mut files: Vec<(&str, String)> = vec![
        ("Cargo.toml", fill(CARGO)),
        ("README.md", fill(README)),
        ("wit/smsdesk.wit", WIT.to_owned()),
        ("src/lib.rs", fill(code)),
        (&fixture_path, fixture.to_owned()),
        ("GUIDE.md", guide(world).to_owned()),
        (".gitignore", "/target\n".to_owned()),
    ];
    if world == World::Router {
        files.push((
            "src/sdk.rs",
            format!("// Not every helper is used by every router.\n#![allow(dead_code)]\n{SDK}"),
        ));
    }
    for (path, text) in &files {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    let wasm = format!("target/wasm32-wasip2/release/{}.wasm", name.replace('-', "_"));
    println!(
        "created {} ({} plugin, interface {})",
        dir.display(),
        world.name(),
        smsdesk_plugins::INTERFACE_VERSION
    );
    println!("next:");
    println!("  cd {}", dir.display());
    println!("  rustup target add wasm32-wasip2   # once");
    println!("  cargo build --target wasm32-wasip2 --release");
    println!("  smsdesk plugin check {wasm}");
    println!("  smsdesk plugin test {wasm}           # runs fixtures/, checks each \"expect\"");
    println!("  smsdesk plugin run {wasm} {fixture_path}");
    println!("the guide: {}", dir.join("GUIDE.md").display());
    Ok(ExitCode::SUCCESS)
}
