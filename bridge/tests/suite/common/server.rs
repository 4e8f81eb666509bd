//! A real `smsdesk run` process on 127.0.0.1, black box: written config,
//! started, stopped (SIGTERM) or killed (SIGKILL); killed on drop, also
//! when the test fails.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::config::{server_config, MatrixLogin};
use super::{free_port, log_filter, process, TOKEN};

pub struct Server {
    pub child: Option<Child>,
    pub port: u16,
    pub dir: PathBuf,
    pub config: PathBuf,
    /// Extra environment for the next `spawn` (e.g. a failpoint).
    pub env: Vec<(String, String)>,
    /// Extra arguments of `smsdesk run` for the next `spawn` (e.g. `--adopt-account`).
    pub args: Vec<String>,
    /// Where its log goes (standard error) from the next `spawn`; the
    /// test's own output if `None`.
    pub log: Option<PathBuf>,
}

impl Server {
    /// Writes a config into `dir` (storage in `dir/data/smsdesk`) and starts smsdesk.
    pub fn start(dir: &Path) -> Self {
        Self::start_with(dir, free_port(), "http://127.0.0.1:9")
    }

    /// Same, on `port`, sending SMS to the carrier API at `api_base`.
    pub fn start_with(dir: &Path, port: u16, api_base: &str) -> Self {
        Self::start_full(dir, port, api_base, None)
    }

    /// Same, with the Matrix bot logging in to `homeserver` as @smsdesk:localhost.
    pub fn start_with_matrix(dir: &Path, port: u16, api_base: &str, homeserver: &str) -> Self {
        Self::start_full(dir, port, api_base, Some((homeserver, "password = \"bot-password\"")))
    }

    /// Same, with the bot's credentials given as a config line (`password = …` or `access_token = …`).
    pub fn start_with_matrix_auth(dir: &Path, port: u16, api_base: &str, homeserver: &str, auth: &str) -> Self {
        Self::start_full(dir, port, api_base, Some((homeserver, auth)))
    }

    fn start_full(dir: &Path, port: u16, api_base: &str, matrix: MatrixLogin<'_>) -> Self {
        Self::start_with_config(dir, port, &server_config(port, api_base, matrix), None)
    }

    /// With this config text (which must listen on `port`), logging to `log`.
    pub fn start_with_config(dir: &Path, port: u16, text: &str, log: Option<PathBuf>) -> Self {
        let config = dir.join("smsdesk.toml");
        std::fs::write(&config, text).expect("writing the config");
        let mut s = Self {
            child: None,
            port,
            dir: dir.to_owned(),
            config,
            env: Vec::new(),
            args: Vec::new(),
            log,
        };
        s.spawn();
        s
    }

    pub fn spawn(&mut self) {
        // The tests' databases start empty: a PostgreSQL config starts
        // with --init (harmless on a database that has a store).
        let postgres = std::fs::read_to_string(&self.config).is_ok_and(|c| c.contains("backend = \"postgres\""));
        let mut child = Command::new(super::bin())
            .args(["run", "--config"])
            .arg(&self.config)
            .args(postgres.then_some("--init"))
            .args(&self.args)
            .env("SMSDESK_TEST_TOKEN", TOKEN)
            .env("SMSDESK_LOG", log_filter())
            .env(process::MARK, process::mark())
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::null())
            .stderr(match &self.log {
                Some(path) => Stdio::from(std::fs::File::create(path).expect("log file")),
                None => Stdio::inherit(),
            })
            .spawn()
            .expect("starting smsdesk");
        process::wait_listening(&mut child, self.port, Duration::from_secs(30), "smsdesk");
        self.child = Some(child);
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// SIGTERM and wait: a clean stop.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            process::stop_child(&mut child);
        }
    }

    /// SIGKILL: the process dies at once.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            process::kill_child(&mut child);
        }
    }

    /// Waits (up to `limit`) for the process to end by itself; its exit code.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<i32> {
        let child = self.child.as_mut()?;
        let deadline = std::time::Instant::now() + limit;
        while std::time::Instant::now() < deadline {
            if let Ok(Some(status)) = child.try_wait() {
                self.child = None;
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    pub fn storage(&self) -> PathBuf {
        self.dir.join("data/smsdesk")
    }

    pub fn dead_letters(&self) -> Vec<PathBuf> {
        std::fs::read_dir(self.storage().join("dead-letters"))
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill9();
    }
}
