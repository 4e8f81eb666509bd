//! How many wrong credentials smsdesk checks: a token bucket of failures
//! per source address and one for everyone. A check first takes a token
//! from both buckets (so a hundred parallel guesses cannot all be checked
//! before the first failure is counted) and gives it back when the
//! credential was right; a wrong one keeps it spent. With either bucket
//! empty the request is answered 429 with `Retry-After` without being
//! checked at all, right or wrong, so a limited guesser learns nothing.
//!
//! Sources are IP addresses as the connection shows them (`ConnectInfo`);
//! IPv6 addresses count per /64, what one host usually holds. Behind a
//! reverse proxy every request comes from the proxy: the per-source bound
//! then acts like the overall one. The overall bucket bounds a guesser
//! with many addresses; one source can never spend more than its own
//! bucket, so it alone cannot lock everyone else out.
//!
//! What a failure is (a wrong bearer token, a refused OpenID token) is the
//! caller's to say; this module only counts. The buckets are pure (time is
//! a parameter) and unit-tested; `FailureLimit` wraps them in a mutex.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

/// Failures one source may have: a burst, refilled over `WINDOW`.
pub const PER_SOURCE: u32 = 5;
/// Failures all sources together may have over `WINDOW`.
pub const OVERALL: u32 = 60;
/// The refill period of both buckets.
pub const WINDOW: Duration = Duration::from_secs(60);

/// Where a request comes from, as far as counting failures goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Source(IpAddr);

impl Source {
    pub fn of(addr: IpAddr) -> Self {
        match addr {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Self(IpAddr::V4(v4)),
                None => {
                    let s = v6.segments();
                    Self(IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0)))
                }
            },
            v4 => Self(v4),
        }
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The request's source; "unspecified" when the server was not started
/// with connection info (in-process tests): all such requests share one.
impl<S: Send + Sync> FromRequestParts<S> for Source {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(Self(IpAddr::V6(Ipv6Addr::UNSPECIFIED)), |c| Self::of(c.0.ip())))
    }
}

/// One token bucket: `capacity` tokens, refilled at `capacity` per `WINDOW`.
#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn full(capacity: u32, now: Instant) -> Self {
        Self {
            tokens: f64::from(capacity),
            at: now,
        }
    }

    fn refill(&mut self, capacity: u32, now: Instant) {
        let rate = f64::from(capacity) / WINDOW.as_secs_f64();
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * rate).min(f64::from(capacity));
        self.at = now;
    }

    /// How long until one token is there (zero: now).
    fn wait(&self, capacity: u32) -> Duration {
        if self.tokens >= 1.0 {
            return Duration::ZERO;
        }
        let rate = f64::from(capacity) / WINDOW.as_secs_f64();
        Duration::from_secs_f64((1.0 - self.tokens) / rate)
    }

    fn is_full(&self, capacity: u32) -> bool {
        self.tokens >= f64::from(capacity)
    }
}

/// The buckets, without a lock: the rules, with time as a parameter.
#[derive(Debug)]
pub struct Buckets {
    per_source: u32,
    overall_capacity: u32,
    sources: HashMap<Source, Bucket>,
    overall: Bucket,
}

/// Refused without a check: try again after this long.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limited {
    pub retry_after: Duration,
}

impl Limited {
    /// `Retry-After` in whole seconds, at least 1.
    pub fn retry_after_s(&self) -> u64 {
        self.retry_after.as_secs_f64().ceil().max(1.0) as u64
    }
}

impl Buckets {
    pub fn new(per_source: u32, overall: u32, now: Instant) -> Self {
        Self {
            per_source,
            overall_capacity: overall,
            sources: HashMap::new(),
            overall: Bucket::full(overall, now),
        }
    }

    /// Takes one failure's token from `source`'s bucket and the overall
    /// one, or says how long until both have one.
    pub fn take(&mut self, source: Source, now: Instant) -> Result<(), Limited> {
        self.overall.refill(self.overall_capacity, now);
        let per_source = self.per_source;
        let mine = self
            .sources
            .get(&source)
            .copied()
            .map(|mut b| {
                b.refill(per_source, now);
                b
            })
            .unwrap_or_else(|| Bucket::full(per_source, now));
        let wait = mine.wait(per_source).max(self.overall.wait(self.overall_capacity));
        if wait > Duration::ZERO {
            return Err(Limited { retry_after: wait });
        }
        self.overall.tokens -= 1.0;
        let mut mine = mine;
        mine.tokens -= 1.0;
        self.forget_full(now);
        self.sources.insert(source, mine);
        Ok(())
    }

