//! The bot's device on this machine, and its end-to-end encryption keys.
//!
//! In an encrypted room the bot reads and writes with Olm/Megolm keys that
//! belong to one device: a device's keys are published once, and agents'
//! clients refuse a known device whose keys change. So a device id and its
//! crypto store go together, one to one: the store is a SQLite file under
//! `storage.path/matrix-crypto/<device id>/`, and the id this machine uses
//! is kept beside it (`storage.path/matrix-crypto/device`), written before
//! the first login with it. A restart, an upgrade or a SIGKILL finds both
//! and logs in as the same device (the homeserver keeps its keys).
//!
//! The first start picks the id: the saved login's device where smsdesk
//! ran on one machine before and published no keys for it (an older
//! smsdesk: it can start encrypting now), or a new random one. A saved
//! login whose device has keys on the homeserver but none here (a lost
//! `matrix-crypto/`) is not taken up: new keys under a known device id are
//! refused by agents' clients and its one-time keys clash. Instances sharing
//! PostgreSQL each keep their own device (a store is never shared between
//! running processes).

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use matrix_sdk::cross_process_lock::CrossProcessLockConfig;
use matrix_sdk::ruma::{DeviceId, OwnedDeviceId, UserId};
use matrix_sdk::store::StoreConfig;
use matrix_sdk::{Client, SqliteCryptoStore};
use rand::Rng as _;

/// Where the bot keeps its devices' crypto stores.
pub fn root(storage: &Path) -> PathBuf {
    storage.join("matrix-crypto")
}

/// The device id this machine's bot logs in with (password mode): the kept
/// one, else `inherited` (an older smsdesk's saved login on this machine),
/// else a new one; kept before it is used.
pub fn chosen(storage: &Path, inherited: Option<&DeviceId>) -> anyhow::Result<OwnedDeviceId> {
    chosen_in(&root(storage), inherited)
}

/// As `chosen`, for devices kept under `root` (the bot's twin keeps its
/// own, `connection::twin`).
pub fn chosen_in(root: &Path, inherited: Option<&DeviceId>) -> anyhow::Result<OwnedDeviceId> {
    let file = root.join("device");
    match std::fs::read_to_string(&file) {
        Ok(kept) if !kept.trim().is_empty() => return Ok(kept.trim().into()),
        Ok(_) => {}
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => return Err(error).with_context(|| format!("reading {}", file.display())),
    }
    let device: OwnedDeviceId = match inherited {
        Some(device) => device.to_owned(),
        None => fresh().into(),
    };
    write_durably(&file, device.as_str())
        .with_context(|| format!("keeping the bot's device id in {}", file.display()))?;
    Ok(device)
}

/// Whether this machine kept a device id (then `chosen` returns it).
pub fn kept(storage: &Path) -> bool {
    root(storage).join("device").exists()
}

/// Whether the homeserver has no end-to-end keys of `device` of `user`
/// (asked with `token`, the saved login's): only then may its id start a
/// new crypto store. Any failure to ask counts as "has keys" (a new
/// device is always safe).
pub async fn keyless(homeserver: &str, token: &str, user: &UserId, device: &DeviceId) -> bool {
    let url = format!("{}/_matrix/client/v3/keys/query", homeserver.trim_end_matches('/'));
    let body = serde_json::json!({"device_keys": {user.as_str(): [device.as_str()]}});
    let answer = async {
        let keys: serde_json::Value = reqwest::Client::new()
            .post(&url)
            .bearer_auth(token)
            .json(&body)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        Ok::<_, reqwest::Error>(keys["device_keys"][user.as_str()].get(device.as_str()).is_none())
    };
    match answer.await {
        Ok(keyless) => keyless,
        Err(error) => {
            tracing::info!(%error, %device, "cannot ask the homeserver for the saved login's device keys; using a new device");
            false
        }
    }
}

