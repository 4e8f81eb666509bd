//! The wall clock, for drivers: `now()` and `SystemClock`, the `Clock` a
//! running smsdesk gives its committer. The pure crate (`smsdesk-core`)
//! only names the `Clock` trait; reading the system time happens here.

use smsdesk_core::clock::Clock;
use smsdesk_core::ids::Timestamp;

/// The wall clock now, in milliseconds since the Unix epoch (0 before it).
pub fn now() -> Timestamp {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    Timestamp(u64::try_from(ms).unwrap_or(u64::MAX))
}

#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        now()
    }
}
