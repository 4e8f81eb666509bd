//! `smsdesk plugin check <file.wasm>`: what the plugin is (world, interface
//! version, imports, exports), then a few calls on built-in inputs for its
//! world, under the real sandbox. A plugin that traps (a panic, with the
//! message and place it printed), runs out of time or memory, or answers
//! out of bounds fails the check with exit code 1. A carrier or router that
//! refuses an input politely (an error value) passes; an intake bot's error
//! is a failure (smsdesk would queue the conversation), so it fails.

use std::path::Path;
use std::process::ExitCode;

use smsdesk_plugins::carrier::{HttpRequest, HttpResponse, OutboundMessage, WebhookKind};
use smsdesk_plugins::intake::IntakeRequest;
use smsdesk_plugins::router::{pack, WitRouteRequest};
use smsdesk_plugins::{CarrierPlugin, IntakePlugin, PluginError, PluginHost, RouterPlugin, Secrets, World};

pub fn check(file: &Path, settings: Vec<(String, String)>, host: &PluginHost) -> anyhow::Result<ExitCode> {
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
    let calls = match info.world {
        World::Carrier => {
            // The author's settings first: plugins read the first match.
            let mut carrier_settings = settings;
            carrier_settings.push(("api_base".to_owned(), "https://carrier.example".to_owned()));
            carrier_calls(&CarrierPlugin::load(
                host,
                &name,
                file,
                carrier_settings,
                Secrets::default(),
            )?)
        }
        World::Router => router_calls(&mut RouterPlugin::load(host, &name, file, settings.clone())?, settings),
        World::Intake => intake_calls(&IntakePlugin::load(host, &name, file, settings)?),
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
    if failed > 0 {
        println!("status:     FAILED ({failed} of {} built-in calls)", calls.len());
        return Ok(ExitCode::FAILURE);
    }
    println!(
        "status:     ok (instantiated in the sandbox; {} built-in calls answered)",
        calls.len()
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

fn intake_calls(plugin: &IntakePlugin) -> Vec<Call> {
    let request = |turn: u32, body: &str| IntakeRequest {
        conversation: 1,
        entry: "+15550001111".into(),
        customer: "+15557654321".into(),
        body: body.into(),
        media_urls: Vec::new(),
        turn,
        state: Vec::new(),
        received_at_ms: 0,
    };
    vec![
        (
            "handle (turn 1: \"hello\")",
            plugin.turn(&request(1, "hello")).map(short),
        ),
        (
            "handle (turn 2, no state: \"\")",
            plugin.turn(&request(2, "")).map(short),
        ),
    ]
}
