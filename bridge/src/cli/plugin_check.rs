//! `smsdesk plugin check <file.wasm>`: what the plugin is (world, interface
//! version, imports, exports), then a few calls on built-in inputs for its
//! world, under the real sandbox. A plugin that traps (a panic, with the
//! message and place it printed), runs out of time or memory, or answers
//! out of bounds fails the check with exit code 1. A carrier or router that
//! refuses an input politely (an error value) passes; an intake bot's error
//! is a failure (smsdesk would queue the conversation), so it fails.
//!
//! What would go wrong in production is said too: a carrier whose webhook
//! check asks for a secret it was not given (`--secret`) is told which; an
//! intake bot that neither queues nor closes after several ordinary turns
//! is warned. Then the crate's fixtures run as in `plugin test`, and one
//! that fails (a trap, a loop past the CPU budget, memory past the cap)
//! fails the check, named.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use smsdesk_plugins::carrier::{HttpRequest, HttpResponse, OutboundMessage, WebhookKind};
use smsdesk_plugins::intake::{IntakeRequest, Next};
use smsdesk_plugins::router::{pack, WitRouteRequest};
use smsdesk_plugins::{CarrierPlugin, IntakePlugin, PluginError, RouterPlugin, Secrets, World};

use super::plugin_args::LimitArgs;
use super::plugin_fixture::Extra;
use super::plugin_test::Tally;

/// The crate's fixtures for a built `file`: a `fixtures/` folder beside a
/// Cargo.toml in one of the file's first few parent folders (a crate's
/// `target/wasm32-wasip2/release/x.wasm` finds the crate's).
fn crate_fixtures(file: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(file).ok()?;
    start
        .ancestors()
        .skip(1)
        .take(4)
        .find(|dir| dir.join("fixtures").is_dir() && dir.join("Cargo.toml").is_file())
        .map(|dir| dir.join("fixtures"))
}

pub fn check(file: &Path, fixtures: Option<PathBuf>, extra: &Extra, limits: &LimitArgs) -> anyhow::Result<ExitCode> {
    let host = limits.host()?;
    let settings: Vec<(String, String)> = extra.settings.clone().into_iter().collect();
    let name = super::plugin_name::name_of(file);
    let (_, info, _) = host.load(file)?;
    println!("plugin:     {}", file.display());
    println!("world:      {}", info.world.name());
    println!(
        "interface:  smsdesk:plugin@{} (this smsdesk supports {})",
        info.version,
        smsdesk_plugins::SUPPORTED_VERSIONS.join(", ")
    );
    println!("exports:");
    for e in &info.exports {
        println!("  {e}");
    }
    println!("imports:");
    for i in &info.imports {
        println!("  {i}");
    }
    // Instantiate it for real (missing imports or a start-up trap show
    // here), then call it.
    let mut warnings = Vec::new();
    let calls = match info.world {
        World::Carrier => {
            // The author's settings first: plugins read the first match.
            let mut carrier_settings = settings;
            carrier_settings.push(("api_base".to_owned(), "https://carrier.example".to_owned()));
            let secrets = Secrets::new(extra.secrets.clone());
            let plugin = CarrierPlugin::load(&host, &name, file, carrier_settings, secrets)?;
            let calls = carrier_calls(&plugin);
            for secret in plugin.missing_secrets() {
                warnings.push(format!(
                    "{name}'s webhook check needs the secret {secret:?}, and none was given: pass \
                     --secret-env {secret}=SOME_VAR (or --secret {secret}=…); in smsdesk it goes in \
                     [carriers.config] as {secret}, or every webhook is answered 503"
                ));
            }
            calls
        }
        World::Router => router_calls(&mut RouterPlugin::load(&host, &name, file, settings.clone())?, settings),
        World::Intake => {
            let plugin = IntakePlugin::load(&host, &name, file, settings)?;
            let (calls, warning) = intake_calls(&plugin);
            warnings.extend(warning);
            calls
        }
    };
    let mut failed = 0;
    println!("calls:");
    for (what, outcome) in &calls {
        match outcome {
            Ok(summary) => println!("  ok      {what}: {summary}"),
            Err(error) => {
                failed += 1;
                println!("  FAILED  {what}: {error}");
            }
        }
    }
    for warning in &warnings {
        println!("warning:    {warning}");
    }
    let fixtures = fixtures.or_else(|| crate_fixtures(file));
    let tally = match &fixtures {
        Some(dir) => {
            println!("fixtures:   {}", dir.display());
            super::plugin_test::run_folder(file, dir, extra, limits, "  ")?
        }
        None => Tally::default(),
    };
    if failed > 0 || tally.failed > 0 {
        println!(
            "status:     FAILED ({failed} of {} built-in calls, {} of {} fixtures)",
            calls.len(),
            tally.failed,
            tally.total
        );
        return Ok(ExitCode::FAILURE);
    }
    println!(
        "status:     ok (instantiated in the sandbox; {} built-in calls answered; {} fixtures passed{})",
        calls.len(),
        tally.total,
        if warnings.is_empty() {
            String::new()
        } else {
            format!("; {} warning(s)", warnings.len())
        }
    );
    Ok(ExitCode::SUCCESS)
}

