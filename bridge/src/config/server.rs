//! `[storage]` and `[http]`: where smsdesk keeps everything, where it
//! listens, and the public URL carriers sign their webhooks against.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use smsdesk_engine::store::DEFAULT_CACHE_MIB;

use super::reader::Reader;
use super::DEFAULT_MAX_BODY;
use crate::storage::Backend;

/// The shortest `storage.retention`: a day's figures need the day's conversations.
const MIN_RETENTION: Duration = Duration::from_secs(86_400);

/// The largest `storage.cache_mib` accepted: more is a typo, not a plan.
const MAX_CACHE_MIB: i64 = 64 * 1024;

/// `storage.spool_mib` unless set: webhooks kept on this machine's disk
/// while the database is away (about a million SMS).
pub const DEFAULT_SPOOL_MIB: u64 = 256;
/// The largest `storage.spool_mib` accepted.
const MAX_SPOOL_MIB: i64 = 1024 * 1024;
/// `storage.dead_letters_max_mib` unless set: room for thousands of kept
/// requests, and still little on a small disk.
pub const DEFAULT_DEAD_LETTERS_MAX_MIB: u64 = 256;
/// The largest `storage.dead_letters_max_mib` accepted (1 TiB).
const MAX_DEAD_LETTERS_MIB: i64 = 1024 * 1024;

/// What `[storage]` says.
#[derive(Debug)]
pub struct Storage {
    /// `path`, resolved against the config file's directory.
    pub path: PathBuf,
    /// `retention`: closed conversations older than this are erased.
    pub retention: Option<Duration>,
    /// `dead_letters_max_mib`: the most kept requests may take, in MiB.
    pub dead_letters_max_mib: u64,
    /// `backend` with what belongs to it (`cache_mib`; `url`, `spool_mib`).
    pub backend: Backend,
}

pub fn storage(r: &mut Reader, root: &toml::Table) -> Option<Storage> {
    let Some(v) = root.get("storage") else {
        r.err("storage", "missing [storage] table (with path = \"data/smsdesk\")");
        return None;
    };
    let t = r.table(
        v,
        "storage",
        &[
            "path",
            "cache_mib",
            "backend",
            "retention",
            "url",
            "dead_letters_max_mib",
            "spool_mib",
        ],
    )?;
    let (postgres, database) = backend(r, t);
    let path = r
        .string(t, "storage", "path", true)
        .map(|s| r.path_of("storage.path", &s, false));
    let cache_mib = mib(r, t, "cache_mib", MAX_CACHE_MIB, DEFAULT_CACHE_MIB);
    let spool_mib = mib(r, t, "spool_mib", MAX_SPOOL_MIB, DEFAULT_SPOOL_MIB);
    if t.contains_key("spool_mib") && !postgres {
        r.err(
            "storage.spool_mib",
            "is for backend = \"postgres\" (webhooks kept on disk while the database is away); on one machine every webhook is committed before its answer",
        );
    }
    let dead_letters_max_mib = mib(
        r,
        t,
        "dead_letters_max_mib",
        MAX_DEAD_LETTERS_MIB,
        DEFAULT_DEAD_LETTERS_MAX_MIB,
    );
    let retention = r.duration(t, "storage", "retention", false).flatten();
    if retention.is_some_and(|d| d < MIN_RETENTION) {
        r.err(
            "storage.retention",
            "is less than a day; figures are for the day, so keep at least \"1d\"",
        );
    }
    let backend = if postgres {
        Backend::Postgres {
            url: database?,
            spool_mib,
            cache_mib,
        }
    } else {
        Backend::Sled { cache_mib }
    };
    Some(Storage {
        path: path?,
        retention,
        dead_letters_max_mib,
        backend,
    })
}

