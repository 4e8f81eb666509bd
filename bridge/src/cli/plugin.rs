//! `smsdesk plugin check <file.wasm>` and `smsdesk plugin run <file.wasm>
//! <fixture>`: a plugin author's loop without a server. `check` shows the
//! world, interface version, imports and exports and tries to instantiate
//! the plugin under the real sandbox. `run` makes one call on a JSON fixture
//! or a recorded HTTP request and prints the result as JSON.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use serde::Deserialize;
use smsdesk_plugins::carrier::{HttpRequest, HttpResponse, OutboundMessage, WebhookKind};
use smsdesk_plugins::router::{pack, WitRouteRequest};
use smsdesk_plugins::{CarrierPlugin, Limits, PluginHost, RouterPlugin, Secrets};

use super::plugin_name::name_of;

#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// Show a plugin's world, interface version, imports and exports, and
    /// check that it loads in the sandbox and answers a few built-in calls
    /// without trapping.
    Check {
        /// The plugin component (.wasm).
        file: PathBuf,
        /// A setting handed to every built-in call, `name=value` (repeatable).
        #[arg(long = "setting", value_name = "NAME=VALUE")]
        settings: Vec<String>,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Start a new plugin: a crate that builds on its own (with the
    /// interface and, for routers, the SDK inside), an example for the
    /// world, and a fixture that `plugin run` passes.
    New {
        /// router, carrier or intake.
        world: String,
        /// The new crate's directory (its name is the crate's name).
        dir: PathBuf,
    },
    /// Run one plugin call on a fixture and print the result as JSON.
    ///
    /// The fixture is JSON with a "call" field: "handle-webhook" (with
    /// "kind" and "request"), "build-send" (with "message"),
    /// "parse-send-response" (with "response") for carriers, "pick"
    /// (with "request" and "candidates") for routers, or "intake" (with
    /// "messages", the customer's SMS in order) for intake bots, which
    /// runs one turn per SMS until the bot queues or closes. Or it is a recorded
    /// HTTP request (request line, headers, blank line, body), which is
    /// handed to a carrier's handle-webhook. See examples/fixtures/.
    Run {
        /// The plugin component (.wasm).
        file: PathBuf,
        /// The fixture: a .json call description or a recorded HTTP request.
        fixture: PathBuf,
        /// A non-secret setting, `name=value` (repeatable); adds to the fixture's "settings".
        #[arg(long = "setting", value_name = "NAME=VALUE")]
        settings: Vec<String>,
        /// A secret, `name=value` (repeatable); adds to the fixture's "secrets".
        /// Prefer `--secret-env name=ENV_VAR` to keep it out of shell history.
        #[arg(long = "secret", value_name = "NAME=VALUE")]
        secrets: Vec<String>,
        /// A secret read from an environment variable, `name=ENV_VAR` (repeatable).
        #[arg(long = "secret-env", value_name = "NAME=ENV_VAR")]
        secret_env: Vec<String>,
        /// For recorded requests: the public base URL the carrier called
        /// (default: https:// and the request's Host header).
        #[arg(long, value_name = "URL")]
        public_url: Option<String>,
        #[command(flatten)]
        limits: LimitArgs,
    },
}

#[derive(Debug, Args)]
pub struct LimitArgs {
    /// CPU budget of one call, in milliseconds.
    #[arg(long, default_value_t = 100)]
    budget_ms: u64,
    /// Memory cap of one instance, in MiB: all its memories and tables together.
    #[arg(long, default_value_t = 64)]
    memory_mib: usize,
}

impl LimitArgs {
    fn host(&self) -> anyhow::Result<PluginHost> {
        Ok(PluginHost::new(
            Limits {
                cpu_budget: Duration::from_millis(self.budget_ms),
                memory: self.memory_mib << 20,
            },
            None,
        )?)
    }
}

impl PluginCommand {
    pub fn run(self) -> anyhow::Result<ExitCode> {
        match self {
            PluginCommand::New { world, dir } => super::scaffold::new(super::scaffold::world_named(&world)?, &dir),
            PluginCommand::Check { file, settings, limits } => {
                let settings = pairs(&settings, "--setting")?.into_iter().collect();
                super::plugin_check::check(&file, settings, &limits.host()?)
            }
            PluginCommand::Run {
                file,
                fixture,
                settings,
                secrets,
                secret_env,
                public_url,
                limits,
            } => {
                let mut extra_secrets = pairs(&secrets, "--secret")?;
                for (name, var) in pairs(&secret_env, "--secret-env")? {
                    let value = std::env::var(&var)
                        .with_context(|| format!("--secret-env {name}={var}: environment variable {var} is not set"))?;
                    extra_secrets.insert(name, value);
                }
                let extra = Extra {
                    settings: pairs(&settings, "--setting")?,
                    secrets: extra_secrets,
                    public_url,
                };
                run(&file, &fixture, extra, &limits.host()?)
            }
        }
    }
}

fn pairs(items: &[String], flag: &str) -> anyhow::Result<BTreeMap<String, String>> {
    items
        .iter()
        .map(|item| match item.split_once('=') {
            Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
            _ => bail!("{flag} {item:?}: expected NAME=VALUE"),
        })
        .collect()
}

struct Extra {
    settings: BTreeMap<String, String>,
    secrets: BTreeMap<String, String>,
    public_url: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "call", rename_all = "kebab-case", deny_unknown_fields)]
