//! `Backoff`: the doubling wait of a retry loop. It starts at `start`,
//! doubles after every wait up to `cap`, and goes back to `start` after a
//! success (`reset`). Its `Debug` is the wait now, so `?backoff` in a log
//! line says how long the loop is about to wait.

use std::time::Duration;

#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    start: Duration,
    cap: Duration,
    current: Duration,
}

impl Backoff {
    pub const fn new(start: Duration, cap: Duration) -> Self {
        Self {
            start,
            cap,
            current: start,
        }
    }

    /// The wait now: what the next `next_wait` or `sleep` waits.
    pub fn current(&self) -> Duration {
        self.current
    }

    /// The wait now; the one after doubles, up to the cap.
    pub fn next_wait(&mut self) -> Duration {
        let wait = self.current;
        self.current = wait.saturating_mul(2).min(self.cap);
        wait
    }

    /// Waits the wait now, and doubles the next one (up to the cap).
    pub async fn sleep(&mut self) {
        tokio::time::sleep(self.next_wait()).await;
    }

    /// Back to the first wait, after a success.
    pub fn reset(&mut self) {
        self.current = self.start;
    }

    /// The wait before attempt `attempt + 1` of a schedule that keeps no
    /// state: `start` doubled `attempt` times, up to the cap.
    pub fn nth(&self, attempt: u32) -> Duration {
        self.start.saturating_mul(2u32.saturating_pow(attempt)).min(self.cap)
    }
}

impl std::fmt::Debug for Backoff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.current, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_cap_and_resets() {
        let mut b = Backoff::new(Duration::from_millis(200), Duration::from_secs(1));
        let waits: Vec<u128> = (0..5).map(|_| b.next_wait().as_millis()).collect();
        assert_eq!(waits, [200, 400, 800, 1000, 1000]);
        b.reset();
        assert_eq!(b.next_wait(), Duration::from_millis(200));
        assert_eq!(format!("{b:?}"), "400ms");
    }

    #[test]
    fn nth_is_the_same_schedule_without_state() {
        let b = Backoff::new(Duration::from_millis(200), Duration::from_secs(60));
        assert_eq!(b.nth(0), Duration::from_millis(200));
        assert_eq!(b.nth(3), Duration::from_millis(1600));
        assert_eq!(b.nth(40), Duration::from_secs(60));
    }
}
