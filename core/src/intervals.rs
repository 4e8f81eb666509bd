//! The day's curve of a queue, per 15-minute interval of its local day
//! (96 of them): what the wallboard draws beside the day's totals. Kept in
//! the day's totals (`totals::DayTotals::intervals`), counted by `apply`
//! as events happen and persisted with them, so reading costs nothing.
//!
//! Definitions, by interval:
//! - offered: conversations that came into the queue then and have been
//!   answered or abandoned since (a customer still waiting is in "waiting");
//! - answered within SLA: of those, the ones first accepted within the
//!   queue's `sla` — so the interval's service level is this ÷ offered;
//! - abandoned: of those, the ones closed without ever being accepted;
//! - waiting: the most customers seen waiting in the queue at once, looked
//!   at whenever a customer arrived, was answered or abandoned then.
//!
//! A conversation is counted in the interval it arrived in (as contact
//! centers report service level), unless it arrived on an earlier day:
//! then in the day's first interval.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ids::Timestamp;
use crate::setup::QueueSetup;

/// Minutes per interval.
pub const MINUTES: u16 = 15;
/// Intervals per day.
pub const PER_DAY: u16 = 24 * 60 / MINUTES;

/// One interval's counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interval {
    pub offered: u32,
    pub answered_in_sla: u32,
    pub abandoned: u32,
    pub waiting: u32,
}

/// A day's intervals that saw anything, by index (0 = 00:00–00:15).
pub type Intervals = BTreeMap<u16, Interval>;

/// The local date and interval of `at` in `queue`'s time zone.
pub fn slot(queue: &QueueSetup, at: Timestamp) -> (String, u16) {
    let ts = i64::try_from(at.0)
        .ok()
        .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let local = ts.to_zoned(queue.timezone.clone());
    let minutes = u16::try_from(local.hour()).unwrap_or(0) * 60 + u16::try_from(local.minute()).unwrap_or(0);
    (local.date().to_string(), (minutes / MINUTES).min(PER_DAY - 1))
}

/// "09:15", the start of interval `index`.
pub fn start(index: u16) -> String {
    let minutes = index * MINUTES;
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// The interval (of `day`) a conversation that arrived at `arrived` counts in.
pub fn arrival(queue: &QueueSetup, day: &str, arrived: Timestamp) -> u16 {
    match slot(queue, arrived) {
        (d, index) if d == day => index,
        _ => 0,
    }
}

/// Notes `waiting` customers seen in `index`.
pub fn saw_waiting(intervals: &mut Intervals, index: u16, waiting: usize) {
    let i = intervals.entry(index).or_default();
    i.waiting = i.waiting.max(u32::try_from(waiting).unwrap_or(u32::MAX));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn berlin() -> QueueSetup {
        let mut q = QueueSetup::new("billing");
        q.timezone = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
        q
    }

    #[test]
    fn intervals_are_quarter_hours_of_the_queues_local_day() {
        // 2025-12-05 08:20 UTC is 09:20 in Berlin: the interval 09:15–09:30.
        let at = Timestamp(1_764_922_800_000);
        let (day, index) = slot(&berlin(), at);
        assert_eq!(day, "2025-12-05");
        assert_eq!(start(index), "09:15");
        assert_eq!(start(PER_DAY - 1), "23:45");
        // Arrived the evening before: the day's first interval.
        assert_eq!(arrival(&berlin(), "2025-12-06", at), 0);
        assert_eq!(arrival(&berlin(), "2025-12-05", at), index);
        let mut all = Intervals::new();
        saw_waiting(&mut all, index, 3);
        saw_waiting(&mut all, index, 1);
        assert_eq!(all[&index].waiting, 3);
    }
}
