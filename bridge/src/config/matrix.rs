//! `[matrix]`: the homeserver and the bot's login (optional: without it,
//! smsdesk runs without a Matrix desk). The bot's id is parsed into a
//! typed `OwnedUserId` here, once. In appservice mode (`mode =
//! "appservice"`) the bot logs in with the registration's `as_token`, so
//! `password` and `access_token` are refused there; `registration` (the
//! file `smsdesk appservice-registration` writes) and `ghost_prefix` are
//! read instead.

use std::path::PathBuf;

use matrix_sdk::ruma::OwnedUserId;

use super::reader::Reader;

/// The bot's login; `Debug` hides the password and the token.
#[derive(Clone, PartialEq, Eq)]
pub enum MatrixAuth {
    Password(String),
    AccessToken(String),
    /// Appservice mode: the registration's `as_token` is the login.
    Appservice(AppserviceConfig),
}

impl std::fmt::Debug for MatrixAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Password(_) => f.write_str("Password(<secret>)"),
            Self::AccessToken(_) => f.write_str("AccessToken(<secret>)"),
            Self::Appservice(a) => f.debug_tuple("Appservice").field(a).finish(),
        }
    }
}

/// `matrix.registration` and `matrix.ghost_prefix` (appservice mode).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppserviceConfig {
    /// The registration file (resolved against the config's directory);
    /// it holds the tokens, so it is the one place they live.
    pub registration: PathBuf,
    /// Customers' ghosts are `@{ghost_prefix}{digits}:server`.
    pub ghost_prefix: String,
}

/// `matrix.ghost_prefix` when not given (mautrix-style `sms_15551234567`).
pub const DEFAULT_GHOST_PREFIX: &str = "sms_";
/// `matrix.registration` when not given, beside the config file.
pub const DEFAULT_REGISTRATION: &str = "appservice.yaml";

/// Why `prefix` cannot start ghosts' localparts, if it cannot: Matrix
/// localparts are lower-case `a-z 0-9 . _ = - /`.
pub fn ghost_prefix_problem(prefix: &str) -> Option<String> {
    if prefix.is_empty() {
        return Some("must not be empty (ghosts would take every user name)".to_owned());
    }
    if prefix.len() > 32 {
        return Some("is longer than 32 characters".to_owned());
    }
    let bad: String = prefix
        .chars()
        .filter(|c| !matches!(c, 'a'..='z' | '0'..='9' | '.' | '_' | '=' | '-' | '/'))
        .collect();
    (!bad.is_empty()).then(|| {
        format!(
            "{prefix:?} has characters a Matrix user name cannot have ({bad:?}); use lower-case a-z, 0-9, . _ = - /"
        )
    })
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatrixConfig {
    pub homeserver: String,
    pub user: OwnedUserId,
    pub auth: MatrixAuth,
    /// `smsdesk run --adopt-account` (not in the file): take the bot
    /// account over from another engine store (`matrix::connection::account_owner`).
    pub adopt_account: bool,
    /// `encryption = "on"`: the rooms smsdesk makes are encrypted.
    pub encryption: bool,
    /// `recovery_key`: the passphrase of the bot's secret storage (its
    /// cross-signing identity and key backup).
    pub recovery_key: Option<RecoveryKey>,
    /// `language`: what smsdesk says to agents and supervisors without a
    /// `language` of their own (default `en`).
    pub language: crate::i18n::Lang,
}

/// `matrix.recovery_key`: a secret, never shown (`Debug` says so).
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryKey(String);

impl RecoveryKey {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for RecoveryKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryKey(<secret>)")
    }
}

/// A text that is not a Matrix user id, and what is wrong with it.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{text:?} is not a Matrix user id like \"@alice:example.com\" ({error})")]
pub struct BadUserId {
    pub text: String,
    pub error: matrix_sdk::ruma::IdParseError,
}

/// A Matrix user id like `@alice:example.com`, or why not.
pub fn user_id(text: &str) -> Result<OwnedUserId, BadUserId> {
    OwnedUserId::try_from(text).map_err(|error| BadUserId {
        text: text.to_owned(),
        error,
    })
}

