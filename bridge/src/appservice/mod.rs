//! Appservice mode (`matrix.mode = "appservice"`, docs/operator-guide.md): smsdesk
//! is registered with the homeserver, which pushes every event of its
//! users' rooms to it instead of being polled, and customers appear as
//! ghost users who post their own SMS.
//!
//! - `registration`: the registration file (written by `smsdesk
//!   appservice-registration`, read at start, checked against the config).
//! - `inbox`: pushed transactions, durable before they are acknowledged,
//!   de-duplicated by transaction id, handled in order by the Matrix desk.
//! - `ghosts`: requests as a customer's ghost (register, name, join, post,
//!   deactivate); `naming`: their names (the number's digits, or opaque
//!   with masking: a keyed hash).
//!
//! The HTTP side (`PUT /_matrix/app/v1/transactions/{txnId}`) is in
//! `http::appservice`; what the desk does with the events, in
//! `matrix::connection::appservice`. Nothing here knows the engine or the bot.

pub mod ghosts;
pub mod inbox;
pub mod naming;
pub mod registration;

use std::sync::Arc;

use ruma::api::appservice::Registration;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

use crate::config::{AppserviceConfig, Config, MatrixAuth};
pub use ghosts::{GhostError, Ghosts};
pub use inbox::Inbox;

/// What appservice mode shares between the HTTP listener and the desk.
#[derive(Debug)]
pub struct Appservice {
    pub registration: Registration,
    pub config: AppserviceConfig,
    pub inbox: Inbox,
    pub ghosts: Ghosts,
    /// Woken when a transaction is queued. On a shared store the leader's
    /// desk is also woken when another instance queued one (see `cluster::listen`
    /// and `cluster::serve`).
    pub wake: Arc<tokio::sync::Notify>,
}

impl Appservice {
    /// The appservice of this config: `None` in bot mode; an error when the
    /// registration is missing, unreadable or does not fit the config.
    pub fn open(config: &Config) -> anyhow::Result<Option<Arc<Self>>> {
        let Some(matrix) = &config.matrix else { return Ok(None) };
        let MatrixAuth::Appservice(appservice) = &matrix.auth else {
            return Ok(None);
        };
        let registration = registration::read(&appservice.registration)?;
        if let Some(why) = registration::mismatch(&registration, matrix, appservice) {
            anyhow::bail!(
                "the appservice registration {} does not fit the config: {why}; run `smsdesk appservice-registration` again and restart the homeserver",
                appservice.registration.display()
            );
        }
        let public = config.public_url.trim_end_matches('/');
        if registration.url.as_deref().map(|u| u.trim_end_matches('/')) != Some(public) {
            tracing::warn!(
                registration = ?registration.url,
                http.public_url = public,
                "the registration's url is not http.public_url: the homeserver pushes events there"
            );
        }
        let inbox = crate::storage::open::appservice_inbox(config)?;
        let ghosts = Ghosts::new(
            &matrix.homeserver,
            &registration.as_token,
            matrix.user.server_name().to_owned(),
            &appservice.ghost_prefix,
        );
        Ok(Some(Arc::new(Self {
            registration,
            config: appservice.clone(),
            inbox,
            ghosts,
            wake: Arc::new(tokio::sync::Notify::new()),
        })))
    }

    /// Whether `presented` is the registration's `hs_token`; digests are
    /// compared in constant time, so timing tells nothing of the token.
    pub fn is_homeserver(&self, presented: &str) -> bool {
        let (a, b) = (
            Sha256::digest(presented.as_bytes()),
            Sha256::digest(self.registration.hs_token.as_bytes()),
        );
        a.ct_eq(&b).into()
    }
}
