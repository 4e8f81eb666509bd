//! `smsdesk replay`: re-sends kept webhook requests (dead letters) to a
//! running smsdesk, exactly as the carrier sent them, so they are verified
//! and stored as if they had just arrived (duplicates are still stored
//! once). A letter that is accepted is deleted; one that is refused again
//! stays, and the answer is printed. Letters of an older smsdesk
//! (`*.json`) are replayed as today's (`*.letter`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use crate::config::Config;
use crate::dead_letters::DeadLetter;

pub fn run(config_path: &Path, files: Vec<PathBuf>) -> anyhow::Result<ExitCode> {
    // Replay needs the listen address and the kept-request folder only: a
    // carrier secret unset in this shell must not stop it.
    let text = std::fs::read_to_string(config_path)
        .with_context(|| format!("cannot read the config file {}", config_path.display()))?;
    // A stand-in (never used) for a variable unset or empty here, which
    // the config check would otherwise refuse as an empty secret.
    let lenient = |name: &str| {
        Some(
            std::env::var(name)
                .ok()
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| "unset-in-this-shell".to_owned()),
        )
    };
    let config = Config::parse(config_path, &text, &lenient).map_err(|e| anyhow::anyhow!("{e}"))?;
    let files = if files.is_empty() {
        // Before the first start of this version they are still beside
        // the storage directory (moved in at start).
        let dir = Some(config.dead_letters_dir())
            .filter(|d| d.exists())
            .unwrap_or_else(|| config.storage.with_file_name("dead-letters"));
        let mut all: Vec<PathBuf> = match std::fs::read_dir(&dir) {
            Ok(d) => d
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| crate::dead_letters::letter::is_letter(p))
                .collect(),
            Err(_) => Vec::new(),
        };
        all.sort();
        if all.is_empty() {
            println!("no kept requests in {}", dir.display());
            return Ok(ExitCode::SUCCESS);
        }
        all
    } else {
        files
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let client = reqwest::Client::new();
    let mut failed = 0;
    for file in &files {
        let letter = DeadLetter::read(file).map_err(anyhow::Error::msg)?;
        // The server rebuilds the URL from public_url + path, so the signature still verifies.
        let path = letter
            .request
            .url
            .strip_prefix(&config.public_url)
            .map(str::to_owned)
            .unwrap_or_else(|| {
                format!(
                    "/webhooks/{}/{}",
                    letter.carrier,
                    match letter.kind {
                        smsdesk_plugins::carrier::WebhookKind::Inbound => "inbound",
                        smsdesk_plugins::carrier::WebhookKind::Status => "status",
                    }
                )
            });
        let url = format!("http://{}{}", config.listen, path);
        let mut request = client
            .post(&url)
            .header("x-smsdesk-replay", "1")
            .body(letter.request.body.clone());
        for (k, v) in &letter.request.headers {
            if !matches!(k.as_str(), "host" | "content-length" | "connection") {
                request = request.header(k.as_str(), v.as_str());
            }
        }
        let answer = runtime.block_on(async {
            let r = request.send().await?;
            let status = r.status();
            let body = r.text().await.unwrap_or_default();
            anyhow::Ok((status, body))
        });
        match answer {
            Ok((status, _)) if status.is_success() => {
                std::fs::remove_file(file)
                    .with_context(|| format!("replayed, but cannot delete {}", file.display()))?;
                println!("{}: accepted ({status}); deleted", file.display());
            }
            Ok((status, body)) => {
                failed += 1;
                println!("{}: refused again ({status}): {}", file.display(), body.trim());
            }
            Err(e) => {
                failed += 1;
                println!("{}: smsdesk at {} did not answer: {e}", file.display(), config.listen);
            }
        }
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