/// `SMSDESK` and ten random capitals: one device per machine, told apart
/// in an agent's list of the bot's sessions.
fn fresh() -> String {
    let mut rng = rand::rng();
    let tail: String = (0..10).map(|_| char::from(rng.random_range(b'A'..=b'Z'))).collect();
    format!("SMSDESK{tail}")
}

/// Writes `text` to `file` so a crash leaves the old file or the new one.
fn write_durably(file: &Path, text: &str) -> std::io::Result<()> {
    let dir = file.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let partial = file.with_extension("partial");
    std::fs::write(&partial, text)?;
    std::fs::File::open(&partial)?.sync_all()?;
    std::fs::rename(&partial, file)?;
    std::fs::File::open(dir)?.sync_all()
}

/// A client for `homeserver` whose crypto state is `device`'s store on
/// this machine (made on first use, owner only).
pub async fn client(homeserver: &str, storage: &Path, device: &DeviceId) -> anyhow::Result<Client> {
    client_in(homeserver, &root(storage), device).await
}

/// As `client`, for a device kept under `root`.
pub async fn client_in(homeserver: &str, root: &Path, device: &DeviceId) -> anyhow::Result<Client> {
    let dir = root.join(device.as_str());
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("making {} private", dir.display()))?;
    }
    // No passphrase: the directory is the owner's only, and a passphrase
    // would cost a key derivation at every start.
    let store = SqliteCryptoStore::open(&dir, None)
        .await
        .with_context(|| format!("opening the bot's crypto store at {}", dir.display()))?;
    Client::builder()
        .homeserver_url(homeserver)
        .store_config(StoreConfig::new(CrossProcessLockConfig::SingleProcess).crypto_store(store))
        .with_encryption_settings(super::identity::settings())
        .build()
        .await
        .with_context(|| format!("cannot reach the homeserver {homeserver}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_device_is_chosen_once_and_kept() {
        let dir = tempfile::tempdir().expect("tmp");
        let first = chosen(dir.path(), None).expect("chosen");
        assert!(
            first.as_str().starts_with("SMSDESK") && first.as_str().len() == 17,
            "{first}"
        );
        // Kept: the same id whatever an inherited login says later.
        let inherited: OwnedDeviceId = "OLDDEVICE".into();
        assert_eq!(chosen(dir.path(), Some(&inherited)).expect("again"), first);
    }

    /// A homeserver that knows keys of device `KEYED` of `@bot:hs` only.
    async fn homeserver() -> String {
        use axum::{routing::post, Json, Router};
        let app = Router::new().route(
            "/_matrix/client/v3/keys/query",
            post(|| async { Json(serde_json::json!({"device_keys": {"@bot:hs": {"KEYED": {"keys": {}}}}})) }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        url
    }

    #[tokio::test]
    async fn only_a_device_without_keys_on_the_homeserver_is_taken_over() {
        let hs = homeserver().await;
        let bot: matrix_sdk::ruma::OwnedUserId = "@bot:hs".try_into().expect("user");
        let (old, keyed): (OwnedDeviceId, OwnedDeviceId) = ("OLDDEVICE".into(), "KEYED".into());
        assert!(keyless(&hs, "token", &bot, &old).await, "an older smsdesk's device");
        assert!(
            !keyless(&hs, "token", &bot, &keyed).await,
            "a lost crypto store's device"
        );
        // Cannot ask: a new device, never new keys under a used id.
        assert!(!keyless("http://127.0.0.1:9", "token", &bot, &old).await);
    }

    #[test]
    fn an_older_smsdesks_device_is_taken_over() {
        let dir = tempfile::tempdir().expect("tmp");
        let inherited: OwnedDeviceId = "OLDDEVICE".into();
        assert_eq!(chosen(dir.path(), Some(&inherited)).expect("chosen"), inherited);
        assert_eq!(chosen(dir.path(), None).expect("kept"), inherited);
    }
}