type Call = (&'static str, Result<String, PluginError>);

fn short(value: impl std::fmt::Debug) -> String {
    let text = format!("{value:?}");
    match text.char_indices().nth(100) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text,
    }
}

fn carrier_calls(plugin: &CarrierPlugin) -> Vec<Call> {
    let unsigned = HttpRequest {
        method: "POST".into(),
        url: "https://desk.example.com/webhooks/check/inbound".into(),
        headers: vec![("content-type".into(), "application/x-www-form-urlencoded".into())],
        body: b"From=%2B15557654321&To=%2B15550001111&Body=hi".to_vec(),
        received_at_ms: None,
    };
    let message = OutboundMessage {
        message_id: "1".into(),
        from: "+15550001111".into(),
        to: "+15557654321".into(),
        body: "Hello from smsdesk plugin check".into(),
        media_urls: Vec::new(),
        status_callback_url: Some("https://desk.example.com/webhooks/check/status".into()),
    };
    let answer = |status: u16, body: &str| HttpResponse {
        status,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.as_bytes().to_vec(),
    };
    vec![
        (
            "handle-webhook (an unsigned inbound request)",
            plugin.handle_webhook(WebhookKind::Inbound, &unsigned).map(short),
        ),
        (
            "handle-webhook (an empty status request)",
            plugin
                .handle_webhook(
                    WebhookKind::Status,
                    &HttpRequest {
                        body: Vec::new(),
                        ..unsigned.clone()
                    },
                )
                .map(short),
        ),
        (
            "handle-webhook (a wrong signature, in Twilio's and Telnyx's headers)",
            plugin
                .handle_webhook(
                    WebhookKind::Inbound,
                    &crate::config::dry_run::junk_signed(unsigned.url.clone()),
                )
                .map(short),
        ),
        ("build-send (a short SMS)", plugin.build_send(&message).map(short)),
        (
            "parse-send-response (200 with JSON)",
            plugin.parse_send_response(&answer(200, r#"{"id":"x"}"#)).map(short),
        ),
        (
            "parse-send-response (503, not JSON)",
            plugin.parse_send_response(&answer(503, "<html>down</html>")).map(short),
        ),
    ]
}

/// `settings` travel in the request, as a queue's router settings do.
fn router_calls(plugin: &mut RouterPlugin, settings: Vec<(String, String)>) -> Vec<Call> {
    let request = WitRouteRequest {
        conversation: 1,
        queue: "billing".into(),
        customer: "+15557654321".into(),
        entry: "+15550001111".into(),
        waited_ms: 1_000,
        required_skills: 0,
        skill_names: vec!["en".into()],
        settings,
        fields: vec![("topic".into(), "billing".into())],
    };
    let three: Vec<u64> = (0..3u32)
        .flat_map(|i| pack(i, 1_000 * u64::from(i + 1), i, 3, 1, false))
        .collect();
    let one = pack(7, 0, 0, 1, 0, true).to_vec();
    vec![
        ("pick (three candidates)", plugin.pick_raw(&request, &three).map(short)),
        (
            "pick (one busy-free candidate, last agent)",
            plugin.pick_raw(&request, &one).map(short),
        ),
    ]
}

/// What an ordinary customer might text, turn after turn.
const ORDINARY: [&str; 8] = ["hello", "1", "yes", "Ada Lovelace", "12345678", "2", "no", "thanks"];

/// Two one-off turns, then an ordinary conversation with the state handed
/// back each turn: a warning when it neither queues nor closes by the end.
fn intake_calls(plugin: &IntakePlugin) -> (Vec<Call>, Option<String>) {
    let request = |turn: u32, body: &str, state: Vec<u8>| IntakeRequest {
        conversation: 1,
        entry: "+15550001111".into(),
        customer: "+15557654321".into(),
        body: body.into(),
        media_urls: Vec::new(),
        turn,
        state,
        received_at_ms: 0,
    };
    let mut calls: Vec<Call> = vec![
        (
            "handle (turn 1: \"hello\")",
            plugin.turn(&request(1, "hello", Vec::new())).map(short),
        ),
        (
            "handle (turn 2, no state: \"\")",
            plugin.turn(&request(2, "", Vec::new())).map(short),
        ),
    ];
    let mut state = Vec::new();
    for (i, body) in ORDINARY.iter().enumerate() {
        let turn = u32::try_from(i + 1).unwrap_or(u32::MAX);
        match plugin.turn(&request(turn, body, std::mem::take(&mut state))) {
            Ok(answer) if answer.next == Next::Wait => state = answer.state,
            Ok(answer) => {
                calls.push((
                    "handle (an ordinary conversation)",
                    Ok(format!("done after {turn} turns: {}", short(&answer.next))),
                ));
                return (calls, None);
            }
            Err(error) => {
                calls.push(("handle (an ordinary conversation)", Err(error)));
                return (calls, None);
            }
        }
    }
    calls.push((
        "handle (an ordinary conversation)",
        Ok(format!("still waiting after {} turns", ORDINARY.len())),
    ));
    let warning = format!(
        "after {} ordinary messages ({}) the bot neither queued nor closed the conversation: a customer \
         who keeps texting stays with it (smsdesk queues only after intake_timeout of silence)",
        ORDINARY.len(),
        ORDINARY.join(", ")
    );
    (calls, Some(warning))
}
