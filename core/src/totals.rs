//! The day's totals of each queue (PRODUCT.md §10): accepted, abandoned,
//! within the service level, wait and handle times, for the local day of
//! the queue's time zone. `apply` counts them into the state as events
//! happen and the store persists them (`m/totals`); `figures` reads them.
//! Their own module, below both `state` and `figures`, so the state can
//! hold them without importing the figures that read the state.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::ids::{QueueName, Timestamp};
use crate::setup::QueueSetup;

/// One queue's totals for one local day.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayTotals {
    /// The local date they are for, `YYYY-MM-DD`.
    pub day: String,
    pub accepted: u64,
    pub accepted_in_sla: u64,
    pub abandoned: u64,
    /// Sum of queue times before the first accept, in ms.
    pub wait_ms: u64,
    pub handled: u64,
    /// Sum of handle times (first accept to wrap-up), in ms.
    pub handle_ms: u64,
    /// The day's curve, by 15-minute interval (`intervals`).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub intervals: crate::intervals::Intervals,
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl DayTotals {
    pub fn accepted(&mut self, wait: Duration, sla: Duration) {
        self.accepted += 1;
        self.wait_ms = self.wait_ms.saturating_add(ms(wait));
        if wait <= sla {
            self.accepted_in_sla += 1;
        }
    }

    pub fn abandoned(&mut self) {
        self.abandoned += 1;
    }

    pub fn handled(&mut self, handle: Duration) {
        self.handled += 1;
        self.handle_ms = self.handle_ms.saturating_add(ms(handle));
    }

    /// Accepted within the SLA ÷ (accepted + abandoned); `None` before the first.
    pub fn service_level(&self) -> Option<f64> {
        let offered = self.accepted + self.abandoned;
        (offered > 0).then(|| self.accepted_in_sla as f64 / offered as f64)
    }

    /// Average speed of answer.
    pub fn asa(&self) -> Option<Duration> {
        (self.accepted > 0).then(|| Duration::from_millis(self.wait_ms / self.accepted))
    }

    /// Average handle time.
    pub fn aht(&self) -> Option<Duration> {
        (self.handled > 0).then(|| Duration::from_millis(self.handle_ms / self.handled))
    }
}

/// The local date of `at` in `queue`'s time zone.
pub fn local_day(queue: &QueueSetup, at: Timestamp) -> String {
    let ts = i64::try_from(at.0)
        .ok()
        .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    ts.to_zoned(queue.timezone.clone()).date().to_string()
}

/// Every queue's totals of its current (or last active) day.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals(pub BTreeMap<QueueName, DayTotals>);

impl Totals {
    /// The totals of `queue` for the day of `at`, started afresh if the
    /// stored ones are of another day.
    pub fn day_of(&mut self, queue: &QueueSetup, at: Timestamp) -> &mut DayTotals {
        let day = local_day(queue, at);
        let t = self.0.entry(queue.name.clone()).or_default();
        if t.day != day {
            *t = DayTotals {
                day,
                ..DayTotals::default()
            };
        }
        t
    }

    /// The totals of `queue` for the day of `now` (zero if none yet).
    pub fn today(&self, queue: &QueueSetup, now: Timestamp) -> DayTotals {
        let day = local_day(queue, now);
        match self.0.get(&queue.name) {
            Some(t) if t.day == day => t.clone(),
            _ => DayTotals {
                day,
                ..DayTotals::default()
            },
        }
    }
}
