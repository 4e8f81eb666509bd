//! What the host gives plugins to call: the `secrets` interface, once per
//! interface version (each version's bindings have their own trait and
//! enum). Every version ends in the same `Secrets` methods. A check that
//! confirms a signature is noted in the instance's state
//! (`HostState::saw_signature`).

use crate::bindings::{v0_1, v0_2, v0_3};
use crate::sandbox::HostState;
use crate::secrets::HmacAlgorithm;

/// The shared part of every version's `secrets::Host`: HMAC and its check.
macro_rules! hmac_imports {
    ($version:ident) => {
        impl From<$version::carrier::smsdesk::plugin::secrets::HmacAlgorithm> for HmacAlgorithm {
            fn from(a: $version::carrier::smsdesk::plugin::secrets::HmacAlgorithm) -> Self {
                use $version::carrier::smsdesk::plugin::secrets::HmacAlgorithm as W;
                match a {
                    W::Sha1 => Self::Sha1,
                    W::Sha256 => Self::Sha256,
                    W::Sha512 => Self::Sha512,
                }
            }
        }
    };
}

hmac_imports!(v0_1);
hmac_imports!(v0_2);
hmac_imports!(v0_3);

/// HMAC and its check, the methods every version's `secrets::Host` has.
macro_rules! hmac_methods {
    ($version:ident) => {
        fn hmac(
            &mut self,
            algorithm: $version::carrier::smsdesk::plugin::secrets::HmacAlgorithm,
            secret: String,
            data: Vec<u8>,
        ) -> Result<Vec<u8>, String> {
            self.secrets().hmac(algorithm.into(), &secret, &data)
        }

        fn hmac_verify(
            &mut self,
            algorithm: $version::carrier::smsdesk::plugin::secrets::HmacAlgorithm,
            secret: String,
            data: Vec<u8>,
            expected: Vec<u8>,
        ) -> Result<bool, String> {
            let answer = self
                .secrets()
                .hmac_verify(algorithm.into(), &secret, &data, &expected);
            self.saw_signature(&answer);
            answer
        }
    };
}

impl v0_1::carrier::smsdesk::plugin::secrets::Host for HostState {
    hmac_methods!(v0_1);
}

/// Ed25519's check, which every version since 0.2.0 has.
macro_rules! ed25519_method {
    () => {
        fn ed25519_verify(&mut self, key: String, data: Vec<u8>, signature: Vec<u8>) -> Result<bool, String> {
            let answer = self.secrets().ed25519_verify(&key, &data, &signature);
            self.saw_signature(&answer);
            answer
        }
    };
}

impl v0_2::carrier::smsdesk::plugin::secrets::Host for HostState {
    hmac_methods!(v0_2);
    ed25519_method!();
}

impl v0_3::carrier::smsdesk::plugin::secrets::Host for HostState {
    hmac_methods!(v0_3);
    ed25519_method!();
}
