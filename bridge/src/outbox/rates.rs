//! Send rates: each entry number sends at most its configured messages
//! per second (carriers throttle long codes to about 1/s, toll-free to
//! about 3/s, short codes to about 30/s).

use std::collections::BTreeMap;
use std::time::Duration;

use tokio::time::Instant;

use crate::config::Config;

#[derive(Debug)]
pub struct Rates {
    per_second: BTreeMap<String, f64>,
    next_free: BTreeMap<String, Instant>,
}

impl Rates {
    pub fn new(config: &Config) -> Self {
        Self {
            per_second: config
                .entry_points
                .iter()
                .map(|e| (e.entry.number.to_string(), e.send_rate))
                .collect(),
            next_free: BTreeMap::new(),
        }
    }

    /// Takes a send slot for `from` now, or says when the next one is free.
    pub fn reserve(&mut self, from: &str, now: Instant) -> Result<(), Instant> {
        let free = self.next_free.get(from).copied().unwrap_or(now);
        if free > now {
            return Err(free);
        }
        let rate = self.per_second.get(from).copied().unwrap_or(1.0).max(0.001);
        self.next_free
            .insert(from.to_owned(), free.max(now) + Duration::from_secs_f64(1.0 / rate));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_sends_at_its_rate() {
        let mut rates = Rates {
            per_second: [("+15550001111".to_owned(), 2.0)].into(),
            next_free: BTreeMap::new(),
        };
        let now = Instant::now();
        assert_eq!(rates.reserve("+15550001111", now), Ok(()));
        assert_eq!(
            rates.reserve("+15550001111", now),
            Err(now + Duration::from_millis(500))
        );
        assert_eq!(rates.reserve("+15550001111", now + Duration::from_millis(500)), Ok(()));
        // Another number is not held up.
        assert_eq!(rates.reserve("+15550002222", now), Ok(()));
    }
}
