//! Browser sign-ins (the wallboard's supervisors, the desk's agents), kept
//! in this server's memory: a session is a random id (`id`: 32 bytes from
//! a cryptographic generator, hex in the cookie) mapped to who signed in,
//! until it expires (its lifetime after sign-in, not extended by use) or
//! is signed out.
//!
//! Nothing in a cookie means anything by itself: a cookie is honoured only
//! while its id is in the map, so it cannot be forged offline, and
//! signing out or a restart voids it. The map is keyed by the SHA-256 of
//! the id, so a lookup's timing says nothing useful about the ids held
//! and a memory dump holds no usable cookie.

pub mod cookie;
mod id;
pub mod lang;
pub mod signin;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub use id::{SessionId, SessionKey};

/// The sign-in pages' script (`signin.js`): Matrix password login, an
/// OpenID token for smsdesk, the Matrix session logged out again.
pub const SIGNIN_JS: &str = include_str!("signin.js");

/// Sessions kept at most; past it the oldest goes first.
const MAX_SESSIONS: usize = 10_000;

#[derive(Clone, Debug)]
struct Session<V> {
    value: V,
    expires: Instant,
}

/// Every live session of one front end, each holding a `V` (who signed in).
#[derive(Debug)]
pub struct Sessions<V> {
    map: Mutex<HashMap<SessionKey, Session<V>>>,
    lifetime: Duration,
}

impl<V: Clone> Sessions<V> {
    /// Sessions that last `lifetime` from sign-in.
    pub fn new(lifetime: Duration) -> Self {
        Self {
            map: Mutex::default(),
            lifetime,
        }
    }

    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<SessionKey, Session<V>>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Signs `value` in at `now`: the new session's id (for the cookie).
    pub fn start(&self, value: V, now: Instant) -> SessionId {
        let id = SessionId::fresh();
        let mut map = self.map();
        map.retain(|_, s| s.expires > now);
        if map.len() >= MAX_SESSIONS {
            if let Some(oldest) = map.iter().min_by_key(|(_, s)| s.expires).map(|(k, _)| *k) {
                map.remove(&oldest);
            }
        }
        map.insert(
            id.key(),
            Session {
                value,
                expires: now + self.lifetime,
            },
        );
        id
    }

    /// Who holds `id` at `now`, if it is a live session.
    pub fn get(&self, id: &SessionId, now: Instant) -> Option<V> {
        let key = id.key();
        let mut map = self.map();
        match map.get(&key) {
            Some(s) if s.expires > now => Some(s.value.clone()),
            Some(_) => {
                map.remove(&key);
                None
            }
            None => None,
        }
    }

    /// Whether the session is still live at `now` (a stream checks it).
    pub fn is_live(&self, key: &SessionKey, now: Instant) -> bool {
        self.map().get(key).is_some_and(|s| s.expires > now)
    }

    /// Signs `id` out; whether it was signed in.
    pub fn end(&self, id: &SessionId) -> bool {
        self.map().remove(&id.key()).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIFETIME: Duration = Duration::from_secs(3600);

    #[test]
    fn a_session_lives_until_it_expires_or_ends() {
        let (sessions, now) = (Sessions::new(LIFETIME), Instant::now());
        let id = sessions.start("sue", now);
        assert_eq!(id.as_str().len(), 64);
        assert_eq!(sessions.get(&id, now + Duration::from_secs(60)), Some("sue"));
        assert!(sessions.is_live(&id.key(), now));
        assert!(sessions.get(&id, now + LIFETIME).is_none(), "expired");
        let id = sessions.start("sue", now);
        assert!(sessions.end(&id));
        assert!(sessions.get(&id, now).is_none(), "signed out");
        assert!(!sessions.is_live(&id.key(), now));
        assert!(!sessions.end(&id));
    }

    #[test]
    fn ids_are_random_and_only_ours_are_honoured() {
        let (sessions, now) = (Sessions::new(LIFETIME), Instant::now());
        let a = sessions.start("sue", now);
        let b = sessions.start("sue", now);
        assert_ne!(a, b);
        let other = SessionId::parse(&"0".repeat(64)).unwrap();
        assert!(sessions.get(&other, now).is_none());
        // The old cookie's shape (issue time, a dot, a digest) is not an id.
        assert!(SessionId::parse(&format!("1800000000.{}", "a".repeat(64))).is_none());
        assert!(SessionId::parse(&"g".repeat(64)).is_none());
        assert!(!format!("{a:?}").contains(a.as_str()));
    }
}
