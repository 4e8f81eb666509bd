//! The bot's cross-signing identity and key backup (`[matrix]
//! recovery_key`), so agents' clients show its device as verified by its
//! owner, and a new device of the bot (a new machine, a PostgreSQL
//! takeover) reads what was sent before it existed.
//!
//! Once per login, after the first sync (the device's keys are
//! published):
//! - this device already signed by the bot's identity: nothing to do;
//! - the account has secret storage (set up earlier, by this smsdesk or
//!   another device): it is opened with the recovery key, which imports
//!   the identity's private keys and the backup key, and signs this device;
//! - the account has no identity yet: one is made (the first upload needs
//!   no password on Synapse; with a password login the password answers a
//!   request for one), and recovery is enabled with the key as its
//!   passphrase: secret storage and a key backup on the homeserver.
//!
//! A wrong key, or an identity made elsewhere without secret storage, is
//! said once in the log (what to do, never the key) and the bot goes on,
//! unverified. Without a recovery key nothing happens here.

use matrix_sdk::encryption::{BackupDownloadStrategy, EncryptionSettings};
use matrix_sdk::ruma::api::client::uiaa;
use matrix_sdk::Client;

/// What the client is built with: room keys fetched from the backup when
/// a message cannot be decrypted; identity and backup set up here, by
/// hand, so each step's failure can be said clearly.
pub fn settings() -> EncryptionSettings {
    EncryptionSettings {
        auto_enable_cross_signing: false,
        auto_enable_backups: false,
        backup_download_strategy: BackupDownloadStrategy::AfterDecryptionFailure,
    }
}

/// How the identity stands after `set_up`.
#[derive(Debug, PartialEq, Eq)]
pub enum Identity {
    /// This device was already signed by the bot's identity.
    AlreadyVerified,
    /// Secret storage opened with the recovery key; this device signed.
    Recovered,
    /// A new identity, secret storage and key backup were made.
    Created,
}

/// Why the identity could not be set up (said once; the bot goes on).
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error(
        "matrix.recovery_key does not open the bot's secret storage on the homeserver (it was set up with another key \
         or passphrase); give the one used first, or reset the bot's identity from a Matrix client"
    )]
    WrongKey(#[source] Box<matrix_sdk::encryption::recovery::RecoveryError>),
    #[error(
        "the bot's account has a cross-signing identity but no secret storage (set up by another client without \
         recovery): set up recovery from that client with matrix.recovery_key as its passphrase, or reset the identity"
    )]
    NoSecretStorage,
    #[error("setting up the bot's cross-signing identity failed: {0}")]
    Sdk(#[from] matrix_sdk::Error),
    #[error("setting up recovery (secret storage and key backup) failed: {0}")]
    Recovery(#[from] matrix_sdk::encryption::recovery::RecoveryError),
}

/// Sets up `client`'s identity with `key`; `password` answers the
/// homeserver if it asks for one (replacing an identity, older servers).
pub async fn set_up(client: &Client, key: &str, password: Option<&str>) -> Result<Identity, IdentityError> {
    let encryption = client.encryption();
    encryption.wait_for_e2ee_initialization_tasks().await;
    let signed = encryption
        .get_own_device()
        .await
        .map_err(|e| IdentityError::Sdk(e.into()))?
        .is_some_and(|d| d.is_cross_signed_by_owner());
    if signed {
        return Ok(Identity::AlreadyVerified);
    }
    if encryption.secret_storage().is_enabled().await? {
        encryption
            .recovery()
            .recover(key)
            .await
            .map_err(|e| IdentityError::WrongKey(Box::new(e)))?;
        return Ok(Identity::Recovered);
    }
    let has_identity = match client.user_id() {
        Some(me) => encryption
            .get_user_identity(me)
            .await
            .map_err(|e| IdentityError::Sdk(e.into()))?
            .is_some(),
        None => false,
    };
    if has_identity {
        return Err(IdentityError::NoSecretStorage);
    }
    if let Err(error) = encryption.bootstrap_cross_signing_if_needed(None).await {
        let (Some(password), Some(uiaa)) = (password, error.as_uiaa_response()) else {
            return Err(error.into());
        };
        let me = client.user_id().map(ToString::to_string).unwrap_or_default();
        let mut auth = uiaa::Password::new(
            uiaa::UserIdentifier::Matrix(uiaa::MatrixUserIdentifier::new(me)),
            password.to_owned(),
        );
        auth.session = uiaa.session.clone();
        encryption
            .bootstrap_cross_signing(Some(uiaa::AuthData::Password(auth)))
            .await?;
    }
    encryption.recovery().enable().with_passphrase(key).await?;
    Ok(Identity::Created)
}

impl crate::matrix::Bot {
    /// Sets up `client`'s identity (the bot's, or its twin's) in the
    /// background when a recovery key is configured; says how it went.
    pub(in crate::matrix) fn spawn_identity(&self, client: Client) {
        let Some(matrix) = self.app.config.matrix.as_ref() else {
            return;
        };
        let who = client.user_id().map(ToString::to_string).unwrap_or_default();
        let device = client.device_id().map(ToString::to_string).unwrap_or_default();
        let report = move |identity: String| crate::app::CryptoReport {
            device: device.clone(),
            store: "open",
            identity,
        };
        let Some(key) = matrix.recovery_key.clone() else {
            if matrix.encryption {
                tracing::warn!(
                    "matrix.encryption is on but matrix.recovery_key is not set: agents' clients show the bot's device as \
                     not verified by its owner, and a new device of the bot cannot read older messages"
                );
            }
            self.app
                .set_crypto(&who, report("unverified: no matrix.recovery_key".into()));
            return;
        };
        let password = match &matrix.auth {
            crate::config::MatrixAuth::Password(p) if client.user_id() == Some(&*matrix.user) => Some(p.clone()),
            _ => None,
        };
        self.app.set_crypto(&who, report("setting up".into()));
        let app = self.app.clone();
        self.spawn(async move {
            let outcome = set_up(&client, key.expose(), password.as_deref()).await;
            let identity = match &outcome {
                Ok(how) => {
                    tracing::info!(user = %who, "{}", said(how));
                    "verified".to_owned()
                }
                Err(error) => {
                    tracing::error!(user = %who, %error, "the bot's device stays unverified");
                    format!("unverified: {error}")
                }
            };
            app.set_crypto(&who, report(identity));
        });
    }
}

/// What the log says of a successful set-up.
fn said(how: &Identity) -> &'static str {
    match how {
        Identity::AlreadyVerified => "the bot's device is verified by its cross-signing identity",
        Identity::Recovered => {
            "opened the bot's secret storage with matrix.recovery_key: this device is verified, and room keys come from the backup"
        }
        Identity::Created => "made the bot's cross-signing identity and key backup, protected by matrix.recovery_key",
    }
}
