//! Plugin host benchmark. One run prints:
//! - a routing decision over 1,000 candidates through the WebAssembly
//!   longest-available router vs the same policy in native Rust (target <= 3x);
//! - loading a plugin from the precompiled cache vs compiling it;
//! - Twilio inbound webhook verify + parse per second, next to the native
//!   HMAC-SHA1 of the same bytes (what the plugin asks the host to do);
//! - Telnyx inbound webhook verify + parse per second, next to a bare native
//!   Ed25519 verify of the same bytes;
//! - one intake turn (a fresh instance of the menu bot and its call), next
//!   to one Twilio webhook call: what intake adds to a new customer's SMS.
//!
//! Run: `cargo bench -p smsdesk-plugins --bench plugins` (after `bash scripts/build-plugins.sh`).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use base64::Engine as _;
use hmac::Mac;
use smsdesk_core::routing::{Candidate, LongestAvailable, Pick, RouteRequest, Router};
use smsdesk_core::*;
use smsdesk_plugins::carrier::{HttpRequest, WebhookKind};
use smsdesk_plugins::{CarrierPlugin, Limits, PluginHost, RouterPlugin, Secrets};

fn plugin(name: &str) -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../examples/plugins/dist/{name}.wasm"));
    assert!(
        p.exists(),
        "{} missing: run `bash scripts/build-plugins.sh`",
        p.display()
    );
    p
}

/// Median time per iteration of `f`, over `rounds` rounds of `iters` each.
fn median(rounds: usize, iters: u32, mut f: impl FnMut()) -> Duration {
    let mut samples: Vec<Duration> = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..iters {
                f();
            }
            start.elapsed() / iters
        })
        .collect();
    samples.sort();
    samples[samples.len() / 2]
}

fn routing(host: &PluginHost) {
    let agents: Vec<AgentId> = (0..1000)
        .map(|i| AgentId::new(format!("@agent{i:04}:example.com")))
        .collect();
    let no_skills = BTreeSet::new();
    let candidates: Vec<Candidate<'_>> = agents
        .iter()
        .enumerate()
        .map(|(i, a)| Candidate {
            agent: a,
            ordinal: i as u32,
            idle: Duration::from_millis((i as u64 * 7919) % 100_000),
            load: (i % 3) as u32,
            capacity: 3,
            skills: &no_skills,
        })
        .collect();
    let queue = QueueName::from("billing");
    let customer = CustomerNumber::from("+15557770001");
    let entry = EntryNumber::parse("+15550001111").expect("entry");
    let request = RouteRequest {
        conversation: ConversationId(1),
        queue: &queue,
        customer: &customer,
        entry: &entry,
        waited: Duration::from_secs(3),
        last_agent: None,
        required_skills: &no_skills,
        fields: &[],
    };
    let mut wasm = RouterPlugin::load(host, "longest-available", &plugin("router-longest-available"), vec![])
        .expect("load router");
    let expected = LongestAvailable::choose(&candidates).map_or(Pick::Wait, Pick::Agent);
    assert_eq!(
        wasm.pick(&request, &candidates).expect("pick"),
        expected,
        "plugin and native disagree"
    );
    let native = median(15, 200, || {
        std::hint::black_box(LongestAvailable::choose(std::hint::black_box(&candidates)));
    });
    let plugin_time = median(15, 50, || {
        std::hint::black_box(wasm.pick(&request, &candidates).expect("pick"));
    });
    let raw_request = smsdesk_plugins::router::WitRouteRequest {
        conversation: 1,
        queue: "billing".into(),
        customer: "+15557770001".into(),
        entry: "+15550001111".into(),
        waited_ms: 3000,
        required_skills: 0,
        skill_names: vec![],
        settings: vec![],
        fields: vec![],
    };
    let raw: Vec<u64> = candidates
        .iter()
        .flat_map(|c| smsdesk_plugins::router::pack(c.ordinal, c.idle.as_millis() as u64, c.load, c.capacity, 0, false))
        .collect();
    let raw_time = median(15, 50, || {
        std::hint::black_box(wasm.pick_raw(&raw_request, &raw).expect("pick"));
    });
    let few: Vec<u64> = raw[..30].to_vec();
    let few_time = median(15, 200, || {
        std::hint::black_box(wasm.pick_raw(&raw_request, &few).expect("pick"));
    });
    let ratio = plugin_time.as_secs_f64() / native.as_secs_f64();
    println!("routing decision over 1,000 candidates:");
    println!(
        "  native longest-available:        {:>9.1} us",
        native.as_secs_f64() * 1e6
    );
    println!(
        "  WebAssembly longest-available:   {:>9.1} us (including conversion and copy into the sandbox)",
        plugin_time.as_secs_f64() * 1e6
    );
    println!(
        "  WebAssembly, call alone:         {:>9.1} us (candidates already packed)",
        raw_time.as_secs_f64() * 1e6
    );
    println!(
        "  WebAssembly, 10 candidates:      {:>9.1} us (the fixed cost of one call)",
        few_time.as_secs_f64() * 1e6
    );
    println!(
        "routing: {ratio:.1}x native (target <= 3x: {})",
        if ratio <= 3.0 { "meets target" } else { "ABOVE TARGET" }
    );
}

