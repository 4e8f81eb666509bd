//! `PluginHost`: one wasmtime engine for all plugins, the limits every call
//! runs under, the epoch ticker that enforces the CPU budget, the gate that
//! gives each running call a core, the cache, and the loading of carrier
//! and router plugins.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use wasmtime::component::{Component, InstancePre, Linker};
use wasmtime::{Config, Engine, Store};

use crate::budget::BudgetExceeded;
use crate::cache::{Cache, Source};
use crate::error::PluginError;
use crate::gate::{self, Gate};
use crate::inspect::{inspect, PluginInfo, World};
use crate::metrics::{CallStats, Metrics};
use crate::sandbox::HostState;
use crate::secrets::Secrets;

/// How often the epoch advances; the CPU budget is counted in these ticks.
const TICK: Duration = Duration::from_millis(2);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Wall-clock budget of one call (enforced with epoch interruption).
    pub cpu_budget: Duration,
    /// Memory cap of one instance, in bytes: all its linear memories and
    /// tables together (see `budget`).
    pub memory: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            cpu_budget: Duration::from_millis(100),
            memory: 64 << 20,
        }
    }
}

/// Stops the epoch ticker thread when the host is dropped.
#[derive(Debug)]
struct Ticker {
    stop: Arc<AtomicBool>,
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

#[derive(Clone)]
pub struct PluginHost {
    engine: Engine,
    limits: Limits,
    cache: Option<Cache>,
    metrics: Metrics,
    /// One running call per core (see `gate`).
    gate: Arc<Gate>,
    /// Counts fuel (wasm instructions, roughly) per call, for authors' tools.
    metered: bool,
    _ticker: Arc<Ticker>,
}

impl std::fmt::Debug for PluginHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PluginHost")
            .field("limits", &self.limits)
            .field("cache", &self.cache)
            .finish()
    }
}

impl PluginHost {
    /// `cache_dir`: where precompiled plugins are kept (`None`: compile every time).
    pub fn new(limits: Limits, cache_dir: Option<PathBuf>) -> Result<Self, PluginError> {
        Self::build(limits, cache_dir, false)
    }

    /// A host that also counts the fuel each call consumes (`CallStats::fuel`),
    /// for `smsdesk plugin run` and `plugin test`. The budget is still the
    /// wall-clock one; metering makes calls a little slower, so the server
    /// never uses it. `cache_dir` as for `new`; it may be the same folder:
    /// metered code has other keys (metering is in the engine's hash).
    pub fn metered(limits: Limits, cache_dir: Option<PathBuf>) -> Result<Self, PluginError> {
        Self::build(limits, cache_dir, true)
    }

