//! Send rates: each entry number sends at most its configured messages
//! per second (carriers throttle long codes to about 1/s, toll-free to
//! about 3/s, short codes to about 30/s). Replies ready to go wait in one
//! lane per number, in order; a pass takes from each lane only what its
//! rate allows, so a backlog of thousands on one number costs a pass
//! nothing but the replies it sends.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use smsdesk_core::MessageId;
use tokio::time::Instant;

use crate::config::Config;

#[derive(Debug)]
pub struct Lanes {
    per_second: BTreeMap<String, f64>,
    next_free: BTreeMap<String, Instant>,
    ready: BTreeMap<String, VecDeque<MessageId>>,
}

impl Lanes {
    pub fn new(config: &Config) -> Self {
        Self::with_rates(
            config
                .entry_points
                .iter()
                .map(|e| (e.entry.number.to_string(), e.send_rate))
                .collect(),
        )
    }

    fn with_rates(per_second: BTreeMap<String, f64>) -> Self {
        Self {
            per_second,
            next_free: BTreeMap::new(),
            ready: BTreeMap::new(),
        }
    }

    /// `id`, from the entry number `from`, is ready to be sent.
    pub fn push(&mut self, from: &str, id: MessageId) {
        self.ready.entry(from.to_owned()).or_default().push_back(id);
    }

    /// Replies each number may send now, in order, taking their slots; and
    /// when the next slot of a number that still has replies frees up.
    pub fn take(&mut self, now: Instant) -> (Vec<MessageId>, Option<Instant>) {
        let mut out = Vec::new();
        let mut next = None::<Instant>;
        for (from, lane) in &mut self.ready {
            let rate = self.per_second.get(from).copied().unwrap_or(1.0).max(0.001);
            let interval = Duration::from_secs_f64(1.0 / rate);
            while !lane.is_empty() {
                let free = self.next_free.get(from).copied().unwrap_or(now);
                if free > now {
                    next = Some(next.map_or(free, |n| n.min(free)));
                    break;
                }
                if let Some(id) = lane.pop_front() {
                    out.push(id);
                    self.next_free.insert(from.clone(), free.max(now) + interval);
                }
            }
        }
        self.ready.retain(|_, lane| !lane.is_empty());
        (out, next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_sends_at_its_rate_in_order_and_holds_up_no_other() {
        let mut lanes = Lanes::with_rates([("+15550001111".to_owned(), 2.0)].into());
        let now = Instant::now();
        for id in 0..1_000 {
            lanes.push("+15550001111", MessageId(id));
        }
        lanes.push("+15550002222", MessageId(5_000));
        let (sent, next) = lanes.take(now);
        assert_eq!(sent, [MessageId(0), MessageId(5_000)]);
        assert_eq!(next, Some(now + Duration::from_millis(500)));
        assert_eq!(lanes.take(now), (Vec::new(), Some(now + Duration::from_millis(500))));
        let (sent, _) = lanes.take(now + Duration::from_millis(500));
        assert_eq!(sent, [MessageId(1)], "the next in line");
    }
}
