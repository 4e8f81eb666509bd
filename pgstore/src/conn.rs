//! How smsdesk connects (`open`), and one connection made when first
//! needed and made again after it broke, for blocking callers (the
//! appservice inbox, attachments, the lease).
//!
//! `open` adds what the URL does not say: a connect timeout (5 s, so an
//! unreachable database fails a request rather than hold a thread for
//! the kernel's two minutes), TCP keepalives every 15 s and a 20 s TCP
//! user timeout (so a connection whose peer vanished is noticed in well
//! under a minute, idle or not, not after hours), a 5 s
//! `idle_in_transaction_session_timeout` (a frozen leader's open
//! transaction must not hold the lease row's lock for long), and
//! `application_name = smsdesk` (for `pg_stat_activity`).
//! It speaks TLS as libpq's `sslmode` and `sslrootcert` in the URL say
//! (`crate::tls`: `prefer` unless set; `verify-full` to know who answers),
//! and says why it could not (`OpenError`: the setting, the certificate).
//! The schema's migrations are applied on every new connection (a no-op
//! once applied), so any of them may be the first to reach a new
//! database. A `postgres` client must not be dropped on an async
//! runtime's thread (its drop blocks on a runtime of its own): the last
//! one is closed on a thread of its own.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use postgres::{Client, NoTls};

use crate::tls::{self, SslMode};

/// The kernel's default keepalive idle time, which `open` shortens.
const KERNEL_KEEPALIVE_IDLE: Duration = Duration::from_secs(2 * 3600);

/// Why `open` made no connection.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The URL's TLS settings: a bad `sslmode`, an unreadable `sslrootcert`.
    #[error(transparent)]
    Tls(#[from] tls::ConfigError),
    /// Anything after: the URL's other parts, the network, the TLS
    /// handshake, logging in, the first statement.
    #[error("{}", explain(.error, *.mode))]
    Connect { error: postgres::Error, mode: SslMode },
}

impl OpenError {
    /// The server refused us for good, as opposed to not answering: the
    /// login (wrong user or password: SQLSTATE class 28) or the database
    /// name (3D000), or the URL's TLS settings. Trying again changes
    /// nothing; the operator must fix `storage.url`.
    pub fn is_for_good(&self) -> bool {
        use postgres::error::SqlState;
        match self {
            Self::Tls(_) => true,
            Self::Connect { error, .. } => error
                .code()
                .is_some_and(|code| code.code().starts_with("28") || *code == SqlState::INVALID_CATALOG_NAME),
        }
    }
}

/// `describe`, with TLS failures in an operator's words.
fn explain(error: &postgres::Error, mode: SslMode) -> String {
    let source = std::error::Error::source(error);
    if let Some(handshake) = source.and_then(|s| s.downcast_ref::<tls::HandshakeError>()) {
        return format!("TLS: {handshake}");
    }
    // What `postgres` says when the server answers the TLS request with no.
    if source.is_some_and(|s| s.to_string() == "server does not support TLS") {
        return format!(
            "TLS: the server does not accept TLS, and sslmode={mode} does not fall back to an unencrypted connection"
        );
    }
    describe(error)
}

/// Connects to `url`, with smsdesk's defaults where the URL sets none.
pub fn open(url: &str) -> Result<Client, OpenError> {
    let (url, settings) = tls::split(url).map_err(tls::ConfigError::from)?;
    let mode = settings.mode;
    let connector = match mode {
        SslMode::Disable => None,
        _ => Some(tls::Connector::new(&settings)?),
    };
    let failed = |error| OpenError::Connect { error, mode };
    let mut config: postgres::Config = url.parse().map_err(failed)?;
    config.ssl_mode(mode.negotiation());
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(Duration::from_secs(5));
    }
    // Unless the URL turned keepalives off or set its own.
    if config.get_keepalives() && config.get_keepalives_idle() == KERNEL_KEEPALIVE_IDLE {
        config
            .keepalives_idle(Duration::from_secs(15))
            .keepalives_interval(Duration::from_secs(5))
            .keepalives_retries(3);
    }
    // A request whose data goes unacknowledged (the peer cut off, not
    // closed) fails after this, not the kernel's many minutes.
    if config.get_tcp_user_timeout().is_none() {
        config.tcp_user_timeout(Duration::from_secs(20));
    }
    if config.get_application_name().is_none() {
        config.application_name("smsdesk");
    }
    let own = |setting: &str| config.get_options().is_some_and(|o| o.contains(setting));
    let (own_timeout, own_seqscan) = (own("idle_in_transaction_session_timeout"), own("enable_seqscan"));
    let mut client = match connector {
        None => config.connect(NoTls),
        Some(connector) => config.connect(connector),
    }
    .map_err(failed)?;
    // A transaction left open by a process that froze (SIGSTOP, a VM
    // pause) holds the lease row's lock, and a standby could not take over
    // until it thawed: the server ends such a session after 5 s. smsdesk's
    // own transactions never wait between statements. Set with SQL, not
    // the startup `options` a pooler such as PgBouncer refuses.
    if !own_timeout {
        client
            .batch_execute("SET idle_in_transaction_session_timeout = '5s'")
            .map_err(failed)?;
    }
    // Statements are prepared once per connection (`Session`), and
    // PostgreSQL soon runs them with one generic plan, made once. Made
    // while a table is still small (a new deployment, the first minute
    // before autovacuum's statistics), that plan reads the whole table
    // for a key; it stayed so as the table grew (the ingest benchmark:
    // 4.7 ms per read instead of 11 µs). smsdesk's frequent statements
    // read by key or key range, which the primary keys serve; the hourly
    // sweeps of attachments and appservice transactions have no index to
    // use instead and scan as before. Unless the URL's `options` set it.
    if !own_seqscan {
        client.batch_execute("SET enable_seqscan = off").map_err(failed)?;
    }
    Ok(client)
}

