//! TLS to PostgreSQL (issue #26): servers with certificates from a test
//! CA made here (rcgen), and each `sslmode` against them: `verify-full`
//! checks the chain and the host name, `verify-ca` the chain only,
//! `require` and `prefer` encrypt, `disable` does not, and nothing that
//! insists on TLS falls back to clear. `pg_stat_ssl` says, from the
//! server's side, whether the session is encrypted.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use smsdesk_engine::store::{KvStore, WriteSet};
use smsdesk_pgstore::conn::open;
use smsdesk_pgstore::testing::Postgres;
use smsdesk_pgstore::{Conn, PgStore};

/// A certificate authority for one test.
struct Ca {
    pem: String,
    issuer: Issuer<'static, KeyPair>,
}

impl Ca {
    fn new(name: &str) -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate().unwrap();
        let pem = params.self_signed(&key).unwrap().pem();
        Self {
            pem,
            issuer: Issuer::new(params, key),
        }
    }

    /// A server certificate for `names` (host names or IP addresses) and its key, PEM.
    fn server(&self, names: &[&str]) -> (String, String) {
        let mut params = CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>()).unwrap();
        params.distinguished_name.push(DnType::CommonName, names[0]);
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        (cert.pem(), key.serialize_pem())
    }

    /// The CA's certificate in a PEM file under `dir`.
    fn file(&self, dir: &Path, name: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, &self.pem).unwrap();
        path
    }
}

/// A server with a certificate for `names` from `ca`.
fn server(ca: &Ca, names: &[&str], only_tls: bool) -> Postgres {
    let (cert, key) = ca.server(names);
    Postgres::start_tls(&cert, &key, only_tls)
}

fn url(pg: &Postgres, host: &str, params: &str) -> String {
    format!("postgres://smsdesk:smsdesk@{host}:{}/smsdesk?{params}", pg.port)
}

/// Whether the server says this session is encrypted.
fn encrypted(url: &str) -> bool {
    let mut client = open(url).unwrap_or_else(|e| panic!("{url}: {e}"));
    client
        .query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[])
        .unwrap()
        .get(0)
}

/// What `open` says when it refuses `url`.
fn refused(url: &str) -> String {
    match open(url) {
        Ok(_) => panic!("{url}: connected"),
        Err(error) => error.to_string(),
    }
}

#[test]
fn verify_full_with_the_right_ca_connects_encrypted_and_binds_scram_to_the_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("smsdesk test CA");
    let pg = server(&ca, &["127.0.0.1", "localhost"], false);
    let root = ca.file(dir.path(), "ca.pem");
    let full = format!("sslmode=verify-full&sslrootcert={}", root.display());
    assert!(encrypted(&url(&pg, "127.0.0.1", &full)));
    // By a DNS name the certificate has too.
    assert!(encrypted(&url(&pg, "localhost", &full)));
    // SCRAM-SHA-256-PLUS: the password proof is bound to this certificate
    // (refused if the client's hash of it were not the server's).
    assert!(encrypted(&url(
        &pg,
        "127.0.0.1",
        &format!("{full}&channel_binding=require")
    )));
    // The keyword form, a value quoted.
    let keywords = format!(
        "host=127.0.0.1 port={} user=smsdesk password=smsdesk dbname=smsdesk sslmode=verify-full sslrootcert='{}'",
        pg.port,
        root.display()
    );
    assert!(encrypted(&keywords));
}

#[test]
fn verify_full_refuses_a_host_the_certificate_does_not_name_and_verify_ca_does_not_ask() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("smsdesk test CA");
    let pg = server(&ca, &["localhost"], false);
    let root = ca.file(dir.path(), "ca.pem");
    let said = refused(&url(
        &pg,
        "127.0.0.1",
        &format!("sslmode=verify-full&sslrootcert={}", root.display()),
    ));
    assert_eq!(
        said,
        "TLS: the server's certificate is not valid for host \"127.0.0.1\"; it names localhost (sslmode=verify-full)"
    );
    // verify-ca checks who signed it, not the name in it.
    assert!(encrypted(&url(
        &pg,
        "127.0.0.1",
        &format!("sslmode=verify-ca&sslrootcert={}", root.display())
    )));
}

