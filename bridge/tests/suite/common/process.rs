//! Processes the tests start: each carries `MARK=<this run>` in its
//! environment, so that the test command can check, after the suite, that
//! none of this run's was left running (`scripts/test.sh`); and each is
//! stopped by its owner's `Drop`.

use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// Set in the environment of every process a test starts, to `mark()`.
pub const MARK: &str = "SMSDESK_TEST_CHILD";

/// This run's mark: `SMSDESK_TEST_RUN` (set by `scripts/test.sh`, so its
/// check finds this run's processes only), or `1`.
pub fn mark() -> String {
    std::env::var("SMSDESK_TEST_RUN").unwrap_or_else(|_| "1".to_owned())
}

/// SIGTERM, then SIGKILL after 10 s; returns once the process is gone.
pub fn terminate(pid: u32) {
    let alive = || std::path::Path::new(&format!("/proc/{pid}")).exists() && !zombie(pid);
    let _ = Command::new("kill").args(["-TERM", &pid.to_string()]).status();
    let deadline = Instant::now() + Duration::from_secs(10);
    while alive() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    if alive() {
        let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
        while alive() && Instant::now() < deadline + Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn zombie(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| s.rsplit(')').next().map(|rest| rest.trim_start().starts_with('Z')))
        .unwrap_or(false)
}

/// Stops a child of the test: SIGTERM and wait (a clean stop), SIGKILL if
/// it does not stop within 15 s.
pub fn stop_child(child: &mut Child) {
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        if matches!(child.try_wait(), Ok(Some(_))) {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    kill_child(child);
}

/// SIGKILL: the process dies at once.
pub fn kill_child(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// Waits (up to `limit`) until something listens on 127.0.0.1:`port`;
/// panics with `what` if `child` exits first or time runs out.
pub fn wait_listening(child: &mut Child, port: u16, limit: Duration, what: &str) {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited during start: {status}");
        }
        std::thread::sleep(Duration::from_millis(30));
    }
    panic!("{what} did not listen on {port} within {limit:?}");
}
