//! The registration file: what the homeserver loads to know smsdesk as an
//! application service (`app_service_config_files` in Synapse), and the one
//! place its two tokens live. `smsdesk appservice-registration` writes it
//! (new tokens the first time, the same tokens after); `smsdesk run` reads
//! it and checks that it still fits the config, so a config changed after
//! the homeserver loaded the file is told at start, not by a silent 403.

use std::path::Path;

use anyhow::{bail, Context as _};
use base64::Engine as _;
use rand::RngCore as _;
use ruma::api::appservice::{Namespace, Namespaces, Registration, RegistrationInit};

use crate::config::{AppserviceConfig, MatrixConfig};

/// The registration's `id` when smsdesk makes it.
pub const DEFAULT_ID: &str = "smsdesk";

/// What `write` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Written {
    /// A new file with new tokens.
    New,
    /// The file existed: its id and tokens were kept, the rest follows the config.
    Updated,
}

/// A token of 32 random bytes (URL-safe base64, 43 characters).
fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The exclusive user namespaces: the bot, its encrypting twin (for
/// encrypted rooms, `naming::twin_user`), and every ghost.
fn namespaces(matrix: &MatrixConfig, appservice: &AppserviceConfig) -> Namespaces {
    let server = regex::escape(matrix.user.server_name().as_str());
    let twin = super::naming::twin_user(&matrix.user);
    let mut namespaces = Namespaces::new();
    namespaces.users = vec![
        Namespace::new(true, format!("@{}:{server}", regex::escape(matrix.user.localpart()))),
        Namespace::new(true, format!("@{}:{server}", regex::escape(twin.localpart()))),
        Namespace::new(true, format!("@{}.*:{server}", regex::escape(&appservice.ghost_prefix))),
    ];
    namespaces
}

/// The registration for this config, with `id` and tokens from `kept`
/// when there is one.
pub fn build(
    matrix: &MatrixConfig,
    appservice: &AppserviceConfig,
    public_url: &str,
    kept: Option<&Registration>,
) -> Registration {
    RegistrationInit {
        id: kept.map_or_else(|| DEFAULT_ID.to_owned(), |r| r.id.clone()),
        url: Some(public_url.trim_end_matches('/').to_owned()),
        as_token: kept.map_or_else(new_token, |r| r.as_token.clone()),
        hs_token: kept.map_or_else(new_token, |r| r.hs_token.clone()),
        sender_localpart: matrix.user.localpart().to_owned(),
        namespaces: namespaces(matrix, appservice),
        rate_limited: Some(false),
        protocols: None,
    }
    .into()
}

/// The YAML the homeserver reads.
pub fn to_yaml(registration: &Registration) -> anyhow::Result<String> {
    Ok(serde_yaml_ng::to_string(registration)?)
}

/// Reads a registration file.
pub fn read(path: &Path) -> anyhow::Result<Registration> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "cannot read the appservice registration {} (write it with `smsdesk appservice-registration --config <file>` and add it to the homeserver)",
            path.display()
        )
    })?;
    let registration: Registration = serde_yaml_ng::from_str(&text)
        .with_context(|| format!("{} is not an appservice registration", path.display()))?;
    for (name, token) in [
        ("as_token", &registration.as_token),
        ("hs_token", &registration.hs_token),
    ] {
        if token.len() < 16 {
            bail!(
                "{}: {name} is shorter than 16 characters; let `smsdesk appservice-registration` make one",
                path.display()
            );
        }
    }
    if registration.as_token == registration.hs_token {
        bail!("{}: as_token and hs_token must differ", path.display());
    }
    Ok(registration)
}

/// Writes the registration for this config to `matrix.registration`,
/// keeping the tokens of the file already there; readable by its owner
/// only (it holds the tokens). Written whole or not at all.
pub fn write(
    matrix: &MatrixConfig,
    appservice: &AppserviceConfig,
    public_url: &str,
) -> anyhow::Result<(Registration, Written)> {
    let path = &appservice.registration;
    let kept = if path.exists() { Some(read(path)?) } else { None };
    let registration = build(matrix, appservice, public_url, kept.as_ref());
    let yaml = format!(
        "# smsdesk's appservice registration: add this file to the homeserver\n\
         # (Synapse: app_service_config_files) and restart it. Keep it secret:\n\
         # its tokens let anyone act as smsdesk and its customers' ghosts.\n{}",
        to_yaml(&registration)?
    );
    let tmp = path.with_extension("yaml.tmp");
    let write = || -> std::io::Result<()> {
        use std::io::Write as _;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        // Owner and group (0640): Synapse, often another user, reads it
        // through its group; nobody else may.
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o640);
        let mut file = options.open(&tmp)?;
        // The mode above is narrowed by the umask (`run`'s is 077).
        #[cfg(unix)]
        file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o640))?;
        file.write_all(yaml.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().with_context(|| format!("writing {}", path.display()))?;
    Ok((
        registration,
        if kept.is_some() { Written::Updated } else { Written::New },
    ))
}

