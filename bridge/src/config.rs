//! The TOML config file (PRODUCT.md §8): parsing, `${ENV}` substitution,
//! durations, and validation that reports every mistake at once, each with
//! the file, the key and the reason. `smsdesk check-config` prints these;
//! `smsdesk run` refuses to start with the same messages.
//!
//! Relative paths (storage, plugins) are resolved against the directory of
//! the config file, so `smsdesk run --config /etc/smsdesk/smsdesk.toml`
//! works from anywhere.
//!
//! Parsing walks a `toml::Value` by hand rather than deriving `Deserialize`,
//! because serde stops at the first error and we want them all.

use std::collections::BTreeSet;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use smsdesk_core::setup::{AgentSetup, EntryKind, EntryPoint, QueueSetup, Setup, DEFAULT_OFFER_TIMEOUT};
use smsdesk_core::{CarrierName, EntryNumber, QueueName};
use toml::Value;

/// One mistake in the config file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub file: PathBuf,
    /// Dotted key path, e.g. `queues[1].offer_timeout`; empty for the whole file.
    pub key: String,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.key.is_empty() {
            write!(f, "{}: {}", self.file.display(), self.message)
        } else {
            write!(f, "{}: {}: {}", self.file.display(), self.key, self.message)
        }
    }
}

