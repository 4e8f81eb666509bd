//! `Gate`: at most as many plugin calls run at once as the machine has
//! cores. The CPU budget is counted in wall-clock epochs, so a call that
//! shares a core with a hundred others would run out of budget before it
//! had its share of the CPU: under a flood of webhooks, honest requests
//! would time out with the rest. Behind the gate each running call has a
//! core, and its budget measures its own work. A caller waits for a place
//! at most `WAIT`; past that the call fails as `PluginError::Busy` (the
//! gateway answers 503, so the carrier retries), instead of queueing
//! without end.

use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The longest a call waits for a place.
pub const WAIT: Duration = Duration::from_secs(5);

#[derive(Debug)]
pub struct Gate {
    places: usize,
    running: Mutex<usize>,
    freed: Condvar,
}

/// A place behind the gate, given back on drop.
#[derive(Debug)]
pub struct Place<'a> {
    gate: &'a Gate,
}

impl Gate {
    /// A gate with one place per core (at least one).
    pub fn per_core() -> Self {
        Self::new(std::thread::available_parallelism().map_or(1, usize::from))
    }

    pub fn new(places: usize) -> Self {
        Self {
            places: places.max(1),
            running: Mutex::new(0),
            freed: Condvar::new(),
        }
    }

    /// How many calls may run at once.
    pub fn places(&self) -> usize {
        self.places
    }

    /// Waits up to `wait` for a place.
    pub fn enter(&self, wait: Duration) -> Option<Place<'_>> {
        let deadline = Instant::now() + wait;
        let mut running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        while *running >= self.places {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            running = self
                .freed
                .wait_timeout(running, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        *running += 1;
        Some(Place { gate: self })
    }
}

impl Drop for Place<'_> {
    fn drop(&mut self) {
        let mut running = self.gate.running.lock().unwrap_or_else(PoisonError::into_inner);
        *running = running.saturating_sub(1);
        self.gate.freed.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_gate_turns_callers_away_after_the_wait() {
        let gate = Gate::new(2);
        let a = gate.enter(Duration::ZERO).unwrap();
        let _b = gate.enter(Duration::ZERO).unwrap();
        let started = Instant::now();
        assert!(gate.enter(Duration::from_millis(50)).is_none());
        assert!(started.elapsed() >= Duration::from_millis(50));
        drop(a);
        assert!(gate.enter(Duration::ZERO).is_some(), "a freed place is taken");
    }

    #[test]
    fn a_waiting_caller_gets_the_next_free_place() {
        let gate = std::sync::Arc::new(Gate::new(1));
        let held = gate.enter(Duration::ZERO).unwrap();
        let waiter = {
            let gate = gate.clone();
            std::thread::spawn(move || gate.enter(Duration::from_secs(5)).is_some())
        };
        std::thread::sleep(Duration::from_millis(20));
        drop(held);
        assert!(waiter.join().unwrap());
    }
}