/// Whether `error` says the connection is gone (the server restarted, the
/// link broke): worth one more try on a new connection.
pub fn is_gone(error: &postgres::Error, session: &Session) -> bool {
    error.is_closed()
        || session.is_closed()
        || std::error::Error::source(error).is_some_and(|s| s.is::<std::io::Error>())
}

/// Runs `f` on `kept` (a connection kept from before, if any and still
/// open), or on one `open` makes. A kept connection found gone (the
/// server restarted since it was last used) is closed, a new one made and
/// `f` tried once more on it. Returns `f`'s result (its error through
/// `fail`) and the connection to keep: the one it ran on when it
/// succeeded; none after an error (that one is closed), so the next call
/// makes a new one. `Conn` and the cluster's pool both call through here.
pub fn once_more<T, E>(
    kept: Option<Session>,
    open: impl FnOnce() -> Result<Session, E>,
    fail: impl Fn(&postgres::Error) -> E,
    mut f: impl FnMut(&mut Session) -> Result<T, postgres::Error>,
) -> (Result<T, E>, Option<Session>) {
    let mut session = match kept.filter(|s| !s.is_closed()) {
        Some(mut session) => match f(&mut session) {
            Ok(value) => return (Ok(value), Some(session)),
            Err(error) => {
                let gone = is_gone(&error, &session);
                close(vec![session.into_client()]);
                if !gone {
                    return (Err(fail(&error)), None);
                }
                match open() {
                    Ok(session) => session,
                    Err(error) => return (Err(error), None),
                }
            }
        },
        None => match open() {
            Ok(session) => session,
            Err(error) => return (Err(error), None),
        },
    };
    match f(&mut session) {
        Ok(value) => (Ok(value), Some(session)),
        Err(error) => {
            close(vec![session.into_client()]);
            (Err(fail(&error)), None)
        }
    }
}

use crate::describe::describe;
use crate::session::Session;

pub struct Conn {
    url: String,
    session: Mutex<Option<Session>>,
}

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conn").finish_non_exhaustive()
    }
}

/// Closes `clients` on a thread of their own (safe from any thread).
pub fn close(clients: Vec<Client>) {
    if !clients.is_empty() {
        let _ = std::thread::Builder::new()
            .name("smsdesk-pg-close".to_owned())
            .spawn(move || drop(clients));
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        let session = self.session.get_mut().unwrap_or_else(PoisonError::into_inner).take();
        close(session.into_iter().map(Session::into_client).collect());
    }
}

impl Conn {
    /// No connection is made until the first call.
    pub fn new(url: &str) -> Self {
        Self {
            url: url.to_owned(),
            session: Mutex::new(None),
        }
    }

    /// Runs `f` on the connection (blocking: not on an async runtime's
    /// thread). A kept connection found gone (the server restarted since
    /// it was last used) is made afresh and `f` tried once more; after any
    /// other error the connection is made afresh next time.
    pub fn with<T>(&self, mut f: impl FnMut(&mut Client) -> Result<T, postgres::Error>) -> Result<T, String> {
        self.with_session(|session| f(session.client()))
    }

    /// The same, with the connection's prepared statements (`Session`).
    pub fn with_session<T>(&self, f: impl FnMut(&mut Session) -> Result<T, postgres::Error>) -> Result<T, String> {
        let mut slot = self.session.lock().unwrap_or_else(PoisonError::into_inner);
        let (result, keep) = once_more(slot.take(), || self.connect(), describe, f);
        *slot = keep;
        result
    }

    fn connect(&self) -> Result<Session, String> {
        let mut client = open(&self.url).map_err(|e| e.to_string())?;
        crate::migrate::run(&mut client).map_err(|e| describe(&e))?;
        Ok(Session::new(client))
    }
}
