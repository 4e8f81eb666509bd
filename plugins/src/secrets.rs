//! Secrets stay in the host. A plugin asks for "HMAC-SHA1 of these bytes
//! with `auth_token`", "basic auth with `account_sid` and `auth_token`" or
//! "is this an Ed25519 signature by `public_key`"; the host looks the names
//! up here. Values are never logged (`Debug` shows names only) and never
//! copied into plugin memory.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use base64::Engine as _;
use hmac::{Hmac, Mac};

/// The HMAC hashes plugins may ask for (every interface version's enum
/// converts to this one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HmacAlgorithm {
    Sha1,
    Sha256,
    Sha512,
}

#[derive(Clone, Default)]
pub struct Secrets {
    values: BTreeMap<String, String>,
    /// Names a plugin asked for that are not here: what its config lacks
    /// (`check-config` and `plugin check` name them).
    missing: Arc<Mutex<BTreeSet<String>>>,
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Secrets")
            .field("names", &self.values.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Secrets {
    pub fn new(values: impl IntoIterator<Item = (String, String)>) -> Self {
        Self {
            values: values.into_iter().collect(),
            missing: Arc::default(),
        }
    }

    /// The names a plugin asked for that this config does not have, so far.
    pub fn missing(&self) -> Vec<String> {
        self.missing
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .cloned()
            .collect()
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }

    fn lookup(&self, name: &str) -> Result<&str, String> {
        self.get(name).ok_or_else(|| {
            self.missing
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(name.to_owned());
            format!("no secret named {name:?} in this carrier's config")
        })
    }

    pub(crate) fn hmac(&self, algorithm: HmacAlgorithm, name: &str, data: &[u8]) -> Result<Vec<u8>, String> {
        let key = self.lookup(name)?.as_bytes();
        match algorithm {
            HmacAlgorithm::Sha1 => mac::<Hmac<sha1::Sha1>>(key, data),
            HmacAlgorithm::Sha256 => mac::<Hmac<sha2::Sha256>>(key, data),
            HmacAlgorithm::Sha512 => mac::<Hmac<sha2::Sha512>>(key, data),
        }
    }

    pub(crate) fn hmac_verify(
        &self,
        algorithm: HmacAlgorithm,
        name: &str,
        data: &[u8],
        expected: &[u8],
    ) -> Result<bool, String> {
        let key = self.lookup(name)?.as_bytes();
        Ok(match algorithm {
            HmacAlgorithm::Sha1 => verify::<Hmac<sha1::Sha1>>(key, data, expected),
            HmacAlgorithm::Sha256 => verify::<Hmac<sha2::Sha256>>(key, data, expected),
            HmacAlgorithm::Sha512 => verify::<Hmac<sha2::Sha512>>(key, data, expected),
        })
    }

    /// Whether `signature` is a valid Ed25519 signature of `data` by the
    /// public key in the entry `name` (base64 of the raw 32 bytes). A key
    /// that is missing or not a key is an error (the operator's to fix); a
    /// signature of the wrong length is simply not valid.
    pub fn ed25519_verify(&self, name: &str, data: &[u8], signature: &[u8]) -> Result<bool, String> {
        let text = self.lookup(name)?;
        let raw = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map_err(|e| {
                format!("config entry {name:?} is not base64 ({e}); it must hold the 32-byte Ed25519 public key")
            })?;
        let bytes: [u8; 32] = raw.as_slice().try_into().map_err(|_| {
            format!(
                "config entry {name:?} holds {} bytes; an Ed25519 public key is 32 bytes",
                raw.len()
            )
        })?;
        let key = ed25519_dalek::VerifyingKey::from_bytes(&bytes)
            .map_err(|e| format!("config entry {name:?} is not a valid Ed25519 public key: {e}"))?;
        let Ok(signature) = ed25519_dalek::Signature::from_slice(signature) else {
            return Ok(false);
        };
        Ok(key.verify_strict(data, &signature).is_ok())
    }
}

fn mac<M: Mac + hmac::digest::KeyInit>(key: &[u8], data: &[u8]) -> Result<Vec<u8>, String> {
    let mut m = <M as Mac>::new_from_slice(key).map_err(|e| e.to_string())?;
    m.update(data);
    Ok(m.finalize().into_bytes().to_vec())
}

/// Constant-time comparison (`verify_slice` from the `hmac` crate).
fn verify<M: Mac + hmac::digest::KeyInit>(key: &[u8], data: &[u8], expected: &[u8]) -> bool {
    match <M as Mac>::new_from_slice(key) {
        Ok(mut m) => {
            m.update(data);
            m.verify_slice(expected).is_ok()
        }
        Err(_) => false,
    }
}