pub fn read(r: &mut Reader, root: &toml::Table) -> Option<MatrixConfig> {
    let v = root.get("matrix")?;
    let t = r.table(
        v,
        "matrix",
        &[
            "homeserver",
            "user",
            "password",
            "access_token",
            "mode",
            "registration",
            "ghost_prefix",
            "encryption",
            "recovery_key",
            "language",
        ],
    )?;
    let homeserver = r.string(t, "matrix", "homeserver", true);
    let user = r.string(t, "matrix", "user", true).and_then(|u| match user_id(&u) {
        Ok(id) => Some(id),
        Err(why) => {
            r.err("matrix.user", why.to_string());
            None
        }
    });
    let password = r.string(t, "matrix", "password", false);
    let token = r.string(t, "matrix", "access_token", false);
    let appservice = appservice_mode(r, t);
    let registration = r.string(t, "matrix", "registration", false);
    let ghost_prefix = r.string(t, "matrix", "ghost_prefix", false);
    if !appservice {
        for (key, given) in [
            ("registration", registration.is_some()),
            ("ghost_prefix", ghost_prefix.is_some()),
        ] {
            if given {
                r.err(
                    &format!("matrix.{key}"),
                    "is for appservice mode; set matrix.mode = \"appservice\" or remove it",
                );
            }
        }
    }
    let auth = match (password, token) {
        _ if appservice => {
            for (key, given) in [
                ("password", t.contains_key("password")),
                ("access_token", t.contains_key("access_token")),
            ] {
                if given {
                    r.err(
                        &format!("matrix.{key}"),
                        "is not used in appservice mode (the bot acts with the registration's as_token); remove it",
                    );
                }
            }
            let ghost_prefix = ghost_prefix.unwrap_or_else(|| DEFAULT_GHOST_PREFIX.to_owned());
            if let Some(why) = ghost_prefix_problem(&ghost_prefix) {
                r.err("matrix.ghost_prefix", why);
            } else if user.as_ref().is_some_and(|u| u.localpart().starts_with(&ghost_prefix)) {
                r.err(
                    "matrix.ghost_prefix",
                    format!("{ghost_prefix:?} starts the bot's own name (matrix.user); the bot cannot be a ghost, pick another prefix"),
                );
            }
            let registration = registration.unwrap_or_else(|| DEFAULT_REGISTRATION.to_owned());
            Some(MatrixAuth::Appservice(AppserviceConfig {
                registration: r.path_of("matrix.registration", &registration, false),
                ghost_prefix,
            }))
        }
        (Some(p), None) => Some(MatrixAuth::Password(p)),
        (None, Some(t)) => Some(MatrixAuth::AccessToken(t)),
        (Some(_), Some(_)) => {
            r.err("matrix", "give password or access_token, not both");
            None
        }
        (None, None) => {
            r.err("matrix", "missing password or access_token");
            None
        }
    };
    let (encryption, recovery_key) = encryption(r, t);
    let language = super::language::read(r, t, "matrix").unwrap_or_default();
    Some(MatrixConfig {
        homeserver: homeserver?,
        user: user?,
        auth: auth?,
        adopt_account: false,
        encryption,
        recovery_key,
        language,
    })
}

/// Whether `matrix.mode` is "appservice" (else "bot", the default).
fn appservice_mode(r: &mut Reader, t: &toml::Table) -> bool {
    match r.string(t, "matrix", "mode", false).as_deref() {
        None | Some("bot") => false,
        Some("appservice") => true,
        Some(other) => {
            r.err(
                "matrix.mode",
                format!("{other:?} is not a mode; expected \"bot\" (the default) or \"appservice\""),
            );
            false
        }
    }
}

/// `matrix.encryption` ("off", the default, or "on") and
/// `matrix.recovery_key` (a secret, usually `${SMSDESK_RECOVERY_KEY}`).
fn encryption(r: &mut Reader, t: &toml::Table) -> (bool, Option<RecoveryKey>) {
    let on = match r.string(t, "matrix", "encryption", false).as_deref() {
        None | Some("off") => false,
        Some("on") => true,
        Some(other) => {
            r.err(
                "matrix.encryption",
                format!("{other:?} is not a setting; expected \"off\" (the default) or \"on\""),
            );
            false
        }
    };
    let key = match r.string(t, "matrix", "recovery_key", false) {
        Some(k) if k.trim().is_empty() => {
            r.err(
                "matrix.recovery_key",
                "is empty; leave it out, or give the passphrase of the bot's secret storage",
            );
            None
        }
        Some(k) if k.chars().count() < 8 => {
            r.err(
                "matrix.recovery_key",
                "is shorter than 8 characters; it guards the bot's identity and message keys: make it long and random",
            );
            None
        }
        other => other.map(RecoveryKey),
    };
    (on, key)
}