#[test]
fn a_certificate_from_another_ca_is_refused_naming_the_unknown_issuer() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("smsdesk test CA");
    let pg = server(&ca, &["127.0.0.1"], false);
    let other = Ca::new("someone else's CA").file(dir.path(), "other.pem");
    for mode in ["verify-ca", "verify-full", "require"] {
        let said = refused(&url(
            &pg,
            "127.0.0.1",
            &format!("sslmode={mode}&sslrootcert={}", other.display()),
        ));
        assert_eq!(
            said,
            format!(
                "TLS: the server's certificate has an unknown issuer: no CA in sslrootcert {} issued it (sslmode={mode})",
                other.display()
            )
        );
    }
    // Nor is a CA file that is not there a reason to check nothing.
    let said = refused(&url(
        &pg,
        "127.0.0.1",
        "sslmode=verify-full&sslrootcert=/nonexistent/ca.pem",
    ));
    assert!(
        said.starts_with("sslrootcert /nonexistent/ca.pem: cannot read: "),
        "{said}"
    );
}

#[test]
fn require_and_prefer_encrypt_and_disable_does_not() {
    let ca = Ca::new("smsdesk test CA");
    let pg = server(&ca, &["db.example.com"], false);
    // No CA given: encrypted, certificate unchecked (as libpq).
    assert!(encrypted(&url(&pg, "127.0.0.1", "sslmode=require")));
    assert!(encrypted(&url(&pg, "127.0.0.1", "sslmode=prefer")));
    // The default is prefer.
    assert!(encrypted(&pg.base_url()));
    assert!(!encrypted(&url(&pg, "127.0.0.1", "sslmode=disable")));
}

#[test]
fn a_server_without_tls_is_refused_unless_tls_is_optional() {
    let pg = Postgres::start();
    for mode in ["require", "verify-ca", "verify-full"] {
        let dir = tempfile::tempdir().unwrap();
        let root = Ca::new("smsdesk test CA").file(dir.path(), "ca.pem");
        let said = refused(&url(
            &pg,
            "127.0.0.1",
            &format!("sslmode={mode}&sslrootcert={}", root.display()),
        ));
        assert_eq!(
            said,
            format!("TLS: the server does not accept TLS, and sslmode={mode} does not fall back to an unencrypted connection")
        );
    }
    // prefer takes the server's no (anyone on the path could say it).
    assert!(!encrypted(&url(&pg, "127.0.0.1", "sslmode=prefer")));
}

#[test]
fn a_server_that_wants_tls_refuses_disable() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("smsdesk test CA");
    let pg = server(&ca, &["127.0.0.1"], true);
    let said = refused(&url(&pg, "127.0.0.1", "sslmode=disable"));
    assert!(
        said.contains("no pg_hba.conf entry") && said.contains("no encryption"),
        "{said}"
    );
    let root = ca.file(dir.path(), "ca.pem");
    assert!(encrypted(&url(
        &pg,
        "127.0.0.1",
        &format!("sslmode=verify-full&sslrootcert={}", root.display())
    )));
}

#[test]
fn the_store_works_over_verify_full() {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::new("smsdesk test CA");
    let pg = server(&ca, &["localhost"], true);
    let root = ca.file(dir.path(), "ca.pem");
    let tls = format!("&sslmode=verify-full&sslrootcert={}", root.display());
    let url = pg.url("tls").replace("@127.0.0.1:", "@localhost:") + &tls;
    let store = PgStore::connect(&url).unwrap();
    let mut writes = WriteSet::default();
    writes.put(b"c/1".to_vec(), b"over TLS".to_vec());
    store.commit(&writes).unwrap();
    assert_eq!(store.get(b"c/1").unwrap(), Some(b"over TLS".to_vec()));
    // The blocking callers' connection too, in the store's schema.
    let conn = Conn::new(&url);
    let (ssl, rows): (bool, i64) = conn
        .with(|c| {
            let row = c.query_one(
                "SELECT (SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), (SELECT count(*) FROM smsdesk_kv)",
                &[],
            )?;
            Ok((row.get(0), row.get(1)))
        })
        .unwrap();
    assert!(ssl);
    assert_eq!(rows, 1);
    // A host the certificate does not name is refused by the store as by `open`.
    let error = PgStore::connect(&(pg.url("tls") + &tls)).unwrap_err().to_string();
    assert!(error.contains("not valid for host \"127.0.0.1\""), "{error}");
}
