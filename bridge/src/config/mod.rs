//! The TOML config file (docs/configuration.md): the `Config` types and `load`.
//! Every mistake is reported at once, each with the file, the key and the
//! reason; `smsdesk check-config` prints these, `smsdesk run` refuses to
//! start with the same messages.
//!
//! - `reader`: walking keys, `${ENV}`, durations; collects the mistakes.
//! - one module per section: `server` (`[storage]`, `[http]`), `matrix`,
//!   `carriers`, `queues`, `entry_points`, `agents`, `plugins`;
//!   `automation`: `[compliance]` and each queue's hours and texts.
//! - `check`: references across sections, and plugin worlds.
//!
//! Relative paths (storage, plugins) are resolved against the directory of
//! the config file, so `smsdesk run --config /etc/smsdesk/smsdesk.toml`
//! works from anywhere.

pub mod agents;
pub mod automation;
pub mod canned;
pub mod carriers;
pub mod check;
pub mod desk;
pub mod dry_run;
pub mod entry_points;
pub mod language;
pub mod matrix;
pub mod plugins;
pub mod queues;
pub mod reader;
pub mod server;
pub mod supervisors;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use smsdesk_core::setup::Setup;
use smsdesk_core::AgentId;
use toml::Value;

pub use agents::AgentConfig;
pub use canned::CannedConfig;
pub use carriers::{CarrierConfig, MediaAuth};
pub use desk::DeskConfig;
pub use entry_points::{default_send_rate, EntryPointConfig};
pub use matrix::{AppserviceConfig, MatrixAuth, MatrixConfig, RecoveryKey};
pub use plugins::PluginLimitsConfig;
pub use queues::{QueueConfig, RouterChoice};
pub use reader::{parse_duration, ConfigError, ConfigErrors};
pub use supervisors::{SupervisorConfig, SupervisorSettings};

use reader::Reader;

pub const DEFAULT_MAX_BODY: usize = 64 * 1024;

#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub file: PathBuf,
    /// `storage.path`: everything smsdesk keeps lives under it (the engine's
    /// store at its root, `matrix/`, `dead-letters/`, `plugin-cache/`), so a
    /// backup is one copy.
    pub storage: PathBuf,
    pub listen: SocketAddr,
    pub public_url: String,
    pub max_body: usize,
    /// `http.media_lifetime`: see `server::Http::media_lifetime`.
    pub media_lifetime: std::time::Duration,
    pub matrix: Option<MatrixConfig>,
    pub carriers: Vec<CarrierConfig>,
    pub entry_points: Vec<EntryPointConfig>,
    pub queues: Vec<QueueConfig>,
    pub idle_codes: Vec<String>,
    pub roster: Vec<AgentConfig>,
    pub plugins: PluginLimitsConfig,
    pub compliance: smsdesk_core::setup::Compliance,
    /// `[[supervisors]]`: supervisor rooms and the queues each watches.
    pub supervisors: Vec<SupervisorConfig>,
    /// `[[canned]]`: canned replies (`!canned`, `!c <name>`).
    pub canned: Vec<CannedConfig>,
    /// `[desk]`: the agent desktop at `/desk`.
    pub desk: DeskConfig,
    /// `[supervisor]`: the wallboard's token, masking.
    pub supervisor: SupervisorSettings,
    /// `storage.retention`: closed conversations older than this are
    /// erased, and kept requests (dead letters) older than this deleted.
    pub retention: Option<std::time::Duration>,
    /// `storage.dead_letters_max_mib`: kept requests never take more; a
    /// request that would pass it is answered 503 (the carrier retries).
    pub dead_letters_max_mib: u64,
    /// `storage.backend`: sled on one machine, or the PostgreSQL database
    /// every instance with this config shares (see `storage::Backend`).
    pub backend: crate::storage::Backend,
}

const SECTIONS: &[&str] = &[
    "storage",
    "http",
    "matrix",
    "carriers",
    "entry_points",
    "queues",
    "agents",
    "plugins",
    "compliance",
    "supervisors",
    "supervisor",
    "canned",
    "desk",
];

impl Config {
    /// Queue `name`'s setup, if configured.
    pub fn queue(&self, name: &smsdesk_core::QueueName) -> Option<&smsdesk_core::setup::QueueSetup> {
        self.queues.iter().map(|q| &q.setup).find(|q| &q.name == name)
    }

    /// The engine's view of this config.
    pub fn setup(&self) -> Setup {
        let mut setup = Setup {
            idle_codes: self.idle_codes.clone(),
            compliance: self.compliance.clone(),
            ..Setup::default()
        };
        for q in &self.queues {
            setup = setup.with_queue(q.setup.clone());
        }
        for e in &self.entry_points {
            setup = setup.with_entry_point(e.entry.clone());
        }
        for a in &self.roster {
            setup = setup.with_agent(a.setup.clone());
        }
        setup
    }

