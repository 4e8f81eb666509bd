//! Prometheus metrics (`GET /metrics`), with the official client's registry
//! and text encoder. Plugin call stats are copied in from the plugin host at
//! scrape time; queue and agent metrics are in `queues`, kept requests'
//! in `dead_letters`.

pub mod dead_letters;
pub mod queues;

use std::sync::Mutex;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct WebhookLabels {
    pub carrier: String,
    pub kind: String,
    /// accepted, duplicate, bad_signature, malformed, too_large, unknown_carrier,
    /// unknown_number, plugin_failure, store_failure
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct SendLabels {
    pub carrier: String,
    /// attempt, sent, failed
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CarrierLabels {
    pub carrier: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct MediaLabels {
    /// customer_shown, customer_refused, agent_kept, agent_refused,
    /// served, not_found (attachments); queued, duplicate, forbidden, bad
    /// (appservice transactions)
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PluginLabels {
    pub plugin: String,
}

#[derive(Debug)]
pub struct Metrics {
    registry: Mutex<Registry>,
    pub webhooks: Family<WebhookLabels, Counter>,
    pub sends: Family<SendLabels, Counter>,
    pub segments: Family<CarrierLabels, Counter>,
    pub plugin_calls: Family<PluginLabels, Gauge>,
    pub plugin_failures: Family<PluginLabels, Gauge>,
    pub plugin_latency_micros: Family<PluginLabels, Gauge>,
    pub outbox_depth: Gauge,
    /// 1 while this instance leads (always, on one machine), 0 standing by.
    pub leader: Gauge,
    /// The lease epoch this instance leads with (PostgreSQL): it rises at
    /// each takeover, so its changes count failovers.
    pub lease_epoch: Gauge,
    /// Webhooks in the shared inbox not yet committed by the leader's engine.
    pub shared_inbox_depth: Gauge,
    /// Webhooks in this instance's spool, waiting for the database (PostgreSQL).
    pub spool_depth: Gauge,
    /// The spool's size on disk, in bytes (emptied once all moved).
    pub spool_bytes: Gauge,
    pub media: Family<MediaLabels, Counter>,
    /// Appservice transactions by outcome: queued, duplicate, forbidden, bad.
    pub appservice: Family<MediaLabels, Counter>,
    pub queues: queues::QueueMetrics,
    /// Kept requests: count, bytes, refusals (set by `crate::dead_letters`).
    pub dead_letters: dead_letters::DeadLetterMetrics,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("smsdesk");
        let webhooks = Family::<WebhookLabels, Counter>::default();
        registry.register(
            "webhooks",
            "Webhook requests by carrier, kind and outcome",
            webhooks.clone(),
        );
        let sends = Family::<SendLabels, Counter>::default();
        registry.register(
            "sms_sends",
            "Outbound SMS attempts and final outcomes by carrier",
            sends.clone(),
        );
        let segments = Family::<CarrierLabels, Counter>::default();
        registry.register(
            "sms_segments_sent",
            "SMS segments the carriers accepted (what they bill), by carrier",
            segments.clone(),
        );
        let plugin_calls = Family::<PluginLabels, Gauge>::default();
        registry.register("plugin_calls", "Plugin calls since start", plugin_calls.clone());
        let plugin_failures = Family::<PluginLabels, Gauge>::default();
        registry.register(
            "plugin_failures",
            "Plugin calls that trapped, timed out or ran out of memory",
            plugin_failures.clone(),
        );
        let plugin_latency_micros = Family::<PluginLabels, Gauge>::default();
        registry.register(
            "plugin_latency_micros",
            "Cumulative time spent in plugin calls, in microseconds",
            plugin_latency_micros.clone(),
        );
        let outbox_depth = Gauge::default();
        registry.register("outbox_depth", "Agent replies waiting to be sent", outbox_depth.clone());
        let leader = Gauge::default();
        registry.register(
            "leader",
            "1 while this instance leads (runs the engine, the desk and the outboxes), 0 while it stands by",
            leader.clone(),
        );
        let lease_epoch = Gauge::default();
        registry.register(
            "lease_epoch",
            "The leader lease's epoch this instance leads with (PostgreSQL); it rises at each takeover",
            lease_epoch.clone(),
        );
        let shared_inbox_depth = Gauge::default();
        registry.register(
            "shared_inbox_depth",
            "Webhooks in the shared inbox the leader's engine has not committed yet (PostgreSQL)",
            shared_inbox_depth.clone(),
        );
        let spool_depth = Gauge::default();
        registry.register(
            "spool_depth",
            "Verified webhooks kept on this instance's disk while the database is unreachable, not yet moved into the shared inbox (PostgreSQL)",
            spool_depth.clone(),
        );
        let spool_bytes = Gauge::default();
        registry.register(
            "spool_bytes",
            "The size of this instance's spool on disk, in bytes (at most storage.spool_mib; emptied once everything in it is moved)",
            spool_bytes.clone(),
        );
        let media = Family::<MediaLabels, Counter>::default();
        registry.register(
            "mms_attachments",
            "Attachments (MMS): customers' shown or refused, agents' kept or refused, URLs served or not found",
            media.clone(),
        );
        let appservice = Family::<MediaLabels, Counter>::default();
        registry.register(
            "appservice_transactions",
            "Transactions the homeserver pushed (appservice mode): queued, duplicate, forbidden, bad",
            appservice.clone(),
        );
        let queues = queues::QueueMetrics::register(&mut registry);
        let dead_letters = dead_letters::DeadLetterMetrics::register(&mut registry);
        Self {
            dead_letters,
            appservice,
            queues,
            media,
            registry: Mutex::new(registry),
            webhooks,
            sends,
            segments,
            plugin_calls,
            plugin_failures,
            plugin_latency_micros,
            outbox_depth,
            leader,
            lease_epoch,
            shared_inbox_depth,
            spool_depth,
            spool_bytes,
        }
    }

    pub fn media(&self, outcome: &str) {
        self.media
            .get_or_create(&MediaLabels {
                outcome: outcome.to_owned(),
            })
            .inc();
    }

    pub fn appservice_transaction(&self, outcome: &str) {
        self.appservice
            .get_or_create(&MediaLabels {
                outcome: outcome.to_owned(),
            })
            .inc();
    }

    pub fn webhook(&self, carrier: &str, kind: &str, outcome: &str) {
        self.webhooks
            .get_or_create(&WebhookLabels {
                carrier: carrier.to_owned(),
                kind: kind.to_owned(),
                outcome: outcome.to_owned(),
            })
            .inc();
    }

    pub fn send(&self, carrier: &str, outcome: &str) {
        self.sends
            .get_or_create(&SendLabels {
                carrier: carrier.to_owned(),
                outcome: outcome.to_owned(),
            })
            .inc();
    }

    /// Segments of one message the carrier accepted.
    pub fn segments_sent(&self, carrier: &str, count: u32) {
        self.segments
            .get_or_create(&CarrierLabels {
                carrier: carrier.to_owned(),
            })
            .inc_by(u64::from(count));
    }

    pub fn render(&self, plugins: &smsdesk_plugins::metrics::Metrics) -> String {
        for (name, s) in plugins.snapshot() {
            let l = PluginLabels { plugin: name };
            self.plugin_calls
                .get_or_create(&l)
                .set(i64::try_from(s.calls).unwrap_or(i64::MAX));
            self.plugin_failures
                .get_or_create(&l)
                .set(i64::try_from(s.failures).unwrap_or(i64::MAX));
            self.plugin_latency_micros
                .get_or_create(&l)
                .set(i64::try_from(s.latency_micros).unwrap_or(i64::MAX));
        }
        let mut out = String::new();
        let registry = self.registry.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &registry) {
            tracing::warn!(error = %e, "encoding metrics failed");
        }
        out
    }
}
