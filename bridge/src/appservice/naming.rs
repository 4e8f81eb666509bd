//! How a customer's ghost is named. Without masking (and while masking
//! was never on), mautrix-twilio's convention: `{ghost_prefix}{E.164
//! digits}`. Once `supervisor.mask_customer_numbers` is on, an opaque
//! name: `{ghost_prefix}` and 24 lowercase base32 characters (120 bits) of
//! HMAC-SHA256 over the entry point, the customer's number and a
//! generation, keyed with 32 random bytes kept in the bot's store. The
//! name tells nothing of the number to anyone without the key, and the
//! homeserver's answer about `@{prefix}{digits}` is the same whether that
//! number ever texted or not. A ghost deactivated (after
//! `storage.retention`) is never reused: the customer's next SMS gets the
//! next generation, a new name. Pure.

use hmac::{Hmac, Mac as _};
use rand::RngCore as _;
use ruma::{OwnedUserId, UserId};
use sha2::Sha256;

/// Characters of an opaque name after the prefix (5 bits each).
pub const OPAQUE_CHARS: usize = 24;

/// The key of opaque names: 32 random bytes, created once per bot store.
#[derive(Clone)]
pub struct GhostKey([u8; 32]);

impl std::fmt::Debug for GhostKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GhostKey(..)")
    }
}

impl GhostKey {
    /// A new random key.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// The key as stored (hex).
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// A stored key; `None` unless it is 64 hex digits.
    pub fn from_hex(text: &str) -> Option<Self> {
        let bytes = hex::decode(text).ok()?;
        Some(Self(bytes.try_into().ok()?))
    }

    /// HMAC-SHA256 of `parts`, each followed by a 0 byte (so no two
    /// different lists of parts are the same input), under `domain`.
    fn mac(&self, domain: &str, parts: &[&str]) -> [u8; 32] {
        // A 32-byte key is always a valid HMAC key.
        let mut mac = <Hmac<Sha256>>::new_from_slice(&self.0).expect("any key length");
        mac.update(domain.as_bytes());
        mac.update(&[0]);
        for part in parts {
            mac.update(part.as_bytes());
            mac.update(&[0]);
        }
        mac.finalize().into_bytes().into()
    }

    /// The opaque localpart of the ghost of `customer` texting `entry`,
    /// in its `generation`.
    pub fn opaque_localpart(&self, prefix: &str, entry: &str, customer: &str, generation: u32) -> String {
        let digest = self.mac("smsdesk ghost name v1", &[entry, customer, &generation.to_string()]);
        format!("{prefix}{}", base32(&digest, OPAQUE_CHARS))
    }

    /// What the bot's store calls the customer of `entry` (for their
    /// ghost's generation) without holding the number: hex of a keyed hash.
    pub fn customer_tag(&self, entry: &str, customer: &str) -> String {
        hex::encode(&self.mac("smsdesk ghost customer v1", &[entry, customer])[..16])
    }
}

/// The first `chars` characters of RFC 4648 base32 of `bytes`, lowercase
/// (the characters a Matrix localpart allows).
fn base32(bytes: &[u8], chars: usize) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut out = String::with_capacity(chars);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for byte in bytes {
        if out.len() == chars {
            break;
        }
        buffer = (buffer << 8) | u32::from(*byte);
        bits += 8;
        while bits >= 5 && out.len() < chars {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
        buffer &= (1 << bits) - 1;
    }
    out
}

/// The localpart of a customer's ghost named by their number: the prefix
/// and its digits (docs/operator-guide.md, "Appservice mode", while masking was never on).
pub fn number_localpart(prefix: &str, number: &str) -> String {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    format!("{prefix}{digits}")
}

/// Whether `localpart` is a ghost named by a number (from before masking).
pub fn is_number_localpart(prefix: &str, localpart: &str) -> bool {
    localpart
        .strip_prefix(prefix)
        .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()))
}

/// The bot's encrypting twin: `@<bot's localpart>_e2ee` on the bot's
/// server, the appservice's user who reads and writes encrypted rooms
/// (ghosts and the registration's sender cannot).
pub fn twin_user(bot: &UserId) -> OwnedUserId {
    UserId::parse(format!("@{}_e2ee:{}", bot.localpart(), bot.server_name()))
        .expect("a user id with a suffix on its localpart is a user id")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_is_rfc_4648_lowercase() {
        // RFC 4648 §10: BASE32("foobar") = "MZXW6YTBOI======".
        // (Whole 5-bit groups only: the 10th character would be padded.)
        assert_eq!(base32(b"foobar", 9), "mzxw6ytbo");
        assert_eq!(base32(b"f", 1), "m");
    }

    #[test]
    fn opaque_names_hide_the_number_and_differ_by_key_entry_customer_and_generation() {
        let key = GhostKey::generate();
        let name = key.opaque_localpart("sms_", "+15550001111", "+15557770001", 0);
        assert_eq!(name.len(), "sms_".len() + OPAQUE_CHARS);
        assert!(name["sms_".len()..]
            .bytes()
            .all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b)));
        assert!(!name.contains("5557770001") && !name.contains("0001"));
        assert!(!is_number_localpart("sms_", &name));
        // Stable: the same inputs give the same ghost (a crash repeats it).
        assert_eq!(name, key.opaque_localpart("sms_", "+15550001111", "+15557770001", 0));
        let others = [
            key.opaque_localpart("sms_", "+15550001111", "+15557770001", 1),
            key.opaque_localpart("sms_", "+15550002222", "+15557770001", 0),
            key.opaque_localpart("sms_", "+15550001111", "+15557770002", 0),
            GhostKey::generate().opaque_localpart("sms_", "+15550001111", "+15557770001", 0),
        ];
        assert!(others.iter().all(|o| *o != name), "{others:?}");
        // Kept as hex and read back as the same key.
        let back = GhostKey::from_hex(&key.to_hex()).unwrap();
        assert_eq!(back.opaque_localpart("sms_", "+15550001111", "+15557770001", 0), name);
        assert!(GhostKey::from_hex("00ff").is_none());
        assert!(!key.customer_tag("+15550001111", "+15557770001").contains("5557770001"));
    }

    #[test]
    fn number_names_are_the_digits() {
        assert_eq!(number_localpart("sms_", "+1 (555) 777-0001"), "sms_15557770001");
        assert!(is_number_localpart("sms_", "sms_15557770001"));
        assert!(!is_number_localpart("sms_", "sms_"));
        assert!(!is_number_localpart("sms_", "alice"));
    }
}
