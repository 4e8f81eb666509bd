//! What one plugin instance can reach: an empty WASI context (no files,
//! sockets, environment, arguments or stdin; stdout discarded, stderr kept
//! in memory for panic messages, see `stderr`), clocks frozen at the Unix
//! epoch and no timers (`clocks`), one memory budget over all its memories
//! and tables (`budget`), and — for carriers — the named secrets of its own
//! carrier, through HMAC only.

use std::sync::Arc;

use wasmtime::ResourceLimiter;
use wasmtime_wasi::{ResourceTable, WasiCtx, WasiCtxView, WasiView};

use crate::budget::Budget;
use crate::clocks::Frozen;
use crate::secrets::Secrets;
use crate::stderr::Captured;

pub struct HostState {
    wasi: WasiCtx,
    table: ResourceTable,
    limits: Budget,
    secrets: Arc<Secrets>,
    stderr: Captured,
    /// Whether the host confirmed a signature (HMAC or Ed25519) in this
    /// call: only then may the gateway keep a request the plugin failed on.
    signature_verified: bool,
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
            limits: Budget::new(memory_cap),
            secrets,
            stderr,
            signature_verified: false,
        }
    }

    /// What the plugin wrote to stderr since the last look; cleared.
    pub(crate) fn take_stderr(&self) -> String {
        self.stderr.take()
    }

    /// Bytes the instance holds (all memories and tables; they never shrink).
    pub(crate) fn memory_used(&self) -> usize {
        self.limits.used()
    }

    pub fn limiter(&mut self) -> &mut dyn ResourceLimiter {
        &mut self.limits
    }

    /// Records what a signature check the plugin asked for answered.
    pub(crate) fn saw_signature(&mut self, answer: &Result<bool, String>) -> &mut Self {
        if matches!(answer, Ok(true)) {
            self.signature_verified = true;
        }
        self
    }

    /// Whether a signature was confirmed since the last look; cleared.
    pub(crate) fn take_signature_verified(&mut self) -> bool {
        std::mem::take(&mut self.signature_verified)
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
