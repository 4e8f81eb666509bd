//! `[[carriers]]`: each carrier's plugin, the hosts it may send to, and its
//! `[carriers.config]`, split into plain settings (handed to the plugin)
//! and secrets (kept in the host, used by name only, never logged). A
//! `[carriers.config]` entry is a secret when its name says so (token,
//! secret, password, key); any other can be made one by writing it under
//! `[carriers.secrets]`. Where a value comes from (`${ENV}` or the file)
//! does not decide it: a plugin must be able to read an account id taken
//! from the environment.

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
    /// Secret entries (`[carriers.config]` names with token/secret/password/key,
    /// and every `[carriers.secrets]` entry): kept in the host, reachable by
    /// name only, never logged.
    pub secrets: Vec<(String, String)>,
    /// `media_auth`: how to sign in when fetching a customer's pictures
    /// (MMS) from the carrier; `None` when its media URLs are public.
    pub media_auth: Option<MediaAuth>,
}

/// `media_auth`: credentials for the carrier's media URLs, named by their
/// `[carriers.config]` entries so a secret is written only once.
/// `media_auth = ["account_sid", "auth_token"]` is HTTP basic (Twilio with
/// "HTTP basic authentication for media" on); `media_auth = "api_key"` is
/// `Authorization: Bearer`.
#[derive(Clone, PartialEq, Eq)]
pub enum MediaAuth {
    Basic { user: String, password: String },
    Bearer(String),
}

impl std::fmt::Debug for MediaAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Values are secrets: never printed.
        f.write_str(match self {
            Self::Basic { .. } => "MediaAuth::Basic(..)",
            Self::Bearer(_) => "MediaAuth::Bearer(..)",
        })
    }
}

/// A host not in a carrier's `allowed_hosts`; shows as the host.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct HostNotAllowed(pub String);

impl CarrierConfig {
    /// Whether outbound HTTP may go to `url`; the refused host otherwise.
    /// Checked by `check-config` on the plugin's dry run and by the outbox
    /// on every send.
    pub fn check_host(&self, url: &reqwest::Url) -> Result<(), HostNotAllowed> {
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        if self.allowed_hosts.iter().any(|h| h.eq_ignore_ascii_case(&host)) {
            Ok(())
        } else {
            Err(HostNotAllowed(host))
        }
    }
}

pub fn read(r: &mut Reader, root: &toml::Table) -> Vec<CarrierConfig> {
    let mut carriers = Vec::new();
    for (path, v) in r.array_of_tables(root, "carriers") {
        let Some(t) = r.table(
            v,
            &path,
            &["name", "plugin", "allowed_hosts", "config", "secrets", "media_auth"],
        ) else {
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
        let (settings, mut secrets) = entries(r, t, &path, "config");
        let (_, marked) = entries(r, t, &path, "secrets");
        for (k, _) in &marked {
            if settings.iter().chain(&secrets).any(|(n, _)| n == k) {
                r.err(
                    &join(&join(&path, "secrets"), k),
                    "also in [carriers.config]: give each entry once",
                );
            }
        }
        secrets.extend(marked);
        let media_auth = media_auth(r, t, &path, &settings, &secrets);
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
                media_auth,
            });
        }
    }
    carriers
}

type Pairs = Vec<(String, String)>;

/// `media_auth`: a config entry's name (bearer) or two (basic user and
/// password), each of which must be in `[carriers.config]` or `[carriers.secrets]`.
fn media_auth(r: &mut Reader, t: &toml::Table, path: &str, settings: &Pairs, secrets: &Pairs) -> Option<MediaAuth> {
    let v = t.get("media_auth")?;
    let key = join(path, "media_auth");
    let lookup = |r: &mut Reader, name: &str| {
        let found = settings
            .iter()
            .chain(secrets)
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone());
        if found.is_none() {
            r.err(
                &key,
                format!("{name:?} is not an entry of [carriers.config] or [carriers.secrets]: name the entry that holds the credential"),
            );
        }
        found
    };
    match v {
        Value::String(name) => lookup(r, name).map(MediaAuth::Bearer),
        Value::Array(a) => match a.as_slice() {
            [Value::String(u), Value::String(p)] => {
                let (user, password) = (lookup(r, u), lookup(r, p));
                Some(MediaAuth::Basic {
                    user: user?,
                    password: password?,
                })
            }
            _ => {
                r.err(
                    &key,
                    "expected two entry names for HTTP basic, e.g. [\"account_sid\", \"auth_token\"]",
                );
                None
            }
        },
        other => {
            r.err(
                &key,
                format!(
                    "expected an entry name (bearer, e.g. \"api_key\") or two (basic, e.g. [\"account_sid\", \"auth_token\"]), found {}",
                    type_name(other)
                ),
            );
            None
        }
    }
}

/// The `table` (`config` or `secrets`) as (settings, secrets): every entry
/// of `secrets` is a secret; one of `config` when its name says so.
fn entries(r: &mut Reader, t: &toml::Table, path: &str, table: &str) -> (Pairs, Pairs) {
    let (mut settings, mut secrets) = (Vec::new(), Vec::new());
    let Some(cv) = t.get(table) else {
        return (settings, secrets);
    };
    let cpath = join(path, table);
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
            if table == "secrets" || is_secret_name(k) {
                if value.trim().is_empty() {
                    // An empty token signs nothing: every webhook would be
                    // "bad signature" with nothing else to go on.
                    r.err(
                        &key,
                        if from_env {
                            "is empty: its environment variable is set but empty; give the secret's value"
                        } else {
                            "is empty: give the secret's value"
                        },
                    );
                    continue;
                }
                secrets.push((k.clone(), value));
            } else {
                settings.push((k.clone(), value));
            }
        }
    }
    (settings, secrets)
}