/// `storage.backend` and `storage.url`: whether it is PostgreSQL, and the
/// URL once checked (scheme, `sslmode`, `sslrootcert`).
fn backend(r: &mut Reader, t: &toml::Table) -> (bool, Option<String>) {
    let postgres = match r.string(t, "storage", "backend", false).as_deref() {
        None | Some("sled") => false,
        Some("postgres") => true,
        Some(other) => {
            r.err(
                "storage.backend",
                format!("{other:?} is not a storage backend; use \"sled\" (the default) or \"postgres\""),
            );
            false
        }
    };
    let url = r.string(t, "storage", "url", false);
    let database = match (postgres, url) {
        (true, Some(url)) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            // sslmode and sslrootcert: a known mode, a CA file that is there.
            match smsdesk_pgstore::tls::check(&url) {
                Ok(_) => Some(url),
                Err(error) => {
                    r.err("storage.url", error.to_string());
                    None
                }
            }
        }
        (true, Some(_)) => {
            r.err(
                "storage.url",
                "is not a PostgreSQL URL; expected postgres://user:password@host:port/database",
            );
            None
        }
        (true, None) => {
            r.err(
                "storage.url",
                "missing (required with backend = \"postgres\"), e.g. url = \"${SMSDESK_DATABASE_URL}\"",
            );
            None
        }
        (false, Some(_)) => {
            r.err(
                "storage.url",
                "is for backend = \"postgres\"; set the backend or remove it",
            );
            None
        }
        (false, None) => None,
    };
    (postgres, database)
}

/// A size in MiB under `storage`: at least 1, at most `max`, `default`
/// unless set (and after a mistake, which is reported).
fn mib(r: &mut Reader, t: &toml::Table, key: &str, max: i64, default: u64) -> u64 {
    match r.integer(t, "storage", key, 1) {
        Some(n) if n > max => {
            r.err(
                &format!("storage.{key}"),
                format!("{n} MiB is more than the {max} MiB allowed (the default is {default})"),
            );
            default
        }
        Some(n) => n.unsigned_abs(),
        None => default,
    }
}

/// What `[http]` says.
#[derive(Debug)]
pub struct Http {
    pub listen: Option<SocketAddr>,
    pub public_url: Option<String>,
    pub max_body: usize,
    /// `media_lifetime`: how long a picture an agent sends stays fetchable
    /// at its `/media/<token>` URL after each attempt to send it.
    pub media_lifetime: Duration,
}

/// `http.media_lifetime` unless set: long enough for any carrier to fetch.
pub const DEFAULT_MEDIA_LIFETIME: Duration = Duration::from_secs(3600);

pub fn http(r: &mut Reader, root: &toml::Table) -> Http {
    let mut out = Http {
        listen: None,
        public_url: None,
        max_body: DEFAULT_MAX_BODY,
        media_lifetime: DEFAULT_MEDIA_LIFETIME,
    };
    let Some(v) = root.get("http") else {
        r.err("http", "missing [http] table (with listen and public_url)");
        return out;
    };
    let Some(t) = r.table(v, "http", &["listen", "public_url", "max_body", "media_lifetime"]) else {
        return out;
    };
    if let Some(s) = r.string(t, "http", "listen", true) {
        match s.parse::<SocketAddr>() {
            Ok(a) => out.listen = Some(a),
            Err(_) => r.err(
                "http.listen",
                format!("{s:?} is not an address like \"127.0.0.1:8080\""),
            ),
        }
    }
    if let Some(s) = r.string(t, "http", "public_url", true) {
        if s.starts_with("http://") || s.starts_with("https://") {
            out.public_url = Some(s.trim_end_matches('/').to_owned());
        } else {
            r.err(
                "http.public_url",
                format!("{s:?} must start with https:// (or http://)"),
            );
        }
    }
    if let Some(n) = r.integer(t, "http", "max_body", 1024) {
        out.max_body = usize::try_from(n).unwrap_or(DEFAULT_MAX_BODY);
    }
    if let Some(Some(d)) = r.duration(t, "http", "media_lifetime", false) {
        out.media_lifetime = d;
    }
    out
}
