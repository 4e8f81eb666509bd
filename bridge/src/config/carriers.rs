//! `[[carriers]]`: each carrier's plugin, the hosts it may send to, and its
//! `[carriers.config]`, split into plain settings (handed to the plugin)
//! and secrets (kept in the host, used by name only, never logged).

use std::path::PathBuf;

use smsdesk_core::CarrierName;
use toml::Value;

use super::reader::{is_secret_name, join, type_name, Reader};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CarrierConfig {
    /// Where it is defined, e.g. `carriers[0]` (for messages).
    pub key: String,
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

pub fn read(r: &mut Reader, root: &toml::Table) -> Vec<CarrierConfig> {
    let mut carriers = Vec::new();
    for (path, v) in r.array_of_tables(root, "carriers") {
        let Some(t) = r.table(v, &path, &["name", "plugin", "allowed_hosts", "config"]) else {
            continue;
        };
        let name = r.string(t, &path, "name", true);
        let plugin = r
            .string(t, &path, "plugin", true)
            .map(|s| r.path_of(&join(&path, "plugin"), &s, true));
        let allowed_hosts = r.strings(t, &path, "allowed_hosts");
        if t.get("allowed_hosts").is_none() {
            r.err(
                &join(&path, "allowed_hosts"),
                "missing: list the hosts this carrier may send to, e.g. [\"api.twilio.com\"]",
            );
        }
        let (settings, secrets) = settings(r, t, &path);
        if let (Some(name), Some(plugin)) = (name, plugin) {
            if carriers.iter().any(|c: &CarrierConfig| c.name.as_str() == name) {
                r.err(&join(&path, "name"), format!("carrier {name:?} is defined twice"));
                continue;
            }
            carriers.push(CarrierConfig {
                key: path,
                name: CarrierName::new(name),
                plugin,
                allowed_hosts,
                settings,
                secrets,
            });
        }
    }
    carriers
}

type Pairs = Vec<(String, String)>;

/// `[carriers.config]` as (settings, secrets).
fn settings(r: &mut Reader, t: &toml::Table, path: &str) -> (Pairs, Pairs) {
    let (mut settings, mut secrets) = (Vec::new(), Vec::new());
    let Some(cv) = t.get("config") else {
        return (settings, secrets);
    };
    let cpath = join(path, "config");
    let Value::Table(ct) = cv else {
        r.err(&cpath, format!("expected a table, found {}", type_name(cv)));
        return (settings, secrets);
    };
    for (k, v) in ct {
        let key = join(&cpath, k);
        let value = match v {
            Value::String(s) => r.substitute(&key, s),
            Value::Integer(n) => Some((n.to_string(), false)),
            Value::Float(n) => Some((n.to_string(), false)),
            Value::Boolean(b) => Some((b.to_string(), false)),
            other => {
                r.err(&key, format!("expected a string or number, found {}", type_name(other)));
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
    (settings, secrets)
}
