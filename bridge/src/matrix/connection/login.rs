//! The bot's login. With a password, the login (device and access token)
//! is saved in the bot's store and restored at the next start, so the bot
//! stays one device: its transaction ids keep meaning the same requests
//! across restarts, and the homeserver answers a repeated post once. A
//! saved login the homeserver no longer accepts is replaced by a fresh one.
//! With an access token, the token's device is asked from the homeserver.
//!
//! Either way the client keeps its end-to-end encryption state in that
//! device's crypto store on this machine (`device`), so the bot reads and
//! writes encrypted rooms as the same device after every restart.

use anyhow::Context as _;
use matrix_sdk::authentication::matrix::MatrixSession;
use std::path::Path;

use matrix_sdk::ruma::{OwnedDeviceId, OwnedUserId};
use matrix_sdk::store::RoomLoadSettings;
use matrix_sdk::Client;

use super::device;
use crate::config::{MatrixAuth, MatrixConfig};
use crate::matrix::store::BotStore;

/// A logged-in client for `config.user`. `storage` is `storage.path`;
/// `inherit` says whether the saved login's device may become this
/// machine's device (one machine: it is this machine's; on PostgreSQL the
/// saved login is shared, so each instance keeps its own).
pub async fn login(
    config: &MatrixConfig,
    store: &std::sync::Arc<BotStore>,
    storage: &Path,
    inherit: bool,
) -> anyhow::Result<Client> {
    match &config.auth {
        MatrixAuth::Appservice(_) => {
            anyhow::bail!("appservice mode acts with the registration's as_token (matrix::appservice)")
        }
        MatrixAuth::Password(password) => {
            let saved = match store.session() {
                Ok(Some(s)) if s.meta.user_id == config.user => Some(s),
                Ok(_) => None,
                Err(error) => {
                    tracing::warn!(%error, "cannot read the saved login; logging in afresh");
                    None
                }
            };
            let inherited = match saved.as_ref().filter(|_| inherit && !device::kept(storage)) {
                Some(s) => device::keyless(
                    &config.homeserver,
                    &s.tokens.access_token,
                    &s.meta.user_id,
                    &s.meta.device_id,
                )
                .await
                .then(|| s.meta.device_id.clone()),
                None => None,
            };
            let device = device::chosen(storage, inherited.as_deref())?;
            let client = device::client(&config.homeserver, storage, &device).await?;
            if let Some(saved) = saved.filter(|s| s.meta.device_id == device) {
                if restore_saved(&client, config, store, saved).await? {
                    return Ok(client);
                }
            }
            client
                .matrix_auth()
                .login_username(config.user.as_str(), password)
                .device_id(device.as_str())
                .initial_device_display_name("smsdesk")
                .send()
                .await
                .with_context(|| format!("login as {} failed", config.user))?;
            if let Some(session) = client.matrix_auth().session() {
                store.set_session(&session);
                store.flush().await.context("saving the bot's login")?;
            }
            tracing::info!(user = %config.user, %device, "logged in with the password");
            Ok(client)
        }
        MatrixAuth::AccessToken(token) => {
            let device: OwnedDeviceId = token_device(config, token).await?.into();
            let client = device::client(&config.homeserver, storage, &device).await?;
            let session = MatrixSession {
                meta: matrix_sdk::SessionMeta {
                    user_id: config.user.clone(),
                    device_id: device,
                },
                tokens: matrix_sdk::SessionTokens {
                    access_token: token.clone(),
                    refresh_token: None,
                },
            };
            client
                .matrix_auth()
                .restore_session(session, RoomLoadSettings::default())
                .await
                .context("restoring the session from matrix.access_token failed")?;
            Ok(client)
        }
    }
}

/// Restores `saved` (this machine's device's login) if the homeserver
/// still accepts it; forgets it otherwise.
async fn restore_saved(
    client: &Client,
    config: &MatrixConfig,
    store: &std::sync::Arc<BotStore>,
    saved: MatrixSession,
) -> anyhow::Result<bool> {
    let device = saved.meta.device_id.clone();
    client
        .matrix_auth()
        .restore_session(saved, RoomLoadSettings::default())
        .await
        .context("restoring the saved login")?;
    match client.whoami().await {
        Ok(_) => {
            tracing::info!(user = %config.user, %device, "restored the saved login");
            Ok(true)
        }
        Err(error)
            if error
                .as_client_api_error()
                .is_some_and(|e| e.status_code.as_u16() == 401) =>
        {
            tracing::info!(user = %config.user, %device, "the saved login is no longer accepted; logging in afresh");
            store.forget_session();
            store.flush().await.context("forgetting the saved login")?;
            // A client holds one session: start over with a fresh one.
            Err(anyhow::anyhow!(
                "the saved login was refused; retrying with the password"
            ))
        }
        Err(error) => Err(anyhow::Error::from(error).context("checking the saved login")),
    }
}

/// The device an access token belongs to (the session needs it).
async fn token_device(config: &MatrixConfig, token: &str) -> anyhow::Result<String> {
    #[derive(serde::Deserialize)]
    struct WhoAmI {
        user_id: OwnedUserId,
        device_id: Option<String>,
    }
    let url = format!(
        "{}/_matrix/client/v3/account/whoami",
        config.homeserver.trim_end_matches('/')
    );
    let who: WhoAmI = reqwest::Client::new()
        .get(&url)
        .bearer_auth(token)
        .send()
        .await
        .with_context(|| format!("cannot reach {url}"))?
        .error_for_status()
        .context("the homeserver refused matrix.access_token")?
        .json()
        .await?;
    if who.user_id != config.user {
        anyhow::bail!(
            "matrix.access_token belongs to {}, not matrix.user {}",
            who.user_id,
            config.user
        );
    }
    Ok(who.device_id.unwrap_or_else(|| "SMSDESK".to_owned()))
}
