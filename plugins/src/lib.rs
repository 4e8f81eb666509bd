//! # smsdesk-plugins — the WebAssembly plugin host
//!
//! Carrier adapters, routing policies and intake bots are WebAssembly components (WIT in
//! `plugins/wit/`, one frozen directory per released version). This crate
//! loads them with wasmtime and runs every call in a sandbox: no files,
//! network, environment or clock; a CPU budget (epoch interruption) and a
//! memory cap per call; a trap fails that call only, with a `PluginError`, a
//! log line and a metric, and the next call gets a fresh instance.
//!
//! ## Layout
//!
//! - [`host`]: `PluginHost` — the wasmtime engine, limits, epoch ticker, loading.
//! - [`gate`]: one running call per core, so the CPU budget measures a call's own work.
//! - [`cache`]: precompiled components on disk, keyed by content + engine.
//! - [`inspect`]: which world and interface version a component implements.
//! - [`sandbox`]: per-instance state: empty WASI, frozen clocks, limits, secrets.
//! - [`budget`]: one memory budget over all of an instance's memories and tables.
//! - [`clocks`]: frozen clocks, and no timers (a plugin that asks to wait traps).
//! - [`secrets`]: host-side HMAC and Ed25519 with named secrets and keys.
//! - `imports`: the `secrets` import of every interface version, onto [`secrets`].
//! - `loaded`: `Loaded`, what every kind of plugin keeps and does alike: load, instantiate, call.
//! - `recipe`: instantiating a kind's component, in one or either interface version.
//! - [`carrier`]: `CarrierPlugin` and its host-side types, for every interface version.
//! - [`intake`]: `IntakePlugin`: one turn of an intake bot (0.2.0 on).
//! - [`router`]: `RouterPlugin`, which implements `smsdesk_core::routing::Router`; `ReloadingRouter`.
//! - [`reload`]: hot reload: swap a plugin when its file changes, keep the old one if the new one is broken.
//! - [`metrics`]: call counts, failures and latency per plugin.
//! - `stderr`: a plugin's stderr, kept for panic messages.
//! - [`error`]: the `PluginError` type.
//! - `bindings`: generated from the WIT, one module per supported version.

mod bindings;
pub mod budget;
pub mod cache;
pub mod carrier;
pub mod clocks;
pub mod error;
pub mod gate;
pub mod host;
mod imports;
pub mod inspect;
pub mod intake;
mod loaded;
pub mod metrics;
mod recipe;
pub mod reload;
pub mod router;
pub mod sandbox;
pub mod secrets;
mod stderr;

pub use carrier::CarrierPlugin;
pub use error::PluginError;
pub use host::{Limits, PluginHost};
pub use inspect::{PluginInfo, World};
pub use intake::IntakePlugin;
pub use loaded::Settings;
pub use router::RouterPlugin;
pub use secrets::Secrets;

/// The interface version this host speaks (the newest one it supports).
pub const INTERFACE_VERSION: &str = "0.3.0";
/// Every interface version this host can load.
pub const SUPPORTED_VERSIONS: &[&str] = &["0.1.0", "0.2.0", "0.3.0"];
