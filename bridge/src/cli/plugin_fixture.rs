//! The fixtures of `smsdesk plugin run` and `plugin test`: one call
//! described in JSON (`"call"`: handle-webhook, build-send,
//! parse-send-response, pick, intake), optionally with what it must give
//! (`"expect"`, compared by `expect.rs`), or a recorded HTTP request handed
//! to a carrier's handle-webhook; and the call itself, on a plugin loaded
//! for it, giving the JSON `plugin run` prints.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{bail, Context};
use serde::Deserialize;
use serde_json::{json, Value};
use smsdesk_plugins::carrier::{HttpRequest, HttpResponse, OutboundMessage, WebhookError, WebhookKind};
use smsdesk_plugins::router::{pack, WitRouteRequest};
use smsdesk_plugins::{CarrierPlugin, PluginHost, RouterPlugin, Secrets};

use super::plugin_name::name_of;

/// What the command line adds to every fixture.
#[derive(Clone, Debug)]
pub struct Extra {
    pub settings: BTreeMap<String, String>,
    pub secrets: BTreeMap<String, String>,
    pub public_url: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "call", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Fixture {
    HandleWebhook {
        kind: WebhookKind,
        request: HttpRequest,
        #[serde(default)]
        settings: BTreeMap<String, String>,
        #[serde(default)]
        secrets: BTreeMap<String, String>,
    },
    BuildSend {
        message: OutboundMessage,
        #[serde(default)]
        settings: BTreeMap<String, String>,
        #[serde(default)]
        secrets: BTreeMap<String, String>,
    },
    ParseSendResponse {
        response: HttpResponse,
        #[serde(default)]
        settings: BTreeMap<String, String>,
        #[serde(default)]
        secrets: BTreeMap<String, String>,
    },
    Pick {
        request: PickRequest,
        candidates: Vec<PickCandidate>,
    },
    Intake {
        messages: Vec<String>,
        #[serde(default = "super::intake_run::default_entry")]
        entry: String,
        #[serde(default = "super::intake_run::default_customer")]
        customer: String,
        #[serde(default)]
        settings: BTreeMap<String, String>,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PickRequest {
    #[serde(default)]
    conversation: u64,
    queue: String,
    #[serde(default)]
    customer: String,
    #[serde(default)]
    entry: String,
    #[serde(default)]
    waited_ms: u64,
    #[serde(default)]
    required_skills: Vec<String>,
    #[serde(default)]
    settings: BTreeMap<String, String>,
    /// The intake bot's fields (routers since 0.3.0 see them).
    #[serde(default)]
    fields: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PickCandidate {
    id: u32,
    idle_ms: u64,
    #[serde(default)]
    load: u32,
    #[serde(default = "one")]
    capacity: u32,
    #[serde(default)]
    skills: Vec<String>,
    #[serde(default)]
    last_agent: bool,
}

fn one() -> u32 {
    1
}

/// A recorded request: request line, headers, blank line, body.
fn parse_recorded(text: &str, public_url: Option<&str>) -> anyhow::Result<(WebhookKind, HttpRequest)> {
    let (head, body) = text
        .split_once("\r\n\r\n")
        .or_else(|| text.split_once("\n\n"))
        .unwrap_or((text, ""));
    let mut lines = head.lines();
    let request_line = lines.next().context("the recorded request is empty")?;
    let mut parts = request_line.split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        bail!("the first line must be like `POST /webhooks/twilio/inbound HTTP/1.1`, got {request_line:?}");
    };
    let mut headers = Vec::new();
    for line in lines {
        let (name, value) = line
            .split_once(':')
            .with_context(|| format!("header line without a colon: {line:?}"))?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    let base = match public_url {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => {
            let host = headers
                .iter()
                .find(|(k, _)| k == "host")
                .map(|(_, v)| v.clone())
                .context("the recorded request has no Host header; pass --public-url")?;
            format!("https://{host}")
        }
    };
    let path = target.split('?').next().unwrap_or(target);
    let kind = if path.ends_with("/status") {
        WebhookKind::Status
    } else {
        WebhookKind::Inbound
    };
    Ok((
        kind,
        HttpRequest {
            method: method.to_owned(),
            url: format!("{base}{target}"),
            headers,
            body: body.as_bytes().to_vec(),
            received_at_ms: None,
        },
    ))
}

fn carrier(
    host: &PluginHost,
    file: &Path,
    mut settings: BTreeMap<String, String>,
    mut secrets: BTreeMap<String, String>,
    extra: Extra,
) -> anyhow::Result<CarrierPlugin> {
    settings.extend(extra.settings);
    secrets.extend(extra.secrets);
    Ok(CarrierPlugin::load(
        host,
        &name_of(file),
        file,
        settings.into_iter().collect(),
        Secrets::new(secrets),
    )?)
}

/// What one fixture's call gave: the JSON `plugin run` prints, and whether
/// the plugin failed (an intake turn that trapped).
pub struct Output {
    pub value: Value,
    pub failed: bool,
}

/// Makes `fixture`'s call (for an intake bot, its turns) on the plugin in `file`.
pub fn call(file: &Path, fixture: Fixture, extra: Extra, host: &PluginHost) -> anyhow::Result<Output> {
    let value = match fixture {
        Fixture::HandleWebhook {
            kind,
            request,
            settings,
            secrets,
        } => {
            let plugin = carrier(host, file, settings, secrets, extra)?;
            match plugin.handle_webhook(kind, &request)? {
                Ok(result) => json!({ "ok": result }),
                Err(rejected) => json!({ "rejected": rejected, "http_status": match rejected {
                    WebhookError::BadSignature(_) => 403,
                    WebhookError::Malformed(_) => 400,
                    WebhookError::RetryLater(_) => 503,
                } }),
            }
        }
        Fixture::BuildSend {
            message,
            settings,
            secrets,
        } => {
            let plugin = carrier(host, file, settings, secrets, extra)?;
            match plugin.build_send(&message)? {
                Ok(request) => json!({ "ok": request }),
                Err(message) => json!({ "error": message }),
            }
        }
        Fixture::ParseSendResponse {
            response,
            settings,
            secrets,
        } => {
            let plugin = carrier(host, file, settings, secrets, extra)?;
            json!({ "ok": plugin.parse_send_response(&response)? })
        }
        Fixture::Intake {
            messages,
            entry,
            customer,
            settings,
        } => {
            let fixture = super::intake_run::IntakeFixture {
                messages,
                entry,
                customer,
                settings,
            };
            let (value, failed) = super::intake_run::run(host, file, fixture, extra.settings)?;
            return Ok(Output { value, failed });
        }
        Fixture::Pick { request, candidates } => pick(host, file, request, &candidates, extra.settings)?,
    };
    Ok(Output { value, failed: false })
}

/// A JSON call description with what it must give (`"expect"`, if any),
/// or a recorded HTTP request (a webhook call, nothing expected).
pub fn read(fixture_path: &Path, public_url: Option<&str>) -> anyhow::Result<(Fixture, Option<Value>)> {
    let text = std::fs::read_to_string(fixture_path)
        .with_context(|| format!("cannot read fixture {}", fixture_path.display()))?;
    if text.trim_start().starts_with('{') {
        let invalid = || format!("fixture {} is not a valid call description", fixture_path.display());
        let mut value: Value = serde_json::from_str(&text).with_context(invalid)?;
        let expect = value.as_object_mut().and_then(|o| o.remove("expect"));
        return Ok((serde_json::from_value(value).with_context(invalid)?, expect));
    }
    let (kind, request) = parse_recorded(&text, public_url)?;
    let fixture = Fixture::HandleWebhook {
        kind,
        request,
        settings: BTreeMap::new(),
        secrets: BTreeMap::new(),
    };
    Ok((fixture, None))
}

/// A router fixture: the candidates packed as the host packs them (skills
/// as a 64-bit mask over the names the fixture uses), then one pick.
fn pick(
    host: &PluginHost,
    file: &Path,
    request: PickRequest,
    candidates: &[PickCandidate],
    extra_settings: BTreeMap<String, String>,
) -> anyhow::Result<serde_json::Value> {
    let mut settings = request.settings;
    settings.extend(extra_settings);
    let mut plugin = RouterPlugin::load(host, &name_of(file), file, settings.clone().into_iter().collect())?;
    let names = skill_names(&request.required_skills, candidates)?;
    let mask = |skills: &[String]| {
        skills
            .iter()
            .filter_map(|s| names.iter().position(|n| n == s))
            .fold(0u64, |m, i| m | 1 << i)
    };
    let packed: Vec<u64> = candidates
        .iter()
        .flat_map(|c| pack(c.id, c.idle_ms, c.load, c.capacity, mask(&c.skills), c.last_agent))
        .collect();
    let wit = WitRouteRequest {
        conversation: request.conversation,
        queue: request.queue,
        customer: request.customer,
        entry: request.entry,
        waited_ms: request.waited_ms,
        required_skills: mask(&request.required_skills),
        skill_names: names.clone(),
        settings: settings.into_iter().collect(),
        fields: request.fields.into_iter().collect(),
    };
    Ok(match plugin.pick_raw(&wit, &packed)? {
        smsdesk_plugins::router::Choice::Agent(i) => {
            json!({ "pick": i, "agent_id": candidates.get(i as usize).map(|c| c.id) })
        }
        smsdesk_plugins::router::Choice::Wait => json!({ "pick": "wait", "agent_id": "none" }),
    })
}

/// Every skill the fixture names, required ones first; refuses more than
/// a router can see, and candidates whose load or capacity cannot be packed.
fn skill_names(required: &[String], candidates: &[PickCandidate]) -> anyhow::Result<Vec<String>> {
    let mut names: Vec<String> = required.to_vec();
    for c in candidates {
        for s in &c.skills {
            if !names.contains(s) {
                names.push(s.clone());
            }
        }
    }
    if names.len() > smsdesk_plugins::router::MAX_SKILLS {
        bail!(
            "the fixture names {} distinct skills; a router sees at most {} (they travel as a 64-bit mask)",
            names.len(),
            smsdesk_plugins::router::MAX_SKILLS
        );
    }
    if let Some(c) = candidates
        .iter()
        .find(|c| c.load > 0xffff || c.capacity > 0x7fff || c.capacity == 0)
    {
        bail!(
            "candidate {}: load {} and capacity {} are out of range (load 0 to 65535, capacity 1 to 32767)",
            c.id,
            c.load,
            c.capacity
        );
    }
    Ok(names)
}