enum Fixture {
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
struct PickRequest {
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
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PickCandidate {
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

/// `plugin run`: reads the fixture, makes its one call, prints the result.
fn run(file: &Path, fixture_path: &Path, extra: Extra, host: &PluginHost) -> anyhow::Result<ExitCode> {
    let fixture = read_fixture(fixture_path, extra.public_url.as_deref())?;
    let started = Instant::now();
    let output = match fixture {
        Fixture::HandleWebhook {
            kind,
            request,
            settings,
            secrets,
        } => {
            let plugin = carrier(host, file, settings, secrets, extra)?;
            match plugin.handle_webhook(kind, &request)? {
                Ok(result) => serde_json::json!({ "ok": result }),
                Err(rejected) => serde_json::json!({ "rejected": rejected, "http_status": match rejected {
                    smsdesk_plugins::carrier::WebhookError::BadSignature(_) => 403,
                    smsdesk_plugins::carrier::WebhookError::Malformed(_) => 400,
                    smsdesk_plugins::carrier::WebhookError::RetryLater(_) => 503,
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
                Ok(request) => serde_json::json!({ "ok": request }),
                Err(message) => serde_json::json!({ "error": message }),
            }
        }
        Fixture::ParseSendResponse {
            response,
            settings,
            secrets,
        } => {
            let plugin = carrier(host, file, settings, secrets, extra)?;
            serde_json::json!({ "ok": plugin.parse_send_response(&response)? })
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
            let (output, failed) = super::intake_run::run(host, file, fixture, extra.settings)?;
            if failed {
                println!("{}", serde_json::to_string_pretty(&output)?);
                return Ok(ExitCode::FAILURE);
            }
            output
        }
        Fixture::Pick { request, candidates } => pick(host, file, request, &candidates, extra.settings)?,
    };
    println!("{}", serde_json::to_string_pretty(&output)?);
    eprintln!("(load + call took {:.2} ms)", started.elapsed().as_secs_f64() * 1e3);
    Ok(ExitCode::SUCCESS)
}

/// A JSON call description, or a recorded HTTP request (a webhook call).
fn read_fixture(fixture_path: &Path, public_url: Option<&str>) -> anyhow::Result<Fixture> {
    let text = std::fs::read_to_string(fixture_path)
        .with_context(|| format!("cannot read fixture {}", fixture_path.display()))?;
    if text.trim_start().starts_with('{') {
        return serde_json::from_str(&text)
            .with_context(|| format!("fixture {} is not a valid call description", fixture_path.display()));
    }
    let (kind, request) = parse_recorded(&text, public_url)?;
    Ok(Fixture::HandleWebhook {
        kind,
        request,
        settings: BTreeMap::new(),
        secrets: BTreeMap::new(),
    })
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
    };
    Ok(match plugin.pick_raw(&wit, &packed)? {
        smsdesk_plugins::router::Choice::Agent(i) => {
            serde_json::json!({ "pick": i, "agent_id": candidates.get(i as usize).map(|c| c.id) })
        }
        smsdesk_plugins::router::Choice::Wait => serde_json::json!({ "pick": "wait" }),
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
