//! The retry schedule: when each pending reply is tried next, how many
//! attempts it has had, and when to give up. Ordered by due time, so a
//! pass looks only at what is due, never at the whole backlog.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use rand::Rng;
use smsdesk_core::MessageId;
use tokio::time::Instant;

use crate::backoff::Backoff;

/// Attempts before a reply is given up as failed.
pub const MAX_ATTEMPTS: u32 = 12;
/// Age after which a reply still not accepted by the carrier is failed
/// (attempt counts live in memory; this survives restarts).
pub const MAX_AGE: Duration = Duration::from_secs(24 * 3600);
const BACKOFF_BASE: Duration = Duration::from_millis(200);
const BACKOFF_MAX: Duration = Duration::from_secs(60);
const BACKOFF: Backoff = Backoff::new(BACKOFF_BASE, BACKOFF_MAX);

/// The delay before attempt `attempt + 1`: exponential with ±25% jitter
/// (so many retries do not arrive together); a carrier's Retry-After is
/// honoured, but never beyond our own ceiling.
pub fn backoff(attempt: u32, hint: Option<Duration>) -> Duration {
    let exp = BACKOFF.nth(attempt);
    let base = hint.map_or(exp, |h| h.max(exp).min(BACKOFF_MAX));
    let factor = rand::rng().random_range(0.75..1.25);
    base.mul_f64(factor)
}

/// Whether a failed attempt is the last: too many, or the reply too old.
pub fn give_up(tries: u32, age: Duration) -> bool {
    tries >= MAX_ATTEMPTS || age >= MAX_AGE
}

#[derive(Debug, Default)]
pub struct Schedule {
    due: BTreeSet<(Instant, MessageId)>,
    at: BTreeMap<MessageId, Instant>,
    tries: BTreeMap<MessageId, u32>,
}

impl Schedule {
    /// (Re)schedules `id` at `when`.
    pub fn put(&mut self, id: MessageId, when: Instant) {
        if let Some(old) = self.at.insert(id, when) {
            self.due.remove(&(old, id));
        }
        self.due.insert((when, id));
    }

    /// The next reply due at or before `now`, taken off the schedule.
    pub fn pop_due(&mut self, now: Instant) -> Option<MessageId> {
        let &(when, id) = self.due.first()?;
        if when > now {
            return None;
        }
        self.due.remove(&(when, id));
        self.at.remove(&id);
        Some(id)
    }

    /// When the earliest scheduled reply is due.
    pub fn next_due(&self) -> Option<Instant> {
        self.due.first().map(|(when, _)| *when)
    }

    /// Counts a failed attempt; returns how many there were.
    pub fn failed(&mut self, id: MessageId) -> u32 {
        let n = self.tries.entry(id).or_default();
        *n += 1;
        *n
    }

    /// Forgets a reply that got its verdict.
    pub fn forget(&mut self, id: MessageId) {
        if let Some(when) = self.at.remove(&id) {
            self.due.remove(&(when, id));
        }
        self.tries.remove(&id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_is_due_comes_out_in_order() {
        let mut s = Schedule::default();
        let now = Instant::now();
        s.put(MessageId(2), now + Duration::from_secs(5));
        s.put(MessageId(1), now);
        s.put(MessageId(3), now);
        assert_eq!(s.pop_due(now), Some(MessageId(1)));
        assert_eq!(s.pop_due(now), Some(MessageId(3)));
        assert_eq!(s.pop_due(now), None);
        assert_eq!(s.next_due(), Some(now + Duration::from_secs(5)));
        // Rescheduling moves it; forgetting removes it.
        s.put(MessageId(2), now);
        assert_eq!(s.pop_due(now), Some(MessageId(2)));
        s.put(MessageId(4), now);
        s.forget(MessageId(4));
        assert_eq!(s.next_due(), None);
    }

    #[test]
    fn backoff_grows_stays_under_the_ceiling_and_honours_retry_after() {
        assert!(backoff(0, None) <= Duration::from_millis(250));
        assert!(backoff(20, None) <= BACKOFF_MAX.mul_f64(1.25));
        assert!(backoff(0, Some(Duration::from_secs(10))) >= Duration::from_millis(7_500));
        assert!(backoff(0, Some(Duration::from_secs(3_600))) <= BACKOFF_MAX.mul_f64(1.25));
        assert!(give_up(MAX_ATTEMPTS, Duration::ZERO));
        assert!(give_up(1, MAX_AGE));
        assert!(!give_up(1, Duration::from_secs(1)));
    }
}