    fn build(limits: Limits, cache_dir: Option<PathBuf>, metered: bool) -> Result<Self, PluginError> {
        let mut config = Config::new();
        config.wasm_component_model(true);
        config.epoch_interruption(true);
        config.consume_fuel(metered);
        // Plugins are small; a generous but bounded stack.
        config.max_wasm_stack(1 << 20);
        let engine = Engine::new(&config).map_err(|e| PluginError::Instantiate {
            plugin: "(engine)".into(),
            message: e.to_string(),
        })?;
        let stop = Arc::new(AtomicBool::new(false));
        {
            let engine = engine.clone();
            let stop = stop.clone();
            let _ = std::thread::Builder::new()
                .name("smsdesk-plugin-epoch".into())
                .spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        std::thread::sleep(TICK);
                        engine.increment_epoch();
                    }
                });
        }
        Ok(Self {
            engine,
            limits,
            cache: cache_dir.map(Cache::new),
            metrics: Metrics::default(),
            gate: Arc::new(Gate::per_core()),
            metered,
            _ticker: Arc::new(Ticker { stop }),
        })
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// Reads, compiles (or loads from the cache) and inspects a component.
    pub fn load(&self, path: &Path) -> Result<(Component, PluginInfo, Source), PluginError> {
        let bytes = std::fs::read(path).map_err(|e| PluginError::Read {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        if let Some(message) = not_a_component(&bytes) {
            return Err(PluginError::Invalid {
                path: path.to_owned(),
                message,
            });
        }
        let invalid = |e: wasmtime::Error| PluginError::Invalid {
            path: path.to_owned(),
            message: format!("{e:#}"),
        };
        let (component, source) = match &self.cache {
            Some(cache) => cache.load(&self.engine, &bytes).map_err(invalid)?,
            None => (Component::new(&self.engine, &bytes).map_err(invalid)?, Source::Compiled),
        };
        let info = inspect(&self.engine, &component, path)?;
        Ok((component, info, source))
    }

    /// Loads `path` and checks it implements `world`.
    pub(crate) fn load_world(&self, path: &Path, world: World) -> Result<(Component, PluginInfo), PluginError> {
        let (component, info, _) = self.load(path)?;
        if info.world != world {
            return Err(PluginError::WrongWorld {
                path: path.to_owned(),
                expected: world.name(),
                found: info.world.name(),
            });
        }
        Ok((component, info))
    }

    /// Loads `path` as a `world` plugin and prepares its instantiation: the
    /// WASI linker, plus what `extend` adds for the plugin's version (a
    /// carrier's `secrets` import).
    pub(crate) fn prepare(
        &self,
        name: &str,
        path: &Path,
        world: World,
        extend: impl FnOnce(&mut Linker<HostState>, &PluginInfo) -> wasmtime::Result<()>,
    ) -> Result<(InstancePre<HostState>, PluginInfo), PluginError> {
        let (component, info) = self.load_world(path, world)?;
        let mut linker = self.linker()?;
        extend(&mut linker, &info).map_err(PluginError::instantiate(name))?;
        let pre = linker
            .instantiate_pre(&component)
            .map_err(PluginError::instantiate(name))?;
        Ok((pre, info))
    }

    pub(crate) fn linker(&self) -> Result<Linker<HostState>, PluginError> {
        let mut linker = Linker::new(&self.engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)
            .and_then(|()| crate::clocks::refuse_timers(&mut linker))
            .map_err(|e| PluginError::Instantiate {
                plugin: "(linker)".into(),
                message: e.to_string(),
            })?;
        Ok(linker)
    }

    pub(crate) fn store(&self, secrets: Arc<Secrets>) -> Store<HostState> {
        let mut store = Store::new(&self.engine, HostState::new(self.limits.memory, secrets));
        store.limiter(|s| s.limiter());
        if self.metered {
            // Counted, never a limit: the budget is the wall-clock one.
            let _ = store.set_fuel(u64::MAX);
        }
        // Instantiation runs guest code too: it gets the same budget as a call.
        store.set_epoch_deadline(self.budget_ticks());
        store.epoch_deadline_trap();
        store
    }

    fn budget_ticks(&self) -> u64 {
        let ticks = self.limits.cpu_budget.as_micros().div_ceil(TICK.as_micros()).max(1);
        u64::try_from(ticks).unwrap_or(u64::MAX)
    }

    /// Runs one guest call under the CPU budget, turning failures into
    /// `PluginError`s and recording the metric and the log line.
    pub(crate) fn call<R>(
        &self,
        store: &mut Store<HostState>,
        plugin: &str,
        call: &'static str,
        stats: &CallStats,
        f: impl FnOnce(&mut Store<HostState>) -> wasmtime::Result<R>,
    ) -> Result<R, PluginError> {
        let Some(_place) = self.gate.enter(gate::WAIT) else {
            let error = PluginError::Busy {
                plugin: plugin.to_owned(),
                call,
                places: self.gate.places(),
                waited: gate::WAIT,
            };
            tracing::warn!(plugin, call, kind = error.kind(), %error, "plugin call turned away");
            return Err(error);
        };
        // The budget starts once the call has its core.
        store.set_epoch_deadline(self.budget_ticks());
        store.epoch_deadline_trap();
        let started = Instant::now();
        let fuel_before = store.get_fuel().ok();
        let result = f(store).map_err(|e| self.classify(e, plugin, call));
        let fuel = fuel_before
            .zip(store.get_fuel().ok())
            .map_or(0, |(b, a)| b.saturating_sub(a));
        stats.record_usage(fuel, store.data().memory_used());
        // What the plugin printed: a panic's message and place, on failure.
        let printed = store.data().take_stderr();
        let result = match result {
            Err(PluginError::Trap { plugin, call, message }) if !printed.is_empty() => Err(PluginError::Trap {
                plugin,
                call,
                message: format!("{message}; the plugin printed: {printed}"),
            }),
            other => {
                if !printed.is_empty() {
                    tracing::debug!(plugin, call, stderr = %printed, "plugin wrote to stderr");
                }
                other
            }
        };
        stats.record(started.elapsed(), result.as_ref().err());
        if let Err(error) = &result {
            tracing::warn!(plugin, call, kind = error.kind(), %error, "plugin call failed");
        }
        result
    }

    fn classify(&self, error: wasmtime::Error, plugin: &str, call: &'static str) -> PluginError {
        let plugin = plugin.to_owned();
        if let Some(wasmtime::Trap::Interrupt) = error.downcast_ref::<wasmtime::Trap>() {
            return PluginError::Timeout {
                plugin,
                call,
                budget: self.limits.cpu_budget,
            };
        }
        if error.downcast_ref::<BudgetExceeded>().is_some() {
            return PluginError::OutOfMemory {
                plugin,
                call,
                cap_mib: self.limits.memory >> 20,
            };
        }
        // The trap reason is at the end of the chain (after wasm backtrace context).
        let message = error.root_cause().to_string();
        if message.contains("growing memory") || message.contains("memory growth failure") {
            return PluginError::OutOfMemory {
                plugin,
                call,
                cap_mib: self.limits.memory >> 20,
            };
        }
        PluginError::Trap { plugin, call, message }
    }
}

/// A short hint when `bytes` are plainly not a component: not WebAssembly
/// at all, or a core module (built for `wasm32-unknown-unknown` or
/// `wasm32-wasip1` instead of `wasm32-wasip2`).
fn not_a_component(bytes: &[u8]) -> Option<String> {
    const MAGIC: &[u8] = b"\0asm";
    if !bytes.starts_with(MAGIC) {
        let start: String = bytes
            .iter()
            .take(8)
            .map(|b| if b.is_ascii_graphic() { *b as char } else { '.' })
            .collect();
        return Some(format!(
            "not WebAssembly at all (it starts with {start:?}, not \"\\0asm\"); a plugin is a .wasm component built with `cargo build --target wasm32-wasip2 --release`"
        ));
    }
    match bytes.get(4..8) {
        Some([1, 0, 0, 0]) => Some(
            "a core WebAssembly module, not a component: build the plugin for wasm32-wasip2 (`cargo build --target wasm32-wasip2 --release`), which makes components".into(),
        ),
        _ => None,
    }
}
