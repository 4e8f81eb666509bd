//! SCRAM channel binding (`tls-server-end-point`, RFC 5929): the hash of
//! the server's certificate, which the client mixes into its SCRAM proof.
//! A man in the middle who relays the password exchange shows the client
//! his own certificate, so the proof he relays is refused by the server:
//! what stops him under `sslmode=require`, where no certificate is checked.
//!
//! The hash is the one of the certificate's signature algorithm (SHA-1
//! and MD5 raised to SHA-256), as PostgreSQL computes it. For an algorithm
//! without one (RSA-PSS, Ed25519) PostgreSQL cannot bind either, and the
//! client says it does not bind (`channel_binding=require` then fails).

use sha2::{Digest, Sha256, Sha384, Sha512};

const SEQUENCE: u8 = 0x30;
const OID: u8 = 0x06;

/// `tls-server-end-point` for the certificate `der`, when its signature
/// algorithm names a hash.
pub fn server_end_point(der: &[u8]) -> Option<Vec<u8>> {
    let oid = signature_algorithm(der)?;
    const RSA: [u8; 8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01]; // 1.2.840.113549.1.1
    const ECDSA: [u8; 6] = [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04]; // 1.2.840.10045.4
    enum Hash {
        Sha256,
        Sha384,
        Sha512,
    }
    let hash = match oid {
        // md5, sha1, sha256 WithRSAEncryption; ecdsa-with-SHA1, -SHA256.
        [a @ .., 0x04 | 0x05 | 0x0B] if *a == RSA => Hash::Sha256,
        [a @ .., 0x01] if *a == ECDSA => Hash::Sha256,
        [a @ .., 0x03, 0x02] if *a == ECDSA => Hash::Sha256,
        [a @ .., 0x0C] if *a == RSA => Hash::Sha384,
        [a @ .., 0x03, 0x03] if *a == ECDSA => Hash::Sha384,
        [a @ .., 0x0D] if *a == RSA => Hash::Sha512,
        [a @ .., 0x03, 0x04] if *a == ECDSA => Hash::Sha512,
        _ => return None,
    };
    Some(match hash {
        Hash::Sha256 => Sha256::digest(der).to_vec(),
        Hash::Sha384 => Sha384::digest(der).to_vec(),
        Hash::Sha512 => Sha512::digest(der).to_vec(),
    })
}

/// The OID of `Certificate.signatureAlgorithm` (X.509: a SEQUENCE of the
/// to-be-signed SEQUENCE, then the algorithm's SEQUENCE, OID first).
fn signature_algorithm(der: &[u8]) -> Option<&[u8]> {
    let (SEQUENCE, certificate, _) = element(der)? else {
        return None;
    };
    let (SEQUENCE, _to_be_signed, rest) = element(certificate)? else {
        return None;
    };
    let (SEQUENCE, algorithm, _) = element(rest)? else {
        return None;
    };
    match element(algorithm)? {
        (OID, oid, _) => Some(oid),
        _ => None,
    }
}

/// One DER element at the start of `input`: its tag, its contents and
/// what follows it; `None` when `input` is too short for what it says.
fn element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (length, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let count = usize::from(first & 0x7F);
        if count == 0 || count > 4 || rest.len() < count {
            return None;
        }
        let (bytes, rest) = rest.split_at(count);
        let length = bytes.iter().fold(0usize, |n, b| (n << 8) | usize::from(*b));
        (length, rest)
    };
    if rest.len() < length {
        return None;
    }
    let (contents, rest) = rest.split_at(length);
    Some((tag, contents, rest))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_hash_follows_the_certificate_signature_algorithm() {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap();
        let cert = rcgen::CertificateParams::new(vec!["db".to_owned()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let der = cert.der().to_vec();
        assert_eq!(server_end_point(&der), Some(Sha384::digest(&der).to_vec()));

        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let der = rcgen::CertificateParams::new(vec!["db".to_owned()])
            .unwrap()
            .self_signed(&key)
            .unwrap()
            .der()
            .to_vec();
        assert_eq!(server_end_point(&der), Some(Sha256::digest(&der).to_vec()));

        // Ed25519 names no hash: PostgreSQL cannot bind to it either.
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
        let der = rcgen::CertificateParams::new(vec!["db".to_owned()])
            .unwrap()
            .self_signed(&key)
            .unwrap()
            .der()
            .to_vec();
        assert_eq!(server_end_point(&der), None);
    }

    #[test]
    fn truncated_or_foreign_bytes_bind_nothing() {
        assert_eq!(server_end_point(b""), None);
        assert_eq!(server_end_point(&[0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF]), None);
        assert_eq!(server_end_point(&[0x30, 0x03, 0x30, 0x01]), None);
        assert_eq!(server_end_point(b"not a certificate at all"), None);
    }
}
