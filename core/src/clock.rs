//! The `Clock` trait: where a driver gets `now` from. The pure engine never
//! asks a clock (every rule takes `now` as an argument); drivers do, and
//! tests pass a clock they move by hand. The wall clock, `SystemClock`,
//! lives in `smsdesk-engine` (`engine/src/clock.rs`), since reading it is I/O.

use crate::ids::Timestamp;

/// A source of time, so tests can drive timers by hand.
pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}