/// Why `registration` does not fit this config, if it does not: the
/// homeserver would refuse the bot or its ghosts.
pub fn mismatch(registration: &Registration, matrix: &MatrixConfig, appservice: &AppserviceConfig) -> Option<String> {
    if registration.sender_localpart != matrix.user.localpart() {
        return Some(format!(
            "its sender_localpart {:?} is not the bot's name in matrix.user ({})",
            registration.sender_localpart, matrix.user
        ));
    }
    let ghost = format!("@{}15550000000:{}", appservice.ghost_prefix, matrix.user.server_name());
    let covers =
        |user: &str| {
            registration.namespaces.users.iter().any(|n| {
                n.exclusive && regex::Regex::new(&format!("^(?:{})$", n.regex)).is_ok_and(|re| re.is_match(user))
            })
        };
    if !covers(&ghost) {
        return Some(format!(
            "no exclusive users namespace covers the ghosts (e.g. {ghost}); matrix.ghost_prefix changed?"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::MatrixAuth;

    fn config(dir: &Path) -> (MatrixConfig, AppserviceConfig) {
        let appservice = AppserviceConfig {
            registration: dir.join("appservice.yaml"),
            ghost_prefix: "sms_".to_owned(),
        };
        let matrix = MatrixConfig {
            homeserver: "http://127.0.0.1:8008".to_owned(),
            user: "@smsdesk:example.com".try_into().unwrap(),
            auth: MatrixAuth::Appservice(appservice.clone()),
            adopt_account: false,
            encryption: false,
            recovery_key: None,
            language: Default::default(),
        };
        (matrix, appservice)
    }

    #[test]
    fn a_new_registration_has_fresh_tokens_and_the_ghost_namespace() {
        let dir = tempfile::tempdir().unwrap();
        let (matrix, appservice) = config(dir.path());
        let (first, written) = write(&matrix, &appservice, "http://127.0.0.1:8080/").unwrap();
        assert_eq!(written, Written::New);
        assert_eq!(first.as_token.len(), 43);
        assert_ne!(first.as_token, first.hs_token);
        assert_eq!(first.url.as_deref(), Some("http://127.0.0.1:8080"));
        assert_eq!(first.sender_localpart, "smsdesk");
        assert_eq!(first.rate_limited, Some(false));
        let text = std::fs::read_to_string(&appservice.registration).unwrap();
        assert!(text.contains("regex: '@sms_.*:example\\.com'"), "{text}");
        // The bot's encrypting twin, for encrypted rooms.
        assert!(text.contains("regex: '@smsdesk_e2ee:example\\.com'"), "{text}");
        assert!(text.contains("exclusive: true"), "{text}");
        assert_eq!(mismatch(&first, &matrix, &appservice), None);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&appservice.registration)
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(
                mode & 0o777,
                0o640,
                "the tokens are for the owner and Synapse's group only"
            );
        }
    }

    #[test]
    fn writing_again_keeps_the_tokens_and_follows_the_config() {
        let dir = tempfile::tempdir().unwrap();
        let (matrix, appservice) = config(dir.path());
        let (first, _) = write(&matrix, &appservice, "http://a:1").unwrap();
        let (second, written) = write(&matrix, &appservice, "http://b:2").unwrap();
        assert_eq!(written, Written::Updated);
        assert_eq!(
            (first.as_token, first.hs_token),
            (second.as_token.clone(), second.hs_token.clone())
        );
        assert_eq!(
            read(&appservice.registration).unwrap().url.as_deref(),
            Some("http://b:2")
        );
    }

    #[test]
    fn a_registration_that_no_longer_fits_the_config_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let (matrix, mut appservice) = config(dir.path());
        let (registration, _) = write(&matrix, &appservice, "http://a:1").unwrap();
        appservice.ghost_prefix = "text_".to_owned();
        let why = mismatch(&registration, &matrix, &appservice).unwrap();
        assert!(why.contains("ghost_prefix"), "{why}");
        let mut other = matrix.clone();
        other.user = "@desk:example.com".try_into().unwrap();
        assert!(mismatch(&registration, &other, &appservice)
            .unwrap()
            .contains("sender_localpart"));
    }

    #[test]
    fn a_broken_file_is_refused_with_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("appservice.yaml");
        let missing = format!("{:#}", read(&path).unwrap_err());
        assert!(missing.contains("smsdesk appservice-registration"), "{missing}");
        std::fs::write(&path, "id: x\nas_token: short\n").unwrap();
        let broken = format!("{:#}", read(&path).unwrap_err());
        assert!(broken.contains("appservice.yaml"), "{broken}");
    }
}
