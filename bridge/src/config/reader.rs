//! Reading the config's TOML by key path: every mistake is collected (with
//! the file, the dotted key and the reason) instead of stopping at the
//! first, `${ENV}` is substituted, durations are parsed ("30s", "2m").
//! The section readers (`storage`, `http`, `matrix`, …) are built on this;
//! it knows no section itself.
//!
//! Parsing walks a `toml::Value` by hand rather than deriving `Deserialize`,
//! because serde stops at the first error and we want them all.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

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

/// Walks one config file, collecting every mistake.
pub struct Reader<'a> {
    pub file: PathBuf,
    /// Relative paths are resolved against this (the config file's directory).
    pub base: PathBuf,
    pub env: &'a dyn Fn(&str) -> Option<String>,
    pub errors: Vec<ConfigError>,
}

pub fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

pub fn type_name(v: &Value) -> &'static str {
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

/// Why a text is not a duration (the text as given).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BadDuration {
    #[error("{0:?} is not a duration; write e.g. \"30s\", \"2m\", \"500ms\"")]
    NotANumber(String),
    #[error("{0:?} is too long a duration")]
    TooLong(String),
    #[error("{text:?} has no unit; write e.g. \"{n}s\"")]
    NoUnit { text: String, n: u64 },
    #[error("{text:?}: unknown unit {unit:?}; use ms, s, m, h or d")]
    UnknownUnit { text: String, unit: String },
}

/// Parses "500ms", "30s", "2m", "1h", "400d".
pub fn parse_duration(text: &str) -> Result<Duration, BadDuration> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num.parse().map_err(|_| BadDuration::NotANumber(text.to_owned()))?;
    let too_long = || BadDuration::TooLong(text.to_owned());
    let d = match unit.trim() {
        "ms" => Duration::from_millis(n),
        "s" => Duration::from_secs(n),
        "m" | "min" => Duration::from_secs(n.checked_mul(60).ok_or_else(too_long)?),
        "h" => Duration::from_secs(n.checked_mul(3600).ok_or_else(too_long)?),
        "d" => Duration::from_secs(n.checked_mul(86_400).ok_or_else(too_long)?),
        "" => {
            return Err(BadDuration::NoUnit {
                text: text.to_owned(),
                n,
            })
        }
        other => {
            return Err(BadDuration::UnknownUnit {
                text: text.to_owned(),
                unit: other.to_owned(),
            })
        }
    };
    Ok(d)
}

pub fn is_secret_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["token", "secret", "password", "key"].iter().any(|w| n.contains(w))
}

impl std::fmt::Debug for Reader<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reader")
            .field("file", &self.file)
            .field("errors", &self.errors)
            .finish()
    }
}

impl Reader<'_> {
    pub fn err(&mut self, key: &str, message: impl Into<String>) {
        self.errors.push(ConfigError {
            file: self.file.clone(),
            key: key.to_owned(),
            message: message.into(),
        });
    }

    /// The table at `path`, reporting keys not in `known`.
    pub fn table<'v>(&mut self, v: &'v Value, path: &str, known: &[&str]) -> Option<&'v toml::Table> {
        let Value::Table(t) = v else {
            self.err(path, format!("expected a table, found {}", type_name(v)));
            return None;
        };
        for k in t.keys() {
            if known.contains(&k.as_str()) {
                continue;
            }
            let message = format!("unknown key; expected one of: {}", known.join(", "));
            self.err(&join(path, k), message);
        }
        Some(t)
    }

    /// A string with `${ENV}` substituted; `from_env` tells if any was.
    pub fn string_env(&mut self, t: &toml::Table, path: &str, key: &str, required: bool) -> Option<(String, bool)> {
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

    /// An optional `true`/`false`.
    pub fn boolean(&mut self, t: &toml::Table, path: &str, key: &str) -> Option<bool> {
        match t.get(key)? {
            Value::Boolean(b) => Some(*b),
            other => {
                self.err(
                    &join(path, key),
                    format!("expected true or false, found {}", type_name(other)),
                );
                None
            }
        }
    }

    pub fn string(&mut self, t: &toml::Table, path: &str, key: &str, required: bool) -> Option<String> {
        self.string_env(t, path, key, required).map(|(s, _)| s)
    }

    pub fn substitute(&mut self, key: &str, s: &str) -> Option<(String, bool)> {
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

    pub fn strings(&mut self, t: &toml::Table, path: &str, key: &str) -> Vec<String> {
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

    pub fn duration(&mut self, t: &toml::Table, path: &str, key: &str, off_allowed: bool) -> Option<Option<Duration>> {
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
                self.err(
                    &full,
                    if off_allowed {
                        format!("{e}, or \"off\"")
                    } else {
                        e.to_string()
                    },
                );
                None
            }
        }
    }

    /// A table of plugin settings (`router_settings`, `intake_config`):
    /// strings and integers, as strings.
    pub fn settings(&mut self, t: &toml::Table, path: &str, key: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let Some(value) = t.get(key) else {
            return out;
        };
        let full = join(path, key);
        match value {
            Value::Table(table) => {
                for (k, v) in table {
                    match v {
                        Value::String(s) => out.push((k.clone(), s.clone())),
                        Value::Integer(n) => out.push((k.clone(), n.to_string())),
                        other => self.err(
                            &join(&full, k),
                            format!("expected a string or integer, found {}", type_name(other)),
                        ),
                    }
                }
            }
            other => self.err(&full, format!("expected a table, found {}", type_name(other))),
        }
        out
    }

    pub fn integer(&mut self, t: &toml::Table, path: &str, key: &str, min: i64) -> Option<i64> {
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

    pub fn path_of(&mut self, key: &str, s: &str, must_exist: bool) -> PathBuf {
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

    pub fn array_of_tables<'v>(&mut self, root: &'v toml::Table, key: &str) -> Vec<(String, &'v Value)> {
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
}
