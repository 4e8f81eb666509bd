//! TLS to PostgreSQL, with rustls (no OpenSSL): libpq's `sslmode` and
//! `sslrootcert`, read from the connection string (`params`), the CAs
//! and certificate checks (`verify`), SCRAM channel binding (`binding`),
//! and the `postgres` connector (`Connector`) that puts them together.
//! A failed handshake says why, in an operator's words (`HandshakeError`).
//!
//! `verify-full` and `verify-ca` never fall back to an unencrypted
//! connection, nor to an unchecked certificate: no CA to check against
//! (an unreadable `sslrootcert`, a system without CAs) is an error.
//! `prefer`, the default as in libpq, falls back to clear when the server
//! says it has no TLS, which anyone on the path can say for it (but a
//! handshake begun and failed is an error, where libpq would try again in
//! clear). With `sslrootcert`, `prefer` and `require` check the chain as
//! `verify-ca` does (as libpq).
//! The CA file is read again at each connection, so a renewed one is used
//! without a restart.

mod binding;
mod params;
mod verify;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use postgres::tls::{ChannelBinding, MakeTlsConnect, TlsConnect};
use postgres::Socket;
use rustls::pki_types::ServerName;
use rustls::{CertificateError, ClientConfig};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

pub use params::{split, ParamError, RootCert, Settings, SslMode};
pub use verify::RootsError;

/// Why a connection string's TLS settings cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(transparent)]
    Param(#[from] ParamError),
    #[error(transparent)]
    Roots(#[from] RootsError),
    #[error("TLS cannot be set up: {0}")]
    Rustls(#[from] rustls::Error),
}

/// Checks `url`'s TLS settings as a connection would use them (the CA
/// file read, the system's CAs found), without connecting.
pub fn check(url: &str) -> Result<Settings, ConfigError> {
    let (_, settings) = split(url)?;
    if settings.mode != SslMode::Disable {
        Connector::new(&settings)?;
    }
    Ok(settings)
}

/// Makes TLS sessions for `postgres`, checking certificates as `sslmode`
/// and `sslrootcert` say.
#[derive(Clone)]
pub struct Connector {
    config: Arc<ClientConfig>,
    settings: Settings,
}

impl std::fmt::Debug for Connector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connector")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Connector {
    pub fn new(settings: &Settings) -> Result<Self, ConfigError> {
        // ring: already in the tree (reqwest's rustls), and no C build
        // tools needed. Named here, not left to rustls' process-wide
        // default, which is ambiguous when both providers are compiled in.
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let roots = verify::roots(settings)?;
        let verifier = verify::verifier(settings.mode, roots, &provider)?;
        let mut config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        // As libpq 17; what a server reached with `sslnegotiation=direct` requires.
        config.alpn_protocols = vec![b"postgresql".to_vec()];
        Ok(Self {
            config: Arc::new(config),
            settings: settings.clone(),
        })
    }
}

impl MakeTlsConnect<Socket> for Connector {
    type Stream = TlsStream;
    type TlsConnect = Handshake;
    type Error = HandshakeError;

    fn make_tls_connect(&mut self, host: &str) -> Result<Handshake, HandshakeError> {
        let fail = |cause| HandshakeError {
            host: host.to_owned(),
            settings: self.settings.clone(),
            cause,
        };
        let name = ServerName::try_from(host.to_owned()).map_err(|_| fail(Cause::BadName))?;
        Ok(Handshake {
            connector: tokio_rustls::TlsConnector::from(self.config.clone()),
            name,
            host: host.to_owned(),
            settings: self.settings.clone(),
        })
    }
}

/// One TLS handshake with the server `host`.
pub struct Handshake {
    connector: tokio_rustls::TlsConnector,
    name: ServerName<'static>,
    host: String,
    settings: Settings,
}

impl std::fmt::Debug for Handshake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handshake")
            .field("host", &self.host)
            .finish_non_exhaustive()
    }
}

impl TlsConnect<Socket> for Handshake {
    type Stream = TlsStream;
    type Error = HandshakeError;
    type Future = Pin<Box<dyn Future<Output = Result<TlsStream, HandshakeError>> + Send>>;

    fn connect(self, socket: Socket) -> Self::Future {
        Box::pin(async move {
            match self.connector.connect(self.name, socket).await {
                Ok(stream) => Ok(TlsStream(stream)),
                Err(error) => Err(HandshakeError {
                    cause: Cause::of(error),
                    host: self.host,
                    settings: self.settings,
                }),
            }
        })
    }
}

/// A TLS handshake that failed: the host, the settings and why.
#[derive(Debug, thiserror::Error)]
#[error("{} (sslmode={})", self.explain(), settings.mode)]
pub struct HandshakeError {
    host: String,
    settings: Settings,
    cause: Cause,
}

#[derive(Debug)]
enum Cause {
    BadName,
    Rustls(rustls::Error),
    Io(std::io::Error),
}

