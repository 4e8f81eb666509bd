//! Why the spool kept nothing, and what a webhook's answer says of it: a
//! full spool and one that cannot be written are 503s the carrier retries,
//! told apart so `/metrics` and the log say which.

use crate::http::sink::StoreFailed;

/// Why `append` kept nothing: the webhook gets 503 saying so.
#[derive(Clone, Debug, thiserror::Error)]
pub enum SpoolError {
    /// `storage.spool_mib` reached: room comes back as the spool drains.
    #[error("the database is unreachable and this instance's spool is full (storage.spool_mib = {mib} MiB)")]
    Full { mib: u64 },
    /// A write or sync failed (the file and why).
    #[error("the database is unreachable and this instance's spool cannot be written ({0})")]
    Unwritable(String),
    /// The row does not fit a record's length field.
    #[error("a webhook too large for the spool")]
    TooLarge,
    /// The writer thread is gone: this process is stopping.
    #[error("the spool's writer stopped")]
    Stopped,
}

impl From<SpoolError> for StoreFailed {
    fn from(error: SpoolError) -> Self {
        let why = error.to_string();
        match error {
            SpoolError::Full { .. } => Self::Full(why),
            SpoolError::Unwritable(_) => Self::Unwritable(why),
            SpoolError::TooLarge => Self::TooLarge(why),
            SpoolError::Stopped => Self::Stopping(why),
        }
    }
}
