//! Kept requests (dead letters) in `/metrics`: how many are on disk
//! (`smsdesk_dead_letters`), how many bytes they take
//! (`smsdesk_dead_letters_bytes`), and the requests that were not kept
//! (`smsdesk_dead_letters_refused_total{reason}`). The dead-letter store
//! sets them as it writes and deletes; nothing here reads the disk.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RefusedLabels {
    /// full (the byte cap), unwritable (the write failed), unsigned (its
    /// signature was never confirmed)
    pub reason: String,
}

/// Handles to the gauges and the counter; clones share them.
#[derive(Clone, Debug, Default)]
pub struct DeadLetterMetrics {
    pub count: Gauge,
    pub bytes: Gauge,
    pub refused: Family<RefusedLabels, Counter>,
}

impl DeadLetterMetrics {
    pub fn register(registry: &mut Registry) -> Self {
        let m = Self::default();
        registry.register(
            "dead_letters",
            "Kept requests (dead letters) on disk, waiting for replay",
            m.count.clone(),
        );
        registry.register(
            "dead_letters_bytes",
            "Bytes the kept requests take on disk (capped by storage.dead_letters_max_mib)",
            m.bytes.clone(),
        );
        registry.register(
            "dead_letters_refused",
            "Requests that would have been kept but were not: full, unwritable, unsigned",
            m.refused.clone(),
        );
        m
    }

    /// The folder now holds `count` letters taking `bytes`.
    pub fn set(&self, count: u64, bytes: u64) {
        self.count.set(i64::try_from(count).unwrap_or(i64::MAX));
        self.bytes.set(i64::try_from(bytes).unwrap_or(i64::MAX));
    }

    pub fn refused(&self, reason: &str) {
        self.refused
            .get_or_create(&RefusedLabels {
                reason: reason.to_owned(),
            })
            .inc();
    }
}
