//! Wallboard sign-ins, kept in this server's memory: a session is a random
//! id (32 bytes from a cryptographic generator, hex in the cookie) mapped
//! to who signed in and the queues they may see, until it expires
//! (`LIFETIME` after sign-in, not extended by use) or is signed out.
//!
//! Nothing in a cookie means anything by itself: a cookie is honoured only
//! while its id is in the map, so it cannot be forged offline, and
//! signing out or a restart voids it. The map is keyed by the SHA-256 of
//! the id, so a lookup's timing says nothing useful about the ids held
//! and a memory dump holds no usable cookie.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::auth::Viewer;
use super::session_id::{SessionId, SessionKey};

/// How long a sign-in lasts.
pub const LIFETIME: Duration = Duration::from_secs(12 * 3600);
/// Sessions kept at most; past it the oldest goes first.
const MAX_SESSIONS: usize = 10_000;

#[derive(Clone, Debug)]
struct Session {
    viewer: Viewer,
    expires: Instant,
}

/// Every live session of this server.
#[derive(Debug, Default)]
pub struct Sessions {
    map: Mutex<HashMap<SessionKey, Session>>,
}

impl Sessions {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<SessionKey, Session>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Signs `viewer` in at `now`: the new session's id (for the cookie).
    pub fn start(&self, mut viewer: Viewer, now: Instant) -> SessionId {
        let id = SessionId::fresh();
        viewer.session = Some(id.key());
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
                viewer,
                expires: now + LIFETIME,
            },
        );
        id
    }

    /// Who holds `id` at `now`, if it is a live session.
    pub fn viewer(&self, id: &SessionId, now: Instant) -> Option<Viewer> {
        let key = id.key();
        let mut map = self.map();
        match map.get(&key) {
            Some(s) if s.expires > now => Some(s.viewer.clone()),
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
    use crate::wallboard::auth::{Scope, Who};

    fn sue() -> Viewer {
        Viewer {
            who: Who::Supervisor("@sue:example.com".try_into().unwrap()),
            scope: Scope::Queues(vec!["billing".into()]),
            session: None,
        }
    }

    #[test]
    fn a_session_lives_until_it_expires_or_ends() {
        let (sessions, now) = (Sessions::default(), Instant::now());
        let id = sessions.start(sue(), now);
        assert_eq!(id.as_str().len(), 64);
        let seen = sessions.viewer(&id, now + Duration::from_secs(60)).unwrap();
        assert_eq!(seen.who, sue().who);
        assert_eq!(seen.session, Some(id.key()));
        assert!(sessions.is_live(&id.key(), now));
        assert!(sessions.viewer(&id, now + LIFETIME).is_none(), "expired");
        let id = sessions.start(sue(), now);
        assert!(sessions.end(&id));
        assert!(sessions.viewer(&id, now).is_none(), "signed out");
        assert!(!sessions.is_live(&id.key(), now));
        assert!(!sessions.end(&id));
    }

    #[test]
    fn ids_are_random_and_only_ours_are_honoured() {
        let (sessions, now) = (Sessions::default(), Instant::now());
        let a = sessions.start(sue(), now);
        let b = sessions.start(sue(), now);
        assert_ne!(a, b);
        let other = SessionId::parse(&"0".repeat(64)).unwrap();
        assert!(sessions.viewer(&other, now).is_none());
        // The old cookie's shape (issue time, a dot, a digest) is not an id.
        assert!(SessionId::parse(&format!("1800000000.{}", "a".repeat(64))).is_none());
        assert!(SessionId::parse(&"g".repeat(64)).is_none());
        assert!(!format!("{a:?}").contains(a.as_str()));
    }
}
