//! The bot's login. With a password, the login (device and access token)
//! is saved in the bot's store and restored at the next start, so the bot
//! stays one device: its transaction ids keep meaning the same requests
//! across restarts, and the homeserver answers a repeated post once. A
//! saved login the homeserver no longer accepts is replaced by a fresh one.
//! With an access token, the token's device is asked from the homeserver.

use anyhow::Context as _;
use matrix_sdk::authentication::matrix::MatrixSession;
use matrix_sdk::ruma::OwnedUserId;
use matrix_sdk::store::RoomLoadSettings;
use matrix_sdk::Client;

use crate::config::{MatrixAuth, MatrixConfig};
use crate::matrix::store::BotStore;

/// A logged-in client for `config.user`.
pub async fn login(config: &MatrixConfig, store: &std::sync::Arc<BotStore>) -> anyhow::Result<Client> {
    let client = Client::builder()
        .homeserver_url(&config.homeserver)
        .build()
        .await
        .with_context(|| format!("cannot reach the homeserver {}", config.homeserver))?;
    match &config.auth {
        MatrixAuth::Appservice(_) => {
            anyhow::bail!("appservice mode acts with the registration's as_token (matrix::appservice)")
        }
        MatrixAuth::Password(password) => {
            if restore_saved(&client, config, store).await? {
                return Ok(client);
            }
            client
                .matrix_auth()
                .login_username(config.user.as_str(), password)
                .initial_device_display_name("smsdesk")
                .send()
                .await
                .with_context(|| format!("login as {} failed", config.user))?;
            if let Some(session) = client.matrix_auth().session() {
                store.set_session(&session);
                store.flush().await.context("saving the bot's login")?;
            }
            tracing::info!(user = %config.user, device = ?client.device_id(), "logged in with the password");
        }
        MatrixAuth::AccessToken(token) => {
            let device = token_device(config, token).await?;
            let session = MatrixSession {
                meta: matrix_sdk::SessionMeta {
                    user_id: config.user.clone(),
                    device_id: device.into(),
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
        }
    }
    Ok(client)
}

/// Restores the saved login if there is one for this user and the
/// homeserver still accepts it; forgets it otherwise.
async fn restore_saved(
    client: &Client,
    config: &MatrixConfig,
    store: &std::sync::Arc<BotStore>,
) -> anyhow::Result<bool> {
    let saved = match store.session() {
        Ok(Some(s)) if s.meta.user_id == config.user => s,
        Ok(_) => return Ok(false),
        Err(error) => {
            tracing::warn!(%error, "cannot read the saved login; logging in afresh");
            return Ok(false);
        }
    };
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
