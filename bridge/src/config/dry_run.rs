//! Dry runs of each carrier plugin that has an entry point, with its
//! config, as `check-config` and `run` do before starting:
//! `carriers_can_send` builds a message from that number and checks the
//! host could send it (settings it needs are there and readable, the
//! credentials it names exist, the host it sends to is allowed);
//! `carriers_can_verify` hands it a webhook with a junk signature, which it
//! must refuse as unsigned: a plugin that answers "cannot judge it now"
//! lacks something to verify with (Telnyx's `public_key`), and every real
//! webhook would be answered 503.

use smsdesk_plugins::carrier::{HttpRequest, OutboundMessage, WebhookError, WebhookKind};
use smsdesk_plugins::{CarrierPlugin, PluginHost, Secrets};

use super::carriers::CarrierConfig;
use super::reader::join;
use super::{Config, ConfigError};

/// How messages name a carrier's plugin: its name in the config and its file.
fn who(c: &CarrierConfig) -> String {
    let file = c
        .plugin
        .file_name()
        .map_or_else(|| c.plugin.display().to_string(), |f| f.to_string_lossy().into_owned());
    format!("carrier {}'s plugin ({file})", c.name)
}

/// The carrier's plugin with its config; None when it does not load
/// (`check::plugin_worlds` reports that).
fn load(host: &PluginHost, c: &CarrierConfig) -> Option<CarrierPlugin> {
    CarrierPlugin::load(
        host,
        c.name.as_str(),
        &c.plugin,
        c.settings.clone(),
        Secrets::new(c.secrets.clone()),
    )
    .ok()
}

/// A dry run of each carrier that has an entry point: the plugin builds a
/// message from that number, and the host checks it could send it.
pub fn carriers_can_send(config: &Config, host: &PluginHost) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    let mut error = |key: String, message: String| {
        errors.push(ConfigError {
            file: config.file.clone(),
            key,
            message,
        })
    };
    for c in &config.carriers {
        let Some(from) = config.entry_points.iter().find(|e| e.entry.carrier == c.name) else {
            continue; // sends nothing
        };
        let Some(plugin) = load(host, c) else {
            continue;
        };
        let message = OutboundMessage {
            message_id: "0".into(),
            from: from.entry.number.to_string(),
            to: "+15550000000".into(),
            body: "smsdesk check-config".into(),
            media_urls: Vec::new(),
            status_callback_url: Some(format!("{}/webhooks/{}/status", config.public_url, c.name)),
        };
        let who = who(c);
        let secrets: Vec<&str> = c.secrets.iter().map(|(k, _)| k.as_str()).collect();
        let unreadable = if secrets.is_empty() {
            String::new()
        } else {
            format!(
                " (a plugin cannot read secrets: {}; an entry it must read goes in [carriers.config] under a name without token/secret/password/key)",
                secrets.join(", ")
            )
        };
        let request = match plugin.build_send(&message) {
            Ok(Ok(request)) => request,
            Ok(Err(why)) => {
                error(
                    join(&c.key, "config"),
                    format!("{who} cannot send with this config: {why}{unreadable}"),
                );
                continue;
            }
            Err(e) => {
                error(
                    join(&c.key, "plugin"),
                    format!("{who} failed while building a message: {e}"),
                );
                continue;
            }
        };
        match reqwest::Url::parse(&request.url) {
            Ok(url) => {
                if let Err(host) = c.check_host(&url) {
                    error(
                        join(&c.key, "allowed_hosts"),
                        format!("{who} sends to {host} ({}), which is not listed", request.url),
                    );
                }
            }
            Err(e) => error(
                join(&c.key, "config"),
                format!("{who} builds an invalid URL {:?}: {e}", request.url),
            ),
        }
        // The host fills in the credential: nothing for the plugin to read.
        if let Err(why) = plugin.authorization(&request.auth) {
            error(
                join(&c.key, "config"),
                format!(
                    "{why}: add it to [carriers.config] or [carriers.secrets] (the host signs the request with it)"
                ),
            );
        }
    }
    errors
}

/// Junk signature headers in the shapes carriers use (Twilio's HMAC,
/// Telnyx's Ed25519 with a fresh timestamp): a plugin reaches its key
/// lookup before it can say the signature is wrong.
pub(crate) fn junk_signed(url: String) -> HttpRequest {
    use base64::Engine as _;
    let b64 = |n: usize| base64::engine::general_purpose::STANDARD.encode(vec![0u8; n]);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    HttpRequest {
        method: "POST".into(),
        url,
        headers: vec![
            ("x-twilio-signature".into(), b64(20)),
            ("telnyx-signature-ed25519".into(), b64(64)),
            ("telnyx-timestamp".into(), now.to_string()),
            ("content-type".into(), "application/x-www-form-urlencoded".into()),
        ],
        body: Vec::new(),
        received_at_ms: None,
    }
}

/// A webhook with a junk signature to each carrier that has an entry
/// point: refused as unsigned or malformed is right; "cannot judge it now"
/// means its config lacks what it verifies with.
pub fn carriers_can_verify(config: &Config, host: &PluginHost) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    for c in &config.carriers {
        if !config.entry_points.iter().any(|e| e.entry.carrier == c.name) {
            continue;
        }
        let Some(plugin) = load(host, c) else {
            continue;
        };
        let url = format!("{}/webhooks/{}/inbound", config.public_url, c.name);
        let answer = plugin.handle_webhook(WebhookKind::Inbound, &junk_signed(url));
        // The secrets its signature check asked for and the config lacks.
        let missing = plugin.missing_secrets();
        for name in &missing {
            errors.push(ConfigError {
                file: config.file.clone(),
                key: join(&join(&c.key, "config"), name),
                message: format!(
                    "{} checks webhook signatures with the secret {name:?}, which is not set: add it to \
                     [carriers.config] (e.g. {name} = \"${{{}}}\"); without it every webhook would be answered 503",
                    who(c),
                    format!("{}_{name}", c.name).to_uppercase().replace('-', "_"),
                ),
            });
        }
        if let (true, Ok(Err(WebhookError::RetryLater(why)))) = (missing.is_empty(), answer) {
            errors.push(ConfigError {
                file: config.file.clone(),
                key: join(&c.key, "config"),
                message: format!(
                    "{} cannot check a webhook's signature with this config ({why}); every webhook would be answered 503",
                    who(c)
                ),
            });
        }
    }
    errors
}
