//! Who vouches for the server: the CAs (`roots`: the `sslrootcert` file,
//! or the system's), and the three ways a certificate is checked.
//!
//! - `verify-full`: rustls' own verifier (chain, dates, host name).
//! - `verify-ca`, and `prefer`/`require` with `sslrootcert` (as libpq):
//!   `ChainOnly`, the same chain and dates but any host name.
//! - `prefer`/`require` without `sslrootcert`: `ChainOnly` with no CAs,
//!   any certificate (the link is encrypted, but a man in the middle with a
//!   certificate of his own is not noticed; SCRAM's channel binding still
//!   stops him from logging in with the password he relays).
//!
//! Every verifier checks the server's handshake signature, so the server
//! holds the key of the certificate it shows.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{verify_server_cert_signed_by_trust_anchor, WebPkiServerVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};

use super::params::{RootCert, Settings, SslMode};

/// Why the CAs to check the server against cannot be had.
#[derive(Debug, thiserror::Error)]
pub enum RootsError {
    #[error("sslrootcert {}: cannot read: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("sslrootcert {}: not a PEM file: {source}", path.display())]
    Pem {
        path: PathBuf,
        source: rustls::pki_types::pem::Error,
    },
    #[error("sslrootcert {}: holds no certificate (expected \"-----BEGIN CERTIFICATE-----\" blocks)", path.display())]
    Empty { path: PathBuf },
    #[error("sslrootcert {}: a certificate in it cannot be a CA: {source}", path.display())]
    Unusable { path: PathBuf, source: rustls::Error },
    #[error(
        "sslmode={mode} without sslrootcert checks the server against the system's CAs, and the system has none ({why}); set sslrootcert to the CA's PEM file"
    )]
    NoSystemRoots { mode: SslMode, why: String },
    #[error("cannot check certificates: {0}")]
    Verifier(#[from] rustls::client::VerifierBuilderError),
}

/// The CAs `root_cert` names; `None` when nothing is to be checked
/// (`prefer` and `require` without `sslrootcert`).
pub fn roots(settings: &Settings) -> Result<Option<RootCertStore>, RootsError> {
    match &settings.root_cert {
        RootCert::File(path) => file_roots(path).map(Some),
        RootCert::System => system_roots(settings.mode).map(Some),
        RootCert::Unset if settings.mode.verifies() => system_roots(settings.mode).map(Some),
        RootCert::Unset => Ok(None),
    }
}

fn file_roots(path: &Path) -> Result<RootCertStore, RootsError> {
    let pem = std::fs::read(path).map_err(|source| RootsError::Read {
        path: path.to_owned(),
        source,
    })?;
    let mut store = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&pem) {
        let cert = cert.map_err(|source| RootsError::Pem {
            path: path.to_owned(),
            source,
        })?;
        store.add(cert).map_err(|source| RootsError::Unusable {
            path: path.to_owned(),
            source,
        })?;
    }
    if store.is_empty() {
        return Err(RootsError::Empty { path: path.to_owned() });
    }
    Ok(store)
}

fn system_roots(mode: SslMode) -> Result<RootCertStore, RootsError> {
    let found = rustls_native_certs::load_native_certs();
    let mut store = RootCertStore::empty();
    let (_added, _unusable) = store.add_parsable_certificates(found.certs);
    if store.is_empty() {
        let why = match found.errors.first() {
            Some(error) => error.to_string(),
            None => "no certificate found".to_owned(),
        };
        return Err(RootsError::NoSystemRoots { mode, why });
    }
    Ok(store)
}

/// The verifier for `mode` with the CAs `roots` (see the module's doc).
pub fn verifier(
    mode: SslMode,
    roots: Option<RootCertStore>,
    provider: &Arc<CryptoProvider>,
) -> Result<Arc<dyn ServerCertVerifier>, RootsError> {
    let algorithms = provider.signature_verification_algorithms;
    Ok(match (mode, roots) {
        (SslMode::VerifyFull, Some(roots)) => {
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone()).build()?
        }
        (_, roots) => Arc::new(ChainOnly { roots, algorithms }),
    })
}

/// `verify-ca`: the chain to a trusted CA, and the dates; any name. With
/// no CAs (`prefer`/`require` without `sslrootcert`): any certificate, the
/// handshake signature still checked.
#[derive(Debug)]
struct ChainOnly {
    roots: Option<RootCertStore>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Some(roots) = &self.roots {
            let cert = ParsedCertificate::try_from(end_entity)?;
            verify_server_cert_signed_by_trust_anchor(&cert, roots, intermediates, now, self.algorithms.all)?;
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}