impl Cause {
    fn of(error: std::io::Error) -> Self {
        match error.get_ref().and_then(|e| e.downcast_ref::<rustls::Error>()) {
            Some(tls) => Self::Rustls(tls.clone()),
            None => Self::Io(error),
        }
    }
}

impl HandshakeError {
    fn roots(&self) -> String {
        match &self.settings.root_cert {
            RootCert::File(path) => format!("sslrootcert {}", path.display()),
            RootCert::System | RootCert::Unset => "the system's CAs".to_owned(),
        }
    }

    fn explain(&self) -> String {
        let host = &self.host;
        let certificate = match &self.cause {
            Cause::BadName => {
                return format!("host {host:?} is neither a DNS name nor an IP address, so no certificate can name it")
            }
            Cause::Io(error) => return format!("the connection failed during the TLS handshake: {error}"),
            Cause::Rustls(rustls::Error::InvalidCertificate(certificate)) => certificate,
            Cause::Rustls(error) => return format!("the TLS handshake failed: {error}"),
        };
        match certificate {
            CertificateError::NotValidForName => format!("the server's certificate is not valid for host {host:?}"),
            CertificateError::NotValidForNameContext { presented, .. } => {
                let names: Vec<&str> = presented.iter().map(|n| plain_name(n)).collect();
                format!(
                    "the server's certificate is not valid for host {host:?}; it names {}",
                    if names.is_empty() {
                        "no host".to_owned()
                    } else {
                        names.join(", ")
                    }
                )
            }
            CertificateError::UnknownIssuer => format!(
                "the server's certificate has an unknown issuer: no CA in {} issued it",
                self.roots()
            ),
            CertificateError::BadSignature => format!(
                "the server's certificate has an unknown issuer: its signature does not match any CA in {}",
                self.roots()
            ),
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                format!("the server's certificate has expired ({certificate})")
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                format!("the server's certificate is not valid yet ({certificate})")
            }
            other => format!("the server's certificate was refused: {other}"),
        }
    }
}

/// `localhost` for webpki's `DnsName("localhost")`, `127.0.0.1` for `IpAddress(127.0.0.1)`.
fn plain_name(presented: &str) -> &str {
    presented
        .strip_prefix("DnsName(\"")
        .and_then(|n| n.strip_suffix("\")"))
        .or_else(|| presented.strip_prefix("IpAddress(").and_then(|n| n.strip_suffix(')')))
        .unwrap_or(presented)
}

/// A TLS session with the server.
pub struct TlsStream(tokio_rustls::client::TlsStream<Socket>);

impl std::fmt::Debug for TlsStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsStream").finish_non_exhaustive()
    }
}

impl postgres::tls::TlsStream for TlsStream {
    fn channel_binding(&self) -> ChannelBinding {
        let (_, session) = self.0.get_ref();
        session
            .peer_certificates()
            .and_then(|certs| certs.first())
            .and_then(|cert| binding::server_end_point(cert))
            .map_or_else(ChannelBinding::none, ChannelBinding::tls_server_end_point)
    }
}

impl AsyncRead for TlsStream {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for TlsStream {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_missing_or_empty_ca_file_is_an_error_not_a_silent_no_check() {
        let error = check("postgres://h/db?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem").unwrap_err();
        let said = error.to_string();
        assert!(
            said.starts_with("sslrootcert /nonexistent/ca.pem: cannot read: "),
            "{said}"
        );
        // Also where nothing would be checked without it (as libpq).
        assert!(check("postgres://h/db?sslmode=require&sslrootcert=/nonexistent/ca.pem").is_err());

        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let said = check(&format!("host=h sslmode=verify-ca sslrootcert={}", empty.display()))
            .unwrap_err()
            .to_string();
        assert_eq!(
            said,
            format!(
                "sslrootcert {}: holds no certificate (expected \"-----BEGIN CERTIFICATE-----\" blocks)",
                empty.display()
            )
        );
    }

    #[test]
    fn settings_that_need_no_ca_check_without_one() {
        assert_eq!(check("postgres://h/db").unwrap().mode, SslMode::Prefer);
        assert_eq!(check("postgres://h/db?sslmode=require").unwrap().mode, SslMode::Require);
        // Disable reads nothing, even a CA file that is not there.
        assert!(check("postgres://h/db?sslmode=disable&sslrootcert=/nonexistent").is_ok());
        assert_eq!(
            check("postgres://h/db?sslmode=verify_full").unwrap_err().to_string(),
            "unknown sslmode \"verify_full\"; use disable, prefer, require, verify-ca or verify-full"
        );
    }

    #[test]
    fn webpki_names_read_plainly() {
        assert_eq!(plain_name("DnsName(\"localhost\")"), "localhost");
        assert_eq!(plain_name("IpAddress(127.0.0.1)"), "127.0.0.1");
        assert_eq!(plain_name("DirectoryName"), "DirectoryName");
    }
}
