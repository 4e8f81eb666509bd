//! `storage.backend`, decided once when the config is read: one machine on
//! sled, or several instances sharing PostgreSQL. What keeps something
//! gets its store through `storage::open`, which matches on this value;
//! the tools that only need the database (`check-config`, `backup-plan`,
//! `export`, `import-store`) ask it for `database_url()`.

/// Where the engine's store, the bot's store, the appservice inbox and the
/// attachments' store live. `storage.path` holds this machine's own things
/// on either (dead letters, the plugin cache, the spool).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// `backend = "sled"` (the default): every store under `storage.path`.
    Sled {
        /// `storage.cache_mib`: sled's page cache, in MiB.
        cache_mib: u64,
    },
    /// `backend = "postgres"`: the stores in the database at `url`, shared
    /// by every instance with this config.
    Postgres {
        /// `storage.url`, checked (scheme, `sslmode`, `sslrootcert`).
        url: String,
        /// `storage.spool_mib`: how much of this machine's disk verified
        /// webhooks may take while the database is away.
        spool_mib: u64,
        /// `storage.cache_mib`: sled's page cache while `smsdesk
        /// import-store` reads a one-machine store into the database.
        cache_mib: u64,
    },
}

impl Backend {
    /// The database's URL on PostgreSQL; `None` on one machine.
    pub fn database_url(&self) -> Option<&str> {
        match self {
            Self::Sled { .. } => None,
            Self::Postgres { url, .. } => Some(url),
        }
    }

    /// The name `storage.backend` gives it.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Sled { .. } => "sled",
            Self::Postgres { .. } => "postgres",
        }
    }

    /// sled's page cache, in MiB, wherever sled is opened.
    pub fn cache_mib(&self) -> u64 {
        match self {
            Self::Sled { cache_mib } | Self::Postgres { cache_mib, .. } => *cache_mib,
        }
    }
}
