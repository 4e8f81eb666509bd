//! What one plugin instance can reach: an empty WASI context (no files,
//! sockets, environment, arguments or stdin; stdout discarded, stderr kept
//! in memory for panic messages, see `stderr`), clocks
//! frozen at the Unix epoch, a memory cap, and — for carriers — the named
//! secrets of its own carrier, through HMAC only.

use std::sync::Arc;
use std::time::Duration;

use wasmtime::{ResourceLimiter, StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::{HostMonotonicClock, HostWallClock, ResourceTable, WasiCtx, WasiCtxView, WasiView};

use crate::secrets::Secrets;
use crate::stderr::Captured;

/// A clock that never moves: plugins get no time except what the host passes in.
struct Frozen;

impl HostWallClock for Frozen {
    fn resolution(&self) -> Duration {
        Duration::from_secs(1)
    }
    fn now(&self) -> Duration {
        Duration::ZERO
    }
}

impl HostMonotonicClock for Frozen {
    fn resolution(&self) -> u64 {
        1_000_000_000
    }
    fn now(&self) -> u64 {
        0
    }
}

pub struct HostState {
    wasi: WasiCtx,
    table: ResourceTable,
    limits: StoreLimits,
    secrets: Arc<Secrets>,
    stderr: Captured,
}

impl std::fmt::Debug for HostState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostState").field("secrets", &self.secrets).finish()
    }
}

impl HostState {
    pub fn new(memory_cap: usize, secrets: Arc<Secrets>) -> Self {
        let stderr = Captured::default();
        let wasi = WasiCtx::builder()
            .stderr(stderr.clone())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .wall_clock(Frozen)
            .monotonic_clock(Frozen)
            .build();
        Self {
            wasi,
            table: ResourceTable::new(),
            limits: StoreLimitsBuilder::new()
                .memory_size(memory_cap)
                .instances(64)
                .tables(64)
                .memories(16)
                .trap_on_grow_failure(true)
                .build(),
            secrets,
            stderr,
        }
    }

    /// What the plugin wrote to stderr since the last look; cleared.
    pub(crate) fn take_stderr(&self) -> String {
        self.stderr.take()
    }

    pub fn limiter(&mut self) -> &mut dyn ResourceLimiter {
        &mut self.limits
    }

    /// The named secrets of this instance's carrier (none for other plugins).
    pub(crate) fn secrets(&self) -> &Secrets {
        &self.secrets
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}