    /// Gives back a token taken by `take` (the credential was right).
    pub fn give_back(&mut self, source: Source, now: Instant) {
        self.overall.refill(self.overall_capacity, now);
        self.overall.tokens = (self.overall.tokens + 1.0).min(f64::from(self.overall_capacity));
        let per_source = self.per_source;
        if let Some(b) = self.sources.get_mut(&source) {
            b.refill(per_source, now);
            b.tokens = (b.tokens + 1.0).min(f64::from(per_source));
            if b.is_full(per_source) {
                self.sources.remove(&source);
            }
        }
    }

    /// Drops sources whose bucket has refilled (they are as if unseen), so
    /// memory is bounded by the failures of the last `WINDOW`, which the
    /// overall bucket bounds.
    fn forget_full(&mut self, now: Instant) {
        if self.sources.len() < 2 * self.overall_capacity as usize {
            return;
        }
        let per_source = self.per_source;
        self.sources.retain(|_, b| {
            b.refill(per_source, now);
            !b.is_full(per_source)
        });
    }

    /// How many sources are remembered.
    pub fn remembered(&self) -> usize {
        self.sources.len()
    }
}

/// The shared limiter of a server.
#[derive(Debug)]
pub struct FailureLimit {
    buckets: Mutex<Buckets>,
}

impl Default for FailureLimit {
    fn default() -> Self {
        Self::new(PER_SOURCE, OVERALL)
    }
}

impl FailureLimit {
    pub fn new(per_source: u32, overall: u32) -> Self {
        Self {
            buckets: Mutex::new(Buckets::new(per_source, overall, Instant::now())),
        }
    }

    fn buckets(&self) -> std::sync::MutexGuard<'_, Buckets> {
        // Counting goes on after a panic elsewhere: the counts stay valid.
        self.buckets.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Before checking a credential from `source`: `Ok` to check it (then
    /// call `passed` if it was right), `Err` to answer 429 unchecked.
    pub fn before_check(&self, source: Source) -> Result<(), Limited> {
        self.buckets().take(source, Instant::now())
    }

    /// The credential checked after `before_check` was right: it cost nothing.
    pub fn passed(&self, source: Source) {
        self.buckets().give_back(source, Instant::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(last: u8) -> Source {
        Source::of(IpAddr::from([10, 0, 0, last]))
    }

    #[test]
    fn a_source_gets_its_burst_then_waits_for_the_refill() {
        let t0 = Instant::now();
        let mut b = Buckets::new(5, 60, t0);
        for _ in 0..5 {
            assert_eq!(b.take(src(1), t0), Ok(()));
        }
        let limited = b.take(src(1), t0).unwrap_err();
        assert_eq!(limited.retry_after_s(), 12, "one failure per 60 s / 5");
        // Another source is not limited by the first.
        assert_eq!(b.take(src(2), t0), Ok(()));
        // One token back after 12 s, not two.
        let later = t0 + Duration::from_secs(12);
        assert_eq!(b.take(src(1), later), Ok(()));
        assert!(b.take(src(1), later).is_err());
    }

    #[test]
    fn right_credentials_cost_nothing() {
        let t0 = Instant::now();
        let mut b = Buckets::new(5, 60, t0);
        for _ in 0..100 {
            assert_eq!(b.take(src(1), t0), Ok(()));
            b.give_back(src(1), t0);
        }
        assert_eq!(b.remembered(), 0, "a source with a full bucket is not remembered");
    }

    #[test]
    fn the_overall_bucket_bounds_many_sources() {
        let t0 = Instant::now();
        let mut b = Buckets::new(5, 60, t0);
        for i in 0..12 {
            for _ in 0..5 {
                assert_eq!(b.take(src(i), t0), Ok(()));
            }
        }
        let limited = b.take(src(200), t0).unwrap_err();
        assert_eq!(limited.retry_after_s(), 1, "60 per minute: one a second");
    }

    #[test]
    fn memory_is_bounded_by_recent_failures() {
        let t0 = Instant::now();
        let mut b = Buckets::new(5, 60, t0);
        for i in 0..10_000u32 {
            let now = t0 + Duration::from_secs(u64::from(i));
            let s = Source::of(IpAddr::from(i.to_be_bytes()));
            let _ = b.take(s, now);
        }
        assert!(b.remembered() <= 2 * 60, "{} sources remembered", b.remembered());
    }

    #[test]
    fn ipv6_counts_per_64_and_mapped_ipv4_as_ipv4() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(Source::of(a), Source::of(b));
        assert_ne!(Source::of(a), Source::of(c));
        let mapped: IpAddr = "::ffff:10.0.0.1".parse().unwrap();
        assert_eq!(Source::of(mapped), src(1));
    }
}
