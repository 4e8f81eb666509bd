//! Per-plugin call metrics: calls, failures by kind, cumulative latency,
//! and what the calls cost: fuel (on a metered host, see
//! `PluginHost::metered`) and the peak memory of an instance. Lock-free
//! counters; the bridge renders them as Prometheus text.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

#[derive(Debug, Default)]
pub struct CallStats {
    pub calls: AtomicU64,
    pub failures: AtomicU64,
    pub timeouts: AtomicU64,
    pub out_of_memory: AtomicU64,
    pub traps: AtomicU64,
    pub latency_micros: AtomicU64,
    /// Fuel the calls consumed (only on a metered host; else 0).
    pub fuel: AtomicU64,
    /// The most memory (bytes, memories and tables) one instance held.
    pub peak_memory: AtomicU64,
}

/// A copy of one plugin's counters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatsSnapshot {
    pub calls: u64,
    pub failures: u64,
    pub timeouts: u64,
    pub out_of_memory: u64,
    pub traps: u64,
    pub latency_micros: u64,
    pub fuel: u64,
    pub peak_memory: u64,
}

impl CallStats {
    pub(crate) fn record(&self, elapsed: Duration, error: Option<&crate::PluginError>) {
        self.calls.fetch_add(1, Ordering::Relaxed);
        self.record_outcome(elapsed, error);
    }

    /// What a call cost: fuel consumed, the instance's memory after it.
    pub(crate) fn record_usage(&self, fuel: u64, memory: usize) {
        self.fuel.fetch_add(fuel, Ordering::Relaxed);
        self.peak_memory
            .fetch_max(u64::try_from(memory).unwrap_or(u64::MAX), Ordering::Relaxed);
    }

    fn record_outcome(&self, elapsed: Duration, error: Option<&crate::PluginError>) {
        self.latency_micros.fetch_add(
            u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
        if let Some(e) = error {
            self.failures.fetch_add(1, Ordering::Relaxed);
            let counter = match e {
                crate::PluginError::Timeout { .. } => &self.timeouts,
                crate::PluginError::OutOfMemory { .. } => &self.out_of_memory,
                _ => &self.traps,
            };
            counter.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn snapshot(&self) -> StatsSnapshot {
        StatsSnapshot {
            calls: self.calls.load(Ordering::Relaxed),
            failures: self.failures.load(Ordering::Relaxed),
            timeouts: self.timeouts.load(Ordering::Relaxed),
            out_of_memory: self.out_of_memory.load(Ordering::Relaxed),
            traps: self.traps.load(Ordering::Relaxed),
            latency_micros: self.latency_micros.load(Ordering::Relaxed),
            fuel: self.fuel.load(Ordering::Relaxed),
            peak_memory: self.peak_memory.load(Ordering::Relaxed),
        }
    }
}

/// All plugins' stats, by plugin name.
#[derive(Clone, Debug, Default)]
pub struct Metrics {
    plugins: Arc<Mutex<BTreeMap<String, Arc<CallStats>>>>,
}

impl Metrics {
    pub fn stats(&self, plugin: &str) -> Arc<CallStats> {
        self.plugins
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(plugin.to_owned())
            .or_default()
            .clone()
    }

    pub fn snapshot(&self) -> BTreeMap<String, StatsSnapshot> {
        self.plugins
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(k, v)| (k.clone(), v.snapshot()))
            .collect()
    }
}