fn loading() {
    let dir = std::env::temp_dir().join(format!("smsdesk-bench-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let path = plugin("carrier-twilio");
    let uncached = PluginHost::new(Limits::default(), None).expect("host");
    let compile = median(5, 1, || {
        uncached.load(&path).expect("compile");
    });
    let cached = PluginHost::new(Limits::default(), Some(dir.clone())).expect("host");
    cached.load(&path).expect("fill the cache");
    let from_cache = median(15, 5, || {
        let (_, _, source) = cached.load(&path).expect("cached load");
        assert_eq!(source, smsdesk_plugins::cache::Source::Cached);
    });
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "loading the Twilio plugin ({} KiB):",
        std::fs::metadata(&path).map(|m| m.len() / 1024).unwrap_or(0)
    );
    println!("  compile:             {:>9.2} ms", compile.as_secs_f64() * 1e3);
    println!("  from the cache:      {:>9.2} ms", from_cache.as_secs_f64() * 1e3);
    println!(
        "cold load: cache is {:.0}x faster than compiling",
        compile.as_secs_f64() / from_cache.as_secs_f64()
    );
}

/// Calls `f` for `run_for`; returns calls per second.
fn rate(run_for: Duration, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < run_for {
        f();
        n += 1;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn telnyx(host: &PluginHost) {
    use ed25519_dalek::Signer as _;
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let public = base64::engine::general_purpose::STANDARD.encode(key.verifying_key().as_bytes());
    let carrier = CarrierPlugin::load(
        host,
        "telnyx",
        &plugin("carrier-telnyx"),
        vec![],
        Secrets::new([
            ("public_key".to_owned(), public),
            ("api_key".to_owned(), "KEY".to_owned()),
        ]),
    )
    .expect("load telnyx");
    let body = r#"{"data":{"record_type":"event","id":"b301ed3f-1490-491f-995f-6e64e69674d4","event_type":"message.received","occurred_at":"2026-01-01T00:00:00.000+00:00","payload":{"id":"40317c1e-1c2b-4c1a-9a3d-0a1b2c3d4e5f","record_type":"message","direction":"inbound","type":"SMS","from":{"phone_number":"+15557770001"},"to":[{"phone_number":"+18885550100","status":"webhook_delivered"}],"text":"Hi, I was charged twice for my October bill","media":[],"parts":1}},"meta":{"attempt":1}}"#;
    let timestamp = 1_767_225_600u64;
    let signed = format!("{timestamp}|{body}");
    let signature = key.sign(signed.as_bytes());
    let request = HttpRequest {
        method: "POST".into(),
        url: "https://desk.example.com/webhooks/telnyx/inbound".into(),
        headers: vec![
            ("content-type".into(), "application/json".into()),
            ("telnyx-timestamp".into(), timestamp.to_string()),
            (
                "telnyx-signature-ed25519".into(),
                base64::engine::general_purpose::STANDARD.encode(signature.to_bytes()),
            ),
        ],
        body: body.as_bytes().to_vec(),
        received_at_ms: Some(timestamp * 1000),
    };
    let first = carrier
        .handle_webhook(WebhookKind::Inbound, &request)
        .expect("call")
        .expect("verified");
    assert_eq!(first.messages.len(), 1);
    let plugin_rate = rate(Duration::from_secs(2), || {
        carrier
            .handle_webhook(WebhookKind::Inbound, &request)
            .expect("call")
            .expect("verified");
    });
    let verifying = key.verifying_key();
    let native_rate = rate(Duration::from_millis(500), || {
        verifying
            .verify_strict(std::hint::black_box(signed.as_bytes()), &signature)
            .expect("valid");
    });
    println!("Telnyx inbound webhook, verify + parse in the sandbox:");
    println!(
        "  plugin handle-webhook:     {plugin_rate:>10.0} /s ({:.1} us each)",
        1e6 / plugin_rate
    );
    println!("  native Ed25519 verify:     {native_rate:>10.0} /s");
    println!(
        "telnyx verify+parse: {plugin_rate:.0}/s, {:.1}x the cost of the bare Ed25519 verify",
        native_rate / plugin_rate
    );
}

/// One intake turn; returns the Twilio webhook rate measured beside it.
fn intake(host: &PluginHost, twilio_rate: f64) {
    let bot = smsdesk_plugins::IntakePlugin::load(host, "menu", &plugin("intake-menu"), vec![]).expect("load menu");
    let request = smsdesk_plugins::intake::IntakeRequest {
        conversation: 1,
        entry: "+18885550100".into(),
        customer: "+15557770001".into(),
        body: "1".into(),
        media_urls: vec![],
        turn: 2,
        state: b"menu:0".to_vec(),
        received_at_ms: 0,
    };
    let answer = bot.turn(&request).expect("turn");
    assert_eq!(answer.texts.len(), 1);
    let turn_rate = rate(Duration::from_secs(2), || {
        std::hint::black_box(bot.turn(&request).expect("turn"));
    });
    println!("one intake turn (fresh instance of the menu bot + its call):");
    println!(
        "  intake turn:               {turn_rate:>10.0} /s ({:.1} us each)",
        1e6 / turn_rate
    );
    println!("  Twilio webhook (above):    {twilio_rate:>10.0} /s");
    println!(
        "intake turn: {:.1} us, {:.1}x one Twilio webhook call",
        1e6 / turn_rate,
        twilio_rate / turn_rate
    );
}

fn twilio(host: &PluginHost) -> f64 {
    let token = "0123456789abcdef0123456789abcdef";
    let carrier = CarrierPlugin::load(
        host,
        "twilio",
        &plugin("carrier-twilio"),
        vec![("account_sid".into(), "AC0123456789abcdef0123456789abcdef".into())],
        Secrets::new([("auth_token".to_owned(), token.to_owned())]),
    )
    .expect("load twilio");
    let url = "https://desk.example.com/webhooks/twilio/inbound";
    let params = [
        ("AccountSid", "AC0123456789abcdef0123456789abcdef"),
        ("Body", "Hi, I was charged twice for my October bill"),
        ("From", "+15557770001"),
        ("MessageSid", "SM0123456789abcdef0123456789abcdef"),
        ("NumMedia", "0"),
        ("NumSegments", "1"),
        ("To", "+15550001111"),
    ];
    let body = params
        .iter()
        .map(|(k, v)| format!("{k}={}", v.replace(' ', "+").replace('+', "%2B").replace("%2B%2B", "+")))
        .collect::<Vec<_>>()
        .join("&");
    // Recompute what was really encoded, then sign it the Twilio way.
    let decoded: Vec<(String, String)> = body
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| {
            (
                k.to_owned(),
                v.replace("%2B", "\u{1}").replace('+', " ").replace('\u{1}', "+"),
            )
        })
        .collect();
    let mut data = url.to_owned();
    let mut sorted = decoded.clone();
    sorted.sort();
    for (k, v) in &sorted {
        data.push_str(k);
        data.push_str(v);
    }
    let sign = |data: &str| {
        let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(token.as_bytes()).expect("key");
        mac.update(data.as_bytes());
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    };
    let request = HttpRequest {
        method: "POST".into(),
        url: url.into(),
        headers: vec![
            ("content-type".into(), "application/x-www-form-urlencoded".into()),
            ("x-twilio-signature".into(), sign(&data)),
        ],
        body: body.into_bytes(),
        received_at_ms: None,
    };
    let first = carrier
        .handle_webhook(WebhookKind::Inbound, &request)
        .expect("call")
        .expect("verified");
    assert_eq!(first.messages.len(), 1);
    let run_for = Duration::from_secs(2);
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < run_for {
        carrier
            .handle_webhook(WebhookKind::Inbound, &request)
            .expect("call")
            .expect("verified");
        n += 1;
    }
    let plugin_rate = n as f64 / start.elapsed().as_secs_f64();
    let start = Instant::now();
    let mut m = 0u64;
    while start.elapsed() < run_for / 4 {
        std::hint::black_box(sign(std::hint::black_box(&data)));
        m += 1;
    }
    let native_rate = m as f64 / start.elapsed().as_secs_f64();
    println!("Twilio inbound webhook, verify + parse in the sandbox:");
    println!(
        "  plugin handle-webhook:     {plugin_rate:>10.0} /s ({:.1} us each)",
        1e6 / plugin_rate
    );
    println!("  native HMAC-SHA1 alone:    {native_rate:>10.0} /s");
    println!(
        "twilio verify+parse: {plugin_rate:.0}/s, {:.1}x the cost of the bare HMAC",
        native_rate / plugin_rate
    );
    plugin_rate
}

fn main() {
    let host = PluginHost::new(Limits::default(), None).expect("host");
    routing(&host);
    loading();
    let twilio_rate = twilio(&host);
    telnyx(&host);
    intake(&host, twilio_rate);
}