/// Every problem found, in file order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        writeln!(f, "{n} problem{} in the config:", if n == 1 { "" } else { "s" })?;
        for e in &self.0 {
            writeln!(f, "  {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MatrixAuth {
    Password(String),
    AccessToken(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatrixConfig {
    pub homeserver: String,
    pub user: String,
    pub auth: MatrixAuth,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CarrierConfig {
    pub name: CarrierName,
    pub plugin: PathBuf,
    /// The only hosts outbound HTTP for this carrier may reach.
    pub allowed_hosts: Vec<String>,
    /// Non-secret `[carriers.config]` entries, handed to the plugin.
    pub settings: Vec<(String, String)>,
    /// Secret entries (names with token/secret/password/key, or values from
    /// `${ENV}`): kept in the host, reachable by name only, never logged.
    pub secrets: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RouterChoice {
    LongestAvailable,
    Plugin(PathBuf),
}

#[derive(Clone, Debug, PartialEq)]
pub struct QueueConfig {
    pub setup: QueueSetup,
    pub router: RouterChoice,
    pub router_settings: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EntryPointConfig {
    pub entry: EntryPoint,
    /// Outbound messages per second from this number.
    pub send_rate: f64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginLimitsConfig {
    pub cpu_budget: Duration,
    pub memory_mib: usize,
    pub cache_dir: Option<PathBuf>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub file: PathBuf,
    pub storage: PathBuf,
    pub listen: SocketAddr,
    pub public_url: String,
    pub max_body: usize,
    pub matrix: Option<MatrixConfig>,
    pub carriers: Vec<CarrierConfig>,
    pub entry_points: Vec<EntryPointConfig>,
    pub queues: Vec<QueueConfig>,
    pub idle_codes: Vec<String>,
    pub roster: Vec<AgentSetup>,
    pub plugins: PluginLimitsConfig,
}

pub const DEFAULT_MAX_BODY: usize = 64 * 1024;

/// Default send rates by kind (messages per second): carriers limit long
/// codes to about 1/s and toll-free numbers to about 3/s.
pub fn default_send_rate(kind: EntryKind) -> f64 {
    match kind {
        EntryKind::LongCode => 1.0,
        EntryKind::TollFree => 3.0,
        EntryKind::ShortCode => 30.0,
    }
}

impl Config {
    /// The engine's view of this config.
    pub fn setup(&self) -> Setup {
        let mut setup = Setup {
            idle_codes: self.idle_codes.clone(),
            ..Setup::default()
        };
        for q in &self.queues {
            setup = setup.with_queue(q.setup.clone());
        }
        for e in &self.entry_points {
            setup = setup.with_entry_point(e.entry.clone());
        }
        for a in &self.roster {
            setup = setup.with_agent(a.clone());
        }
        setup
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
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut p = Parser {
            file: path.to_owned(),
            base,
            env,
            errors: Vec::new(),
        };
        let config = p.config(&value);
        if p.errors.is_empty() {
            if let Some(config) = config {
                return Ok(config);
            }
        }
        Err(ConfigErrors(p.errors))
    }
}

struct Parser<'a> {
    file: PathBuf,
    base: PathBuf,
    env: &'a dyn Fn(&str) -> Option<String>,
    errors: Vec<ConfigError>,
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a number",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a date",
        Value::Array(_) => "an array",
        Value::Table(_) => "a table",
    }
}

/// Parses "500ms", "30s", "2m", "1h".
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("{text:?} is not a duration; write e.g. \"30s\", \"2m\", \"500ms\""))?;
    let d = match unit.trim() {
        "ms" => Duration::from_millis(n),
        "s" => Duration::from_secs(n),
        "m" | "min" => Duration::from_secs(n * 60),
        "h" => Duration::from_secs(n * 3600),
        "" => return Err(format!("{text:?} has no unit; write e.g. \"{n}s\"")),
        other => return Err(format!("{text:?}: unknown unit {other:?}; use ms, s, m or h")),
    };
    Ok(d)
}

fn is_secret_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["token", "secret", "password", "key"].iter().any(|w| n.contains(w))
}

impl Parser<'_> {
    fn err(&mut self, key: &str, message: impl Into<String>) {
        self.errors.push(ConfigError {
            file: self.file.clone(),
            key: key.to_owned(),
            message: message.into(),
        });
    }

    /// The table at `path`, reporting keys not in `known`.
    fn table<'v>(&mut self, v: &'v Value, path: &str, known: &[&str]) -> Option<&'v toml::Table> {
        let Value::Table(t) = v else {
            self.err(path, format!("expected a table, found {}", type_name(v)));
            return None;
        };
        for k in t.keys() {
            if !known.contains(&k.as_str()) {
                self.err(
                    &join(path, k),
                    format!("unknown key; expected one of: {}", known.join(", ")),
                );
            }
        }
        Some(t)
    }

    /// A string with `${ENV}` substituted; `from_env` tells if any was.
    fn string_env(&mut self, t: &toml::Table, path: &str, key: &str, required: bool) -> Option<(String, bool)> {
        let full = join(path, key);
        match t.get(key) {
            None => {
                if required {
                    self.err(&full, "missing (required)");
                }
                None
            }
            Some(Value::String(s)) => self.substitute(&full, s),
            Some(other) => {
                self.err(&full, format!("expected a string, found {}", type_name(other)));
                None
            }
        }
    }

    fn string(&mut self, t: &toml::Table, path: &str, key: &str, required: bool) -> Option<String> {
        self.string_env(t, path, key, required).map(|(s, _)| s)
    }

    fn substitute(&mut self, key: &str, s: &str) -> Option<(String, bool)> {
        let mut out = String::new();
        let mut rest = s;
        let mut from_env = false;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let Some(end) = rest[start..].find('}') else {
                self.err(key, "unclosed ${ in value");
                return None;
            };
            let name = &rest[start + 2..start + end];
            match (self.env)(name) {
                Some(v) => out.push_str(&v),
                None => {
                    self.err(key, format!("environment variable {name} is not set"));
                    return None;
                }
            }
            from_env = true;
            rest = &rest[start + end + 1..];
        }
        out.push_str(rest);
        Some((out, from_env))
    }

    fn strings(&mut self, t: &toml::Table, path: &str, key: &str) -> Vec<String> {
        let full = join(path, key);
        match t.get(key) {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| match v {
                    Value::String(s) => Some(s.clone()),
                    other => {
                        self.err(
                            &format!("{full}[{i}]"),
                            format!("expected a string, found {}", type_name(other)),
                        );
                        None
                    }
                })
                .collect(),
            Some(other) => {
                self.err(
                    &full,
                    format!("expected an array of strings, found {}", type_name(other)),
                );
                Vec::new()
            }
        }
    }

    fn duration(&mut self, t: &toml::Table, path: &str, key: &str, off_allowed: bool) -> Option<Option<Duration>> {
        let full = join(path, key);
        let s = self.string(t, path, key, false)?;
        if off_allowed && s.trim().eq_ignore_ascii_case("off") {
            return Some(None);
        }
        match parse_duration(&s) {
            Ok(d) if d.is_zero() => {
                self.err(&full, "must be more than zero");
                None
            }
            Ok(d) => Some(Some(d)),
            Err(e) => {
                self.err(&full, if off_allowed { format!("{e}, or \"off\"") } else { e });
                None
            }
        }
    }

    fn integer(&mut self, t: &toml::Table, path: &str, key: &str, min: i64) -> Option<i64> {
        let full = join(path, key);
        match t.get(key)? {
            Value::Integer(n) if *n >= min => Some(*n),
            Value::Integer(n) => {
                self.err(&full, format!("must be at least {min}, got {n}"));
                None
            }
            other => {
                self.err(&full, format!("expected an integer, found {}", type_name(other)));
                None
            }
        }
    }

    fn path_of(&mut self, key: &str, s: &str, must_exist: bool) -> PathBuf {
        let p = Path::new(s);
        let p = if p.is_absolute() {
            p.to_owned()
        } else {
            self.base.join(p)
        };
        if must_exist && !p.exists() {
            self.err(key, format!("file {} does not exist", p.display()));
        }
        p
    }

    fn array_of_tables<'v>(&mut self, root: &'v toml::Table, key: &str) -> Vec<(String, &'v Value)> {
        match root.get(key) {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("{key}[{i}]"), v))
                .collect(),
            Some(other) => {
                self.err(key, format!("expected [[{key}]] tables, found {}", type_name(other)));
                Vec::new()
            }
        }
    }

    fn config(&mut self, v: &Value) -> Option<Config> {
        let root = self.table(
            v,
            "",
            &[
                "storage",
                "http",
                "matrix",
                "carriers",
                "entry_points",
                "queues",
                "agents",
                "plugins",
            ],
        )?;

        // [storage]
        let storage = match root.get("storage") {
            Some(v) => self
                .table(v, "storage", &["path"])
                .and_then(|t| self.string(t, "storage", "path", true))
                .map(|s| self.path_of("storage.path", &s, false)),
            None => {
                self.err("storage", "missing [storage] table (with path = \"data/smsdesk\")");
                None
            }
        };

        // [http]
        let (mut listen, mut public_url, mut max_body) = (None, None, DEFAULT_MAX_BODY);
        match root.get("http") {
            Some(v) => {
                if let Some(t) = self.table(v, "http", &["listen", "public_url", "max_body"]) {
                    if let Some(s) = self.string(t, "http", "listen", true) {
                        match s.parse::<SocketAddr>() {
                            Ok(a) => listen = Some(a),
                            Err(_) => self.err(
                                "http.listen",
                                format!("{s:?} is not an address like \"127.0.0.1:8080\""),
                            ),
                        }
                    }
                    if let Some(s) = self.string(t, "http", "public_url", true) {
                        if s.starts_with("http://") || s.starts_with("https://") {
                            public_url = Some(s.trim_end_matches('/').to_owned());
                        } else {
                            self.err(
                                "http.public_url",
                                format!("{s:?} must start with https:// (or http://)"),
                            );
                        }
                    }
                    if let Some(n) = self.integer(t, "http", "max_body", 1024) {
                        max_body = usize::try_from(n).unwrap_or(DEFAULT_MAX_BODY);
                    }
                }
            }
            None => self.err("http", "missing [http] table (with listen and public_url)"),
        }

        // [matrix] (optional until the Matrix desk runs)
        let matrix = root.get("matrix").and_then(|v| {
            let t = self.table(v, "matrix", &["homeserver", "user", "password", "access_token"])?;
            let homeserver = self.string(t, "matrix", "homeserver", true);
            let user = self.string(t, "matrix", "user", true);
            if let Some(u) = &user {
                if !(u.starts_with('@') && u.contains(':')) {
                    self.err(
                        "matrix.user",
                        format!("{u:?} is not a Matrix user id like \"@smsdesk:example.com\""),
                    );
                }
            }
            let password = self.string(t, "matrix", "password", false);
            let token = self.string(t, "matrix", "access_token", false);
            let auth = match (password, token) {
                (Some(p), None) => Some(MatrixAuth::Password(p)),
                (None, Some(t)) => Some(MatrixAuth::AccessToken(t)),
                (Some(_), Some(_)) => {
                    self.err("matrix", "give password or access_token, not both");
                    None
                }
                (None, None) => {
                    self.err("matrix", "missing password or access_token");
                    None
                }
            };
            Some(MatrixConfig {
                homeserver: homeserver?,
                user: user?,
                auth: auth?,
            })
        });

        // [[carriers]]
        let mut carriers = Vec::new();
        for (path, v) in self.array_of_tables(root, "carriers") {
            let Some(t) = self.table(v, &path, &["name", "plugin", "allowed_hosts", "config"]) else {
                continue;
            };
            let name = self.string(t, &path, "name", true);
            let plugin = self
                .string(t, &path, "plugin", true)
                .map(|s| self.path_of(&join(&path, "plugin"), &s, true));
            let allowed_hosts = self.strings(t, &path, "allowed_hosts");
            if t.get("allowed_hosts").is_none() {
                self.err(
                    &join(&path, "allowed_hosts"),
                    "missing: list the hosts this carrier may send to, e.g. [\"api.twilio.com\"]",
                );
            }
            let (mut settings, mut secrets) = (Vec::new(), Vec::new());
            if let Some(cv) = t.get("config") {
                let cpath = join(&path, "config");
                if let Value::Table(ct) = cv {
                    for (k, v) in ct {
                        let key = join(&cpath, k);
                        let value = match v {
                            Value::String(s) => self.substitute(&key, s),
                            Value::Integer(n) => Some((n.to_string(), false)),
                            Value::Float(n) => Some((n.to_string(), false)),
                            Value::Boolean(b) => Some((b.to_string(), false)),
                            other => {
                                self.err(&key, format!("expected a string or number, found {}", type_name(other)));
                                None
                            }
                        };
                        if let Some((value, from_env)) = value {
                            if from_env || is_secret_name(k) {
                                secrets.push((k.clone(), value));
                            } else {
                                settings.push((k.clone(), value));
                            }
                        }
                    }
                } else {
                    self.err(&cpath, format!("expected a table, found {}", type_name(cv)));
                }
            }
            if let (Some(name), Some(plugin)) = (name, plugin) {
                carriers.push(CarrierConfig {
                    name: CarrierName::new(name),
                    plugin,
                    allowed_hosts,
                    settings,
                    secrets,
                });
            }
        }

        // [[queues]]
        let mut queues: Vec<QueueConfig> = Vec::new();
        for (path, v) in self.array_of_tables(root, "queues") {
            let Some(t) = self.table(
                v,
                &path,
                &[
                    "name",
                    "router",
                    "router_settings",
                    "offer_timeout",
                    "auto_wrapup",
                    "wrapup_reasons",
                ],
            ) else {
                continue;
            };
            let Some(name) = self.string(t, &path, "name", true) else {
                continue;
            };
            let mut setup = QueueSetup::new(&name);
            setup.offer_timeout = self
                .duration(t, &path, "offer_timeout", false)
                .flatten()
                .unwrap_or(DEFAULT_OFFER_TIMEOUT);
            setup.auto_wrapup = self.duration(t, &path, "auto_wrapup", true).flatten();
            setup.wrapup_reasons = self.strings(t, &path, "wrapup_reasons");
            let router = match self.string(t, &path, "router", false).as_deref() {
                None | Some("longest-available") => RouterChoice::LongestAvailable,
                Some(p) if p.ends_with(".wasm") => RouterChoice::Plugin(self.path_of(&join(&path, "router"), p, true)),
                Some(other) => {
                    self.err(
                        &join(&path, "router"),
                        format!("{other:?} is neither a built-in router (longest-available) nor a path to a .wasm router plugin"),
                    );
                    RouterChoice::LongestAvailable
                }
            };
            let mut router_settings = Vec::new();
            if let Some(rs) = t.get("router_settings") {
                let rpath = join(&path, "router_settings");
                match rs {
                    Value::Table(rt) => {
                        for (k, v) in rt {
                            match v {
                                Value::String(s) => router_settings.push((k.clone(), s.clone())),
                                Value::Integer(n) => router_settings.push((k.clone(), n.to_string())),
                                other => self.err(
                                    &join(&rpath, k),
                                    format!("expected a string or integer, found {}", type_name(other)),
                                ),
                            }
                        }
                    }
                    other => self.err(&rpath, format!("expected a table, found {}", type_name(other))),
                }
            }
            if queues.iter().any(|q| q.setup.name.as_str() == name) {
                self.err(&join(&path, "name"), format!("queue {name:?} is defined twice"));
                continue;
            }
            queues.push(QueueConfig {
                setup,
                router,
                router_settings,
            });
        }
        let queue_names: BTreeSet<String> = queues.iter().map(|q| q.setup.name.to_string()).collect();
        let known_queues = queue_names.iter().cloned().collect::<Vec<_>>().join(", ");

        // [[entry_points]]
        let carrier_names: BTreeSet<String> = carriers.iter().map(|c| c.name.to_string()).collect();
        let mut entry_points: Vec<EntryPointConfig> = Vec::new();
        for (path, v) in self.array_of_tables(root, "entry_points") {
            let Some(t) = self.table(v, &path, &["number", "kind", "carrier", "queue", "skills", "send_rate"]) else {
                continue;
            };
            let number = self
                .string(t, &path, "number", true)
                .and_then(|n| match EntryNumber::parse(&n) {
                    Ok(n) => Some(n),
                    Err(e) => {
                        self.err(&join(&path, "number"), e.to_string());
                        None
                    }
                });
            let kind = self.string(t, &path, "kind", true).and_then(|k| match k.as_str() {
                "long-code" => Some(EntryKind::LongCode),
                "short-code" => Some(EntryKind::ShortCode),
                "toll-free" => Some(EntryKind::TollFree),
                other => {
                    self.err(
                        &join(&path, "kind"),
                        format!("{other:?} is not one of long-code, short-code, toll-free"),
                    );
                    None
                }
            });
            if let (Some(n), Some(k)) = (&number, kind) {
                if n.is_short_code() != (k == EntryKind::ShortCode) {
                    self.err(
                        &join(&path, "kind"),
                        format!(
                            "{n} is {}, but kind is {}",
                            if n.is_short_code() {
                                "a short code"
                            } else {
                                "an E.164 number"
                            },
                            k.label()
                        ),
                    );
                }
            }
            let carrier = self.string(t, &path, "carrier", true);
            if let Some(c) = &carrier {
                if !carrier_names.contains(c) {
                    self.err(
                        &join(&path, "carrier"),
                        format!(
                            "unknown carrier {c:?}; carriers: {}",
                            carrier_names.iter().cloned().collect::<Vec<_>>().join(", ")
                        ),
                    );
                }
            }
            let queue = self.string(t, &path, "queue", true);
            if let Some(q) = &queue {
                if !queue_names.contains(q) {
                    self.err(
                        &join(&path, "queue"),
                        format!("unknown queue {q:?}; queues: {known_queues}"),
                    );
                }
            }
            let skills = self.strings(t, &path, "skills").into_iter().collect();
            let send_rate = match t.get("send_rate") {
                None => None,
                Some(Value::Float(f)) if *f > 0.0 => Some(*f),
                Some(Value::Integer(n)) if *n > 0 => Some(*n as f64),
                Some(other) => {
                    self.err(
                        &join(&path, "send_rate"),
                        format!(
                            "expected messages per second (a positive number), found {}",
                            match other {
                                Value::Float(_) | Value::Integer(_) => "zero or less",
                                v => type_name(v),
                            }
                        ),
                    );
                    None
                }
            };
            if let (Some(number), Some(kind), Some(carrier), Some(queue)) = (number, kind, carrier, queue) {
                if entry_points.iter().any(|e| e.entry.number == number) {
                    self.err(
                        &join(&path, "number"),
                        format!("entry number {number} is defined twice"),
                    );
                    continue;
                }
                entry_points.push(EntryPointConfig {
                    send_rate: send_rate.unwrap_or_else(|| default_send_rate(kind)),
                    entry: EntryPoint {
                        number,
                        kind,
                        carrier: CarrierName::new(carrier),
                        queue: QueueName::new(queue),
                        skills,
                    },
                });
            }
        }

        // [agents]
        let (mut idle_codes, mut roster) = (Vec::new(), Vec::new());
        if let Some(v) = root.get("agents") {
            if let Some(t) = self.table(v, "agents", &["idle_codes", "roster"]) {
                idle_codes = self.strings(t, "agents", "idle_codes");
                for (path, v) in self
                    .array_of_tables(t, "roster")
                    .into_iter()
                    .map(|(p, v)| (format!("agents.{p}"), v))
                {
                    let Some(a) = self.table(v, &path, &["matrix_id", "name", "queues", "capacity", "skills"]) else {
                        continue;
                    };
                    let Some(id) = self.string(a, &path, "matrix_id", true) else {
                        continue;
                    };
                    if !(id.starts_with('@') && id.contains(':')) {
                        self.err(
                            &join(&path, "matrix_id"),
                            format!("{id:?} is not a Matrix user id like \"@alice:example.com\""),
                        );
                        continue;
                    }
                    let queues = self.strings(a, &path, "queues");
                    for (i, q) in queues.iter().enumerate() {
                        if !queue_names.contains(q) {
                            self.err(
                                &format!("{path}.queues[{i}]"),
                                format!("unknown queue {q:?}; queues: {known_queues}"),
                            );
                        }
                    }
                    let mut agent = AgentSetup::new(&id, &[]);
                    agent.queues = queues.iter().map(|q| QueueName::new(q.clone())).collect();
                    if let Some(name) = self.string(a, &path, "name", false) {
                        agent.name = name;
                    }
                    if let Some(c) = self.integer(a, &path, "capacity", 1) {
                        agent.capacity = u32::try_from(c).unwrap_or(u32::MAX);
                    }
                    agent.skills = self.strings(a, &path, "skills").into_iter().collect();
                    if roster.iter().any(|r: &AgentSetup| r.id == agent.id) {
                        self.err(&join(&path, "matrix_id"), format!("agent {id} is listed twice"));
                        continue;
                    }
                    roster.push(agent);
                }
            }
        }

        // [plugins] (optional)
        let mut plugins = PluginLimitsConfig {
            cpu_budget: Duration::from_millis(100),
            memory_mib: 64,
            cache_dir: None,
        };
        if let Some(v) = root.get("plugins") {
            if let Some(t) = self.table(v, "plugins", &["cpu_budget", "memory_mib", "cache_dir"]) {
                if let Some(Some(d)) = self.duration(t, "plugins", "cpu_budget", false) {
                    plugins.cpu_budget = d;
                }
                if let Some(m) = self.integer(t, "plugins", "memory_mib", 1) {
                    plugins.memory_mib = usize::try_from(m).unwrap_or(64);
                }
                plugins.cache_dir = self
                    .string(t, "plugins", "cache_dir", false)
                    .map(|s| self.path_of("plugins.cache_dir", &s, false));
            }
        }

        // Routers see skills as a 64-bit set: more names would be ignored silently.
        let skills: std::collections::BTreeSet<&String> = entry_points
            .iter()
            .flat_map(|e| &e.entry.skills)
            .chain(roster.iter().flat_map(|a| &a.skills))
            .collect();
        if skills.len() > smsdesk_plugins::router::MAX_SKILLS {
            self.err(
                "skills",
                format!(
                    "{} different skill names are used (entry_points and agents.roster); routing supports at most {}",
                    skills.len(),
                    smsdesk_plugins::router::MAX_SKILLS
                ),
            );
        }

        Some(Config {
            file: self.file.clone(),
            storage: storage?,
            listen: listen?,
            public_url: public_url?,
            max_body,
            matrix,
            carriers,
            entry_points,
            queues,
            idle_codes,
            roster,
            plugins,
        })
    }
}
