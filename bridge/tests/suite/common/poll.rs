//! Waiting for what a test cannot be told about (a page's element, a
//! server's role, a carrier's message list): `until` asks again every
//! `every` until the probe answers `Ok`, for at most `limit`, then fails
//! naming what never happened and what it saw last. Every wait is bounded.

use std::time::{Duration, Instant};

/// The probe's value once it has one; `Err(seen)`: not yet, and what it
/// saw (for the failure's message).
pub async fn until<T>(
    what: &str,
    limit: Duration,
    every: Duration,
    mut probe: impl AsyncFnMut() -> Result<T, String>,
) -> T {
    let start = Instant::now();
    loop {
        let seen = match probe().await {
            Ok(value) => return value,
            Err(seen) => seen,
        };
        assert!(
            start.elapsed() < limit,
            "{what}: not after {limit:?}; last seen: {seen}"
        );
        tokio::time::sleep(every).await;
    }
}