    /// The roster agent with this id.
    /// The language smsdesk speaks to `user` (an agent or a supervisor):
    /// their own `language`, else `[matrix] language`, else English.
    pub fn lang_of(&self, user: &str) -> crate::i18n::Lang {
        self.own_lang(user).unwrap_or_else(|| self.default_lang())
    }

    /// `user`'s own `language` (a roster agent's or a supervisor's), if set.
    pub fn own_lang(&self, user: &str) -> Option<crate::i18n::Lang> {
        self.roster
            .iter()
            .find(|a| a.user.as_str() == user)
            .and_then(|a| a.language.clone())
            .or_else(|| {
                self.supervisors
                    .iter()
                    .find(|s| s.user.as_str() == user)
                    .and_then(|s| s.language.clone())
            })
    }

    /// `[matrix] language`, else English.
    pub fn default_lang(&self) -> crate::i18n::Lang {
        self.matrix.as_ref().map(|m| m.language.clone()).unwrap_or_default()
    }

    pub fn agent(&self, id: &AgentId) -> Option<&AgentConfig> {
        self.roster.iter().find(|a| a.id() == id)
    }

    /// The Matrix bot's own store (rooms, cursor, sync token, login).
    pub fn matrix_store_dir(&self) -> PathBuf {
        self.storage.join("matrix")
    }

    /// The most kept requests may take, in bytes.
    pub fn dead_letters_max_bytes(&self) -> u64 {
        self.dead_letters_max_mib.saturating_mul(1024 * 1024)
    }

    /// Raw webhook requests kept for replay.
    pub fn dead_letters_dir(&self) -> PathBuf {
        self.storage.join("dead-letters")
    }

    /// Compiled plugins: `[plugins] cache_dir`, or inside the storage.
    pub fn plugin_cache_dir(&self) -> PathBuf {
        self.plugins
            .cache_dir
            .clone()
            .unwrap_or_else(|| self.storage.join("plugin-cache"))
    }

    pub fn load(path: &Path) -> Result<Self, ConfigErrors> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            ConfigErrors(vec![ConfigError {
                file: path.to_owned(),
                key: String::new(),
                message: format!("cannot read the config file: {e}"),
            }])
        })?;
        Self::parse(path, &text, &|name| std::env::var(name).ok())
    }

    /// Parses `text` as if read from `path`; `env` looks up `${NAME}`.
    pub fn parse(path: &Path, text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigErrors> {
        let value: Value = match text.parse::<toml::Table>() {
            Ok(t) => Value::Table(t),
            Err(e) => {
                return Err(ConfigErrors(vec![ConfigError {
                    file: path.to_owned(),
                    key: String::new(),
                    message: format!("not valid TOML: {}", e.to_string().trim()),
                }]))
            }
        };
        let mut r = Reader {
            file: path.to_owned(),
            base: path.parent().map(Path::to_path_buf).unwrap_or_default(),
            env,
            errors: Vec::new(),
        };
        let config = read(&mut r, &value);
        match config {
            Some(config) if r.errors.is_empty() => Ok(config),
            _ => Err(ConfigErrors(r.errors)),
        }
    }
}

/// Every section, then the references between them.
fn read(r: &mut Reader, v: &Value) -> Option<Config> {
    let root = r.table(v, "", SECTIONS)?;
    let storage = server::storage(r, root);
    let http = server::http(r, root);
    let matrix = matrix::read(r, root);
    let carriers = carriers::read(r, root);
    let queues = queues::read(r, root);
    let entry_points = entry_points::read(r, root);
    let (idle_codes, roster) = agents::read(r, root);
    let plugins = plugins::read(r, root);
    let compliance = automation::compliance(r, root);
    let (supervisors, supervisor) = supervisors::read(r, root);
    check::supervisors(r, &supervisors, &queues);
    let canned = canned::read(r, root);
    let desk = desk::read(r, root);
    check::canned(r, &canned, &queues);
    automation::check_keyword_texts(r, &compliance, &entry_points);
    check::cross_references(r, &carriers, &queues, &entry_points, &roster);
    let storage = storage?;
    Some(Config {
        file: r.file.clone(),
        storage: storage.path,
        retention: storage.retention,
        dead_letters_max_mib: storage.dead_letters_max_mib,
        backend: storage.backend,
        listen: http.listen?,
        public_url: http.public_url?,
        max_body: http.max_body,
        media_lifetime: http.media_lifetime,
        matrix,
        carriers,
        entry_points,
        queues,
        idle_codes,
        roster,
        plugins,
        compliance,
        supervisors,
        supervisor,
        canned,
        desk,
    })
}
