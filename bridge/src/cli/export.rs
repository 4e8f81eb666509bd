//! `smsdesk export --config … --since <date> [--until <date>] [--format
//! jsonl|csv] [--output FILE]`: conversations with transcripts
//! (`crate::export`). On PostgreSQL it reads the database (never a local
//! store: on an instance that is not the leader, or one that imported its
//! store, the directory holds nothing current). On one machine it reads a
//! stopped store itself; while the server runs (sled lets one process open
//! the store), it asks the server (`GET /supervisor/export` with
//! `supervisor.token`), which reads between engine batches. Either way the
//! output is the same. It never creates a store where there is none.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use smsdesk_engine::store::SledStore;

use crate::config::Config;
use crate::export::{self, Format};

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The TOML config file.
    #[arg(long, short, default_value = "smsdesk.toml", env = "SMSDESK_CONFIG")]
    pub config: PathBuf,
    /// Conversations opened from this date (UTC midnight) or time (RFC 3339).
    #[arg(long)]
    pub since: String,
    /// …and before this one (default: now).
    #[arg(long)]
    pub until: Option<String>,
    #[arg(long, value_enum, default_value = "jsonl")]
    pub format: Format,
    /// Write here instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

pub fn run(args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let config = Config::load(&args.config).map_err(|e| anyhow::anyhow!("{e}"))?;
    let since = export::parse_time(&args.since).map_err(|e| anyhow::anyhow!("--since: {e}"))?;
    let until = args
        .until
        .as_deref()
        .map(export::parse_time)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--until: {e}"))?;
    let (bytes, count) = if let Some(url) = config.backend.database_url() {
        let store = database(url)?;
        from_store(&store, since, until, args.format)?
    } else if !config.storage.join("db").exists() {
        bail!(
            "there is no smsdesk store at {} (storage.path): nothing to export",
            config.storage.display()
        );
    } else {
        match SledStore::open_with_cache(&config.storage, 16) {
            Ok(store) => from_store(&store, since, until, args.format)?,
            Err(error) => from_server(&config, args, error)?,
        }
    };
    match &args.output {
        Some(path) => std::fs::write(path, &bytes).with_context(|| format!("writing {}", path.display()))?,
        None => std::io::stdout().write_all(&bytes)?,
    }
    eprintln!(
        "smsdesk export: {count} conversation(s); customer numbers are not masked in exports (mask_customer_numbers is for agents)"
    );
    Ok(ExitCode::SUCCESS)
}

/// The shared store on PostgreSQL, read only: a database without
/// smsdesk's schema is said, not initialised.
fn database(url: &str) -> anyhow::Result<smsdesk_pgstore::PgStore> {
    let target = smsdesk_pgstore::target::target(url);
    let mut client =
        smsdesk_pgstore::conn::open(url).map_err(|e| anyhow::anyhow!("cannot connect to {target}: {e}"))?;
    let applied = smsdesk_pgstore::migrate::applied(&mut client)
        .map_err(|e| anyhow::anyhow!("reading {target}: {}", smsdesk_pgstore::describe(&e)))?;
    smsdesk_pgstore::conn::close(vec![client]);
    if applied == 0 {
        bail!("the database at {target} holds no smsdesk store yet: nothing to export");
    }
    smsdesk_pgstore::PgStore::connect(url).with_context(|| format!("opening the store at {target}"))
}

fn from_store(
    store: &dyn smsdesk_engine::store::KvStore,
    since: smsdesk_core::Timestamp,
    until: Option<smsdesk_core::Timestamp>,
    format: Format,
) -> anyhow::Result<(Vec<u8>, usize)> {
    let (mut out, mut count, mut after) = (Vec::new(), 0, None);
    loop {
        let (records, next) = export::page(store, after, since, until, None)?;
        export::write(&records, format, count == 0 && after.is_none(), &mut out).map_err(anyhow::Error::msg)?;
        count += records.len();
        match next {
            Some(n) => after = Some(n),
            None => return Ok((out, count)),
        }
    }
}

/// The server holds the store: ask it.
fn from_server(
    config: &Config,
    args: &ExportArgs,
    open_error: smsdesk_engine::store::StoreError,
) -> anyhow::Result<(Vec<u8>, usize)> {
    let Some(token) = config.supervisor.token.as_deref() else {
        bail!(
            "cannot open the store at {} ({open_error}); if smsdesk is running, stop it or set [supervisor] token so the export can go through the server",
            config.storage.display()
        );
    };
    let url = format!("http://{}/supervisor/export", local(config.listen));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let mut query = vec![
        ("since", args.since.clone()),
        ("format", format!("{:?}", args.format).to_lowercase()),
    ];
    if let Some(u) = &args.until {
        query.push(("until", u.clone()));
    }
    let response = runtime.block_on(async {
        let r = reqwest::Client::new()
            .get(&url)
            .query(&query)
            .bearer_auth(token)
            .send()
            .await?;
        let status = r.status();
        let count = r
            .headers()
            .get("x-smsdesk-count")
            .and_then(|v| v.to_str().ok()?.parse::<usize>().ok())
            .unwrap_or(0);
        Ok::<_, reqwest::Error>((status, r.bytes().await?, count))
    });
    let (status, bytes, count) = response.with_context(|| {
        format!(
            "cannot open the store at {} ({open_error}) nor reach the running server at {url}",
            config.storage.display()
        )
    })?;
    if !status.is_success() {
        bail!(
            "the server refused the export ({status}): {}",
            String::from_utf8_lossy(&bytes).trim()
        );
    }
    Ok((bytes.to_vec(), count))
}

/// Where to reach our own listener: an unspecified address means loopback.
fn local(listen: std::net::SocketAddr) -> std::net::SocketAddr {
    if listen.ip().is_unspecified() {
        std::net::SocketAddr::from(([127, 0, 0, 1], listen.port()))
    } else {
        listen
    }
}
