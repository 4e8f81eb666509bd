//! How a PostgreSQL error reads in smsdesk's messages: the server's own
//! message and SQLSTATE code when it sent one, else the client's error
//! and its cause. Below both `conn` (which also words TLS failures) and
//! `store`, so neither imports the other for it.

/// A PostgreSQL error as an operator wants to read it: the server's own
/// message and code when it sent one ("db error" alone says nothing).
pub fn describe(error: &postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => format!("{} ({}: {})", error, db.code().code(), db.message()),
        None => match std::error::Error::source(error) {
            Some(source) => format!("{error}: {source}"),
            None => error.to_string(),
        },
    }
}
