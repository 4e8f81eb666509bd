//! Secrets stay in the host. A plugin asks for "HMAC-SHA1 of these bytes
//! with `auth_token`" or "basic auth with `account_sid` and `auth_token`";
//! the host looks the names up here. Values are never logged (`Debug`
//! shows names only) and never copied into plugin memory.

use std::collections::BTreeMap;
use std::fmt;

use hmac::{Hmac, Mac};

use crate::bindings::v0_1::carrier::smsdesk::plugin::secrets::HmacAlgorithm;

#[derive(Clone, Default)]
pub struct Secrets {
    values: BTreeMap<String, String>,
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
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }

    fn missing(name: &str) -> String {
        format!("no secret named {name:?} in this carrier's config")
    }

    pub(crate) fn hmac(&self, algorithm: HmacAlgorithm, name: &str, data: &[u8]) -> Result<Vec<u8>, String> {
        let key = self.get(name).ok_or_else(|| Self::missing(name))?.as_bytes();
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
        let key = self.get(name).ok_or_else(|| Self::missing(name))?.as_bytes();
        Ok(match algorithm {
            HmacAlgorithm::Sha1 => verify::<Hmac<sha1::Sha1>>(key, data, expected),
            HmacAlgorithm::Sha256 => verify::<Hmac<sha2::Sha256>>(key, data, expected),
            HmacAlgorithm::Sha512 => verify::<Hmac<sha2::Sha512>>(key, data, expected),
        })
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
