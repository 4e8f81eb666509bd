//! Queue and agent metrics (docs/operator-guide.md, `GET /metrics`): gauges set at scrape time
//! from the engine's figures (`smsdesk_queue_waiting{queue}`,
//! `smsdesk_queue_longest_wait_seconds{queue}`, `smsdesk_agents{state}`),
//! and what the event log says as it goes by (`crate::outcomes`):
//! histograms `smsdesk_time_to_accept_seconds{queue}` and
//! `smsdesk_handle_time_seconds{queue}`, and the counter
//! `smsdesk_conversations_total{queue,outcome}`.

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct QueueLabels {
    pub queue: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StateLabels {
    /// available, busy, idle, rona, offline
    pub state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    pub queue: String,
    /// handled (wrapped up), abandoned (closed, never accepted), closed (other closes)
    pub outcome: String,
}

/// Seconds before the first accept: an SLA is usually 20 s to 5 min.
const ACCEPT_BUCKETS: [f64; 10] = [5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0];
/// Seconds from first accept to wrap-up: minutes to hours.
const HANDLE_BUCKETS: [f64; 9] = [60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0, 14400.0];

#[derive(Debug)]
pub struct QueueMetrics {
    pub waiting: Family<QueueLabels, Gauge>,
    pub longest_wait: Family<QueueLabels, Gauge<f64, AtomicU64>>,
    pub agents: Family<StateLabels, Gauge>,
    pub time_to_accept: Family<QueueLabels, Histogram>,
    pub handle_time: Family<QueueLabels, Histogram>,
    pub conversations: Family<OutcomeLabels, Counter>,
}

impl QueueMetrics {
    pub fn register(registry: &mut Registry) -> Self {
        let m = Self {
            waiting: Family::default(),
            longest_wait: Family::default(),
            agents: Family::default(),
            time_to_accept: Family::new_with_constructor(|| Histogram::new(ACCEPT_BUCKETS)),
            handle_time: Family::new_with_constructor(|| Histogram::new(HANDLE_BUCKETS)),
            conversations: Family::default(),
        };
        registry.register(
            "queue_waiting",
            "Conversations waiting in the queue now",
            m.waiting.clone(),
        );
        registry.register(
            "queue_longest_wait_seconds",
            "How long the longest-waiting conversation of the queue has waited",
            m.longest_wait.clone(),
        );
        registry.register("agents", "Roster agents by state", m.agents.clone());
        registry.register(
            "time_to_accept_seconds",
            "Queue time before the first accept",
            m.time_to_accept.clone(),
        );
        registry.register(
            "handle_time_seconds",
            "Time from the first accept to the wrap-up",
            m.handle_time.clone(),
        );
        registry.register(
            "conversations",
            "Conversations closed, by queue and outcome",
            m.conversations.clone(),
        );
        m
    }

    pub fn set_queue(&self, queue: &str, waiting: usize, longest_wait_s: f64) {
        let l = QueueLabels {
            queue: queue.to_owned(),
        };
        self.waiting
            .get_or_create(&l)
            .set(i64::try_from(waiting).unwrap_or(i64::MAX));
        self.longest_wait.get_or_create(&l).set(longest_wait_s);
    }

    pub fn set_agents(&self, state: &str, n: u32) {
        self.agents
            .get_or_create(&StateLabels {
                state: state.to_owned(),
            })
            .set(i64::from(n));
    }

    pub fn accepted(&self, queue: &str, wait_s: f64) {
        self.time_to_accept
            .get_or_create(&QueueLabels {
                queue: queue.to_owned(),
            })
            .observe(wait_s);
    }

    pub fn handled(&self, queue: &str, handle_s: f64) {
        self.handle_time
            .get_or_create(&QueueLabels {
                queue: queue.to_owned(),
            })
            .observe(handle_s);
    }

    pub fn closed(&self, queue: &str, outcome: &str) {
        self.conversations
            .get_or_create(&OutcomeLabels {
                queue: queue.to_owned(),
                outcome: outcome.to_owned(),
            })
            .inc();
    }
}
