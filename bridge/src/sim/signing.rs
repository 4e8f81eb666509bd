//! The carriers' request signatures, as the simulator, the tests and the
//! benchmarks make them (the plugins verify with their own code, tested
//! against vectors from the carriers' libraries):
//!
//! - Twilio (`X-Twilio-Signature`): HMAC-SHA1 with the auth token over the
//!   URL followed by every form parameter, sorted, as name then value; base64.
//! - Telnyx (`telnyx-signature-ed25519`): Ed25519 over
//!   `"{telnyx-timestamp}|{raw body}"`, base64, with the simulator's test key.

use base64::Engine as _;
use hmac::Mac;

/// The signature Twilio sends for a form POST of `params` to `url`.
/// Identical pairs count once, as in Twilio's own validator.
pub fn twilio_signature<K: AsRef<str>, V: AsRef<str>>(url: &str, params: &[(K, V)], token: &str) -> String {
    let mut sorted: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_ref(), v.as_ref())).collect();
    sorted.sort_unstable();
    sorted.dedup();
    let mut data = url.to_owned();
    for (k, v) in sorted {
        data.push_str(k);
        data.push_str(v);
    }
    // HMAC takes keys of any length: this cannot fail.
    let Ok(mut mac) = hmac::Hmac::<sha1::Sha1>::new_from_slice(token.as_bytes()) else {
        return String::new();
    };
    mac.update(data.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// `params` as an `application/x-www-form-urlencoded` body.
pub fn form<K: AsRef<str>, V: AsRef<str>>(params: &[(K, V)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        s.append_pair(k.as_ref(), v.as_ref());
    }
    s.finish()
}

/// The simulator's Telnyx signing key: a fixed test seed, so that a config
/// can name its public key ahead of time. Never a real account's key.
const TELNYX_TEST_SEED: [u8; 32] = *b"smsdesk-simulator-telnyx-test-k!";

fn telnyx_key() -> ed25519_dalek::SigningKey {
    ed25519_dalek::SigningKey::from_bytes(&TELNYX_TEST_SEED)
}

/// The public key a config names (`public_key`) to accept the simulator's
/// Telnyx webhooks: base64 of the raw 32 bytes, as Telnyx's portal shows it.
pub fn telnyx_test_public_key() -> String {
    base64::engine::general_purpose::STANDARD.encode(telnyx_key().verifying_key().as_bytes())
}

/// The `telnyx-signature-ed25519` header for `body` sent at `timestamp` (Unix seconds).
pub fn telnyx_signature(timestamp: u64, body: &[u8]) -> String {
    use ed25519_dalek::Signer as _;
    let mut signed = format!("{timestamp}|").into_bytes();
    signed.extend_from_slice(body);
    base64::engine::general_purpose::STANDARD.encode(telnyx_key().sign(&signed).to_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vectors made with Twilio's own library (`twilio==9.13.0`,
    /// `plugins/tests/fixtures/twilio`): every valid form vector signs alike.
    #[test]
    fn signs_like_twilios_library() {
        let vectors: serde_json::Value =
            serde_json::from_str(include_str!("../../../plugins/tests/fixtures/twilio/vectors.json"))
                .expect("vectors.json");
        let mut checked = 0;
        for v in vectors["vectors"].as_array().expect("a list") {
            let form = v["content_type"].as_str().is_some_and(|c| c.contains("form"));
            if !(form && v["valid"] == true && v["url"] == v["validate_url"]) {
                continue;
            }
            let params: Vec<(String, String)> = v["params"]
                .as_array()
                .expect("params")
                .iter()
                .map(|p| {
                    (
                        p[0].as_str().expect("k").to_owned(),
                        p[1].as_str().expect("v").to_owned(),
                    )
                })
                .collect();
            let url = v["url"].as_str().expect("url");
            let token = v["token"].as_str().expect("token");
            assert_eq!(twilio_signature(url, &params, token), v["signature"], "{}", v["name"]);
            checked += 1;
        }
        assert!(checked >= 5, "only {checked} vectors checked");
    }
}
