//! A session's id, the secret a browser's cookie holds (64 hex digits, 32
//! random bytes), and its key: the SHA-256 of the id, what the session map
//! and a live stream hold, so no usable cookie sits in memory.

use rand::RngCore as _;
use sha2::{Digest as _, Sha256};

/// What a session's cookie holds: 64 hex digits.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionId(String);

impl SessionId {
    /// A new id: 32 bytes from a cryptographic generator.
    pub(super) fn fresh() -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self(hex::encode(bytes))
    }

    /// A cookie value, if it has the shape of an id.
    pub fn parse(text: &str) -> Option<Self> {
        (text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())).then(|| Self(text.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the map is keyed by.
    pub fn key(&self) -> SessionKey {
        SessionKey(Sha256::digest(self.0.as_bytes()).into())
    }
}

impl std::fmt::Debug for SessionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionId(<secret>)")
    }
}

/// A session's key in the map (the digest of its id): what a stream
/// holds to notice that its session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SessionKey([u8; 32]);
