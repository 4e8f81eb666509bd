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

/// Ports reserved by this process: each lock is held until it exits.
static HELD: std::sync::Mutex<Vec<std::fs::File>> = std::sync::Mutex::new(Vec::new());

/// The ports `free_port` picks from: below Linux's ephemeral range
/// (32768 and up), so no client connection takes one as its source port
/// between the pick and a server's bind.
const PORTS: std::ops::Range<u16> = 20_000..32_768;

/// A free loopback port that no other process of the test run gets while
/// this one lives. Tests run four at a time, each picking ports for servers
/// it starts later: a port a kernel hands out with `bind(0)` and takes back
/// may be handed to another test before the first one's server binds it.
/// Here a port is reserved with a lock on a file in the temporary
/// directory, held until this process exits (the kernel releases it
/// then, whatever the exit).
pub fn free_port() -> u16 {
    let dir = std::env::temp_dir().join("smsdesk-test-ports");
    std::fs::create_dir_all(&dir).unwrap();
    let span = u32::from(PORTS.end - PORTS.start);
    let seed = std::process::id().wrapping_mul(2_654_435_761)
        ^ std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
    for i in 0..span {
        // A stride prime to the span visits every port once.
        let offset = (seed.wrapping_add(i.wrapping_mul(7_919))) % span;
        let port = PORTS.start + u16::try_from(offset).unwrap();
        let Ok(file) = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(format!("{port}.lock")))
        else {
            continue;
        };
        if file.try_lock().is_err() {
            continue;
        }
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            HELD.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(file);
            return port;
        }
    }
    panic!("no free loopback port in {PORTS:?}");
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

#[cfg(test)]
mod tests {
    #[test]
    fn a_reserved_port_is_not_given_twice_and_is_free() {
        let (a, b) = (super::free_port(), super::free_port());
        assert_ne!(a, b);
        for port in [a, b] {
            assert!(super::PORTS.contains(&port));
            std::net::TcpListener::bind(("127.0.0.1", port)).expect("the port is free");
        }
        // Another process cannot take them: the lock files are locked.
        let dir = std::env::temp_dir().join("smsdesk-test-ports");
        let held = std::fs::File::open(dir.join(format!("{a}.lock"))).expect("lock file");
        assert!(held.try_lock().is_err(), "the reservation is not held");
    }
}
