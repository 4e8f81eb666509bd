//! For tests and benchmarks (this crate's, the engine's and the binary's):
//! a throwaway PostgreSQL from `scripts/postgres.sh`, started on a free
//! loopback port and destroyed on drop (also when a test fails). Panics
//! when it cannot start: a test without its server cannot say anything.
//! `start_tls` starts one that speaks TLS with a given certificate.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::missing_panics_doc)]

use std::path::PathBuf;
use std::process::Command;

#[derive(Debug)]
pub struct Postgres {
    pub data: String,
    pub port: u16,
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/postgres.sh")
}

fn run(args: &[&str]) -> String {
    let out = Command::new("bash")
        .arg(script())
        .args(args)
        .output()
        .expect("scripts/postgres.sh");
    assert!(
        out.status.success(),
        "postgres.sh {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Postgres {
    pub fn start() -> Self {
        let port = free_port();
        let data = run(&["start", &port.to_string()]);
        Self { data, port }
    }

    /// A server with `ssl = on`, showing the certificate `cert_pem` (with
    /// its chain, if any) for the key `key_pem`. With `only_tls`, its
    /// `pg_hba.conf` has `hostssl` lines only: it refuses clear TCP.
    pub fn start_tls(cert_pem: &str, key_pem: &str, only_tls: bool) -> Self {
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("smsdesk-pg-tls.{}.{port}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("server.crt"), cert_pem).unwrap();
        std::fs::write(dir.join("server.key"), key_pem).unwrap();
        let (port_arg, dir_arg) = (port.to_string(), dir.to_string_lossy().into_owned());
        let mut args = vec!["start", port_arg.as_str(), dir_arg.as_str()];
        if only_tls {
            args.push("hostssl");
        }
        let started = std::panic::catch_unwind(|| run(&args));
        let _ = std::fs::remove_dir_all(&dir);
        let data = started.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        Self { data, port }
    }

    /// The database's URL (tables in the default schema).
    pub fn base_url(&self) -> String {
        format!("postgres://smsdesk:smsdesk@127.0.0.1:{}/smsdesk", self.port)
    }

    /// The database's URL, with tables in `schema` (created if missing),
    /// so one server holds several independent stores.
    pub fn url(&self, schema: &str) -> String {
        let base = self.base_url();
        // `prefer`: over TLS on a server that has it.
        let mut client = crate::conn::open(&base).unwrap();
        client
            .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
            .unwrap();
        format!("{base}?options=-csearch_path%3D{schema}")
    }

    /// A crash: no checkpoint, no goodbye to the clients.
    pub fn crash(&self) {
        run(&["stop", &self.data, "immediate"]);
    }

    /// A clean stop (`pg_ctl stop -m fast`: clients are told goodbye).
    pub fn stop(&self) {
        run(&["stop", &self.data, "fast"]);
    }

    pub fn restart(&self) {
        run(&["restart", &self.data]);
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(script())
            .args(["destroy", &self.data])
            .output();
    }
}
