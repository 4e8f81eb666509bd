//! For tests and benchmarks (this crate's, the engine's and the binary's):
//! a throwaway PostgreSQL from `scripts/postgres.sh`, started on a free
//! loopback port and destroyed on drop (also when a test fails). Panics
//! when it cannot start: a test without its server cannot say anything.
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

    /// The database's URL (tables in the default schema).
    pub fn base_url(&self) -> String {
        format!("postgres://smsdesk:smsdesk@127.0.0.1:{}/smsdesk", self.port)
    }

    /// The database's URL, with tables in `schema` (created if missing),
    /// so one server holds several independent stores.
    pub fn url(&self, schema: &str) -> String {
        let base = self.base_url();
        let mut client = postgres::Client::connect(&base, postgres::NoTls).unwrap();
        client
            .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
            .unwrap();
        format!("{base}?options=-csearch_path%3D{schema}")
    }

    /// A crash: no checkpoint, no goodbye to the clients.
    pub fn crash(&self) {
        run(&["stop", &self.data, "immediate"]);
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
