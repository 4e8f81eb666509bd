//! `smsdesk sim`: a carrier simulator for tests and the demo, on loopback
//! (another address is refused unless `--allow-remote` is given: it signs
//! webhooks for anyone who asks).
//! It speaks Twilio (`twilio`), Telnyx (`telnyx`), or both at once
//! (`--carrier twilio --carrier telnyx`), each for a carrier of smsdesk's
//! config (`--carrier NAME=KIND` when the name is not the kind).
//!
//! - Sending: each carrier's own API (see `twilio` and `telnyx`, on the
//!   path they share in `send`): checks the authentication, records the
//!   message, answers in the carrier's shape, then sends signed status
//!   callbacks (sent, delivered). Honours
//!   `Idempotency-Key`: a repeated key returns the first message.
//! - Faults, queued with `POST /sim/faults` (a JSON list, consumed one per
//!   send, whichever carrier): `"500"`, `"429"`, `"21610"` or `"40300"`
//!   (the recipient opted out, in the carrier's own words), `"21211"` or
//!   `"40310"` (not a valid number: permanent), `"drop"`
//!   (accepted, never delivered), `{"delay_ms": N}`.
//! - `POST /sim/inbound` `{"from", "to", "body", "carrier"?, "media"?}`: the
//!   customer texts: a properly signed webhook of that carrier (default: the
//!   first) goes to smsdesk; answers with smsdesk's status. `media` names
//!   test files (`media::file`, e.g. `"cat.png"`) or gives URLs: an MMS.
//! - `GET /sim/messages`: every message received, for tests and the demo,
//!   with what its media URLs gave when the simulator fetched them.
//! - `GET /sim/media/{name}`: the test files (see `media`).
//!
//! `signing` holds the signers shared with tests and benchmarks.

pub mod media;
mod send;
pub mod signing;
mod telnyx;
mod twilio;

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, clap::Args)]
pub struct SimArgs {
    /// Where the simulator listens: a loopback address, unless
    /// `--allow-remote` is given.
    #[arg(long, default_value = "127.0.0.1:8090")]
    pub listen: SocketAddr,
    /// Listen on an address other machines can reach. The simulator signs
    /// any webhook it is asked to (`POST /sim/inbound`) with the token it
    /// was given: anyone who reaches it can have smsdesk accept a forged
    /// SMS.
    #[arg(long)]
    pub allow_remote: bool,
    /// The account SID smsdesk authenticates with.
    #[arg(long, default_value = "AC00000000000000000000000000000000")]
    pub account_sid: String,
    /// Twilio's auth token: checks basic auth, signs webhooks (needed to simulate Twilio).
    #[arg(long, env = "TWILIO_AUTH_TOKEN", default_value = "")]
    pub auth_token: String,
    /// The Telnyx API key smsdesk must send as `Authorization: Bearer`.
    /// Webhooks are signed with a fixed test key (`signing::telnyx_test_public_key`).
    #[arg(long, env = "TELNYX_API_KEY", default_value = "KEYsimulator")]
    pub telnyx_api_key: String,
    /// smsdesk's public URL, where inbound webhooks go.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub smsdesk_url: String,
    /// A carrier to simulate: `twilio` or `telnyx`, or `NAME=KIND` for a
    /// carrier named otherwise in smsdesk's config (the webhook path
    /// segment). Repeatable; the first is the default for `/sim/inbound`.
    #[arg(long = "carrier", default_value = "twilio", value_parser = parse_carrier)]
    pub carriers: Vec<SimCarrier>,
}

/// Which API a simulated carrier speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Twilio,
    Telnyx,
}

/// One simulated carrier: its name in smsdesk's config and its API.
#[derive(Clone, Debug)]
pub struct SimCarrier {
    pub name: String,
    pub kind: Kind,
}

/// Why a `--carrier` is refused.
#[derive(Debug, thiserror::Error)]
enum BadCarrier {
    #[error("unknown carrier kind {0:?}: the simulator speaks twilio and telnyx")]
    UnknownKind(String),
    #[error("the carrier name is empty; write e.g. twilio or sms=twilio")]
    NoName,
}

fn parse_carrier(text: &str) -> Result<SimCarrier, BadCarrier> {
    let (name, kind) = text.split_once('=').unwrap_or((text, text));
    let kind = match kind {
        "twilio" => Kind::Twilio,
        "telnyx" => Kind::Telnyx,
        other => return Err(BadCarrier::UnknownKind(other.to_owned())),
    };
    if name.is_empty() {
        return Err(BadCarrier::NoName);
    }
    Ok(SimCarrier {
        name: name.to_owned(),
        kind,
    })
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SimMessage {
    /// The carrier (its name in smsdesk's config) the message was sent through.
    pub carrier: String,
    pub sid: String,
    pub from: String,
    pub to: String,
    pub body: String,
    pub status: String,
    pub error_code: Option<String>,
    /// What the message's media URLs gave (MMS), fetched when it was sent.
    #[serde(default)]
    pub media: Vec<media::SimMedia>,
    /// When the send request arrived, in microseconds since the Unix epoch
    /// (the machine's wall clock: benchmarks time the way to the carrier
    /// without polling for it).
    #[serde(default)]
    pub received_at_us: u64,
}

pub use media::SimMedia;

#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum Fault {
    Named(String),
    Delay { delay_ms: u64 },
}

/// What a queued fault does to the next send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Effect {
    /// Answer with this carrier-neutral failure.
    ServerError,
    TooManyRequests,
    OptedOut,
    /// The destination is not a valid number (permanent, not an opt-out).
    InvalidNumber,
    /// Accept the message but never report it delivered.
    Drop,
    /// Accept it normally.
    None,
}

impl Sim {
    /// Takes the next fault, waits out a delay, and says what to do.
    async fn fault(&self) -> Effect {
        match self.next_fault() {
            Some(Fault::Delay { delay_ms }) => {
                tokio::time::sleep(Duration::from_millis(delay_ms)).await;
                Effect::None
            }
            Some(Fault::Named(f)) => match f.as_str() {
                "500" => Effect::ServerError,
                "429" => Effect::TooManyRequests,
                "21610" | "40300" => Effect::OptedOut,
                "21211" | "40310" => Effect::InvalidNumber,
                "drop" => Effect::Drop,
                _ => Effect::None,
            },
            None => Effect::None,
        }
    }
}

#[derive(Debug, Default)]
pub(super) struct Inner {
    messages: Vec<SimMessage>,
    faults: VecDeque<Fault>,
    by_key: BTreeMap<String, usize>,
    next: u64,
}

pub(super) struct Sim {
    args: SimArgs,
    inner: Mutex<Inner>,
    client: reqwest::Client,
}

type Shared = Arc<Sim>;

impl Sim {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The carrier named `name`, or the first one.
    fn carrier(&self, name: Option<&str>) -> Option<&SimCarrier> {
        match name {
            Some(n) => self.args.carriers.iter().find(|c| c.name == n),
            None => self.args.carriers.first(),
        }
    }

    /// The first carrier speaking `kind` (whose webhooks smsdesk expects under its name).
    fn name_of(&self, kind: Kind) -> String {
        self.args
            .carriers
            .iter()
            .find(|c| c.kind == kind)
            .map_or_else(|| format!("{kind:?}").to_lowercase(), |c| c.name.clone())
    }

    /// The next fault, if one is queued.
    fn next_fault(&self) -> Option<Fault> {
        self.lock().faults.pop_front()
    }

    /// Records a message sent through `carrier`, or finds it again by its
    /// idempotency key: (its id, whether it is new).
    fn record(&self, key: Option<String>, make: impl FnOnce(u64) -> SimMessage) -> (String, bool) {
        let mut inner = self.lock();
        if let Some(i) = key.as_ref().and_then(|k| inner.by_key.get(k).copied()) {
            return (inner.messages[i].sid.clone(), false);
        }
        inner.next += 1;
        let message = make(inner.next);
        let sid = message.sid.clone();
        inner.messages.push(message);
        if let Some(k) = key {
            let i = inner.messages.len() - 1;
            inner.by_key.insert(k, i);
        }
        (sid, true)
    }

    /// Sets a recorded message's status.
    fn set_status(&self, sid: &str, status: &str) {
        if let Some(m) = self.lock().messages.iter_mut().find(|m| m.sid == sid) {
            m.status = status.into();
        }
    }

    /// A fresh id number for a customer's message.
    fn next_id(&self) -> u64 {
        let mut inner = self.lock();
        inner.next += 1;
        inner.next
    }

    /// A test file's URL at this simulator (or a URL given as is).
    fn inbound_media(&self, name: &str) -> InboundMedia {
        if name.contains("://") {
            return InboundMedia {
                url: name.to_owned(),
                content_type: "image/jpeg".to_owned(),
                size: 0,
            };
        }
        let (content_type, size) = media::file(name).map_or(("application/octet-stream", 0), |(t, b)| (t, b.len()));
        InboundMedia {
            url: format!("http://{}/sim/media/{name}", self.args.listen),
            content_type: content_type.to_owned(),
            size,
        }
    }

    fn webhook_url(&self, carrier: &str, kind: &str) -> String {
        format!(
            "{}/webhooks/{carrier}/{kind}",
            self.args.smsdesk_url.trim_end_matches('/')
        )
    }
}

async fn messages(State(sim): State<Shared>) -> Json<Vec<SimMessage>> {
    Json(
        sim.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .messages
            .clone(),
    )
}

async fn faults(State(sim): State<Shared>, Json(faults): Json<Vec<Fault>>) -> StatusCode {
    sim.inner
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .faults
        .extend(faults);
    StatusCode::NO_CONTENT
}

#[derive(Debug, Deserialize)]
struct Inbound {
    from: String,
    to: String,
    body: String,
    /// Which carrier the customer's SMS comes through (default: the first).
    #[serde(default)]
    carrier: Option<String>,
    /// Attachments: test file names (`media::file`) or URLs.
    #[serde(default)]
    media: Vec<String>,
}

/// A customer's attachment as the carrier describes it in a webhook.
#[derive(Clone, Debug)]
pub(super) struct InboundMedia {
    pub url: String,
    pub content_type: String,
    pub size: usize,
}

/// A customer's SMS, for a carrier to hand to smsdesk as its webhook.
pub(super) struct Texted {
    pub from: String,
    pub to: String,
    pub body: String,
    pub media: Vec<InboundMedia>,
}

async fn inbound(State(sim): State<Shared>, Json(sms): Json<Inbound>) -> Response {
    let Some(carrier) = sim.carrier(sms.carrier.as_deref()).cloned() else {
        return (
            StatusCode::BAD_REQUEST,
            format!("the simulator has no carrier {:?}\n", sms.carrier.unwrap_or_default()),
        )
            .into_response();
    };
    let texted = Texted {
        media: sms.media.iter().map(|m| sim.inbound_media(m)).collect(),
        from: sms.from,
        to: sms.to,
        body: sms.body,
    };
    let sent = match carrier.kind {
        Kind::Twilio => twilio::inbound(&sim, &carrier.name, texted).await,
        Kind::Telnyx => telnyx::inbound(&sim, &carrier.name, texted).await,
    };
    match sent {
        Ok((sid, status, body)) => {
            Json(serde_json::json!({ "sid": sid, "smsdesk_status": status, "smsdesk_body": body })).into_response()
        }
        Err(e) => (StatusCode::BAD_GATEWAY, format!("smsdesk did not answer: {e}\n")).into_response(),
    }
}

pub fn router(args: SimArgs) -> Router {
    let sim = Arc::new(Sim {
        args,
        inner: Mutex::new(Inner::default()),
        client: reqwest::Client::new(),
    });
    Router::new()
        .route(
            "/2010-04-01/Accounts/{account}/Messages.json",
            post(twilio::create_message),
        )
        .route("/v2/messages", post(send::create_message::<telnyx::Telnyx>))
        .route("/sim/messages", get(messages))
        .route("/sim/faults", post(faults))
        .route("/sim/inbound", post(inbound))
        .route("/sim/media/{name}", get(media::redirect))
        .route("/sim/cdn/{name}", get(media::serve))
        .with_state(sim)
}

/// Loopback only, unless the operator said otherwise: the simulator signs
/// whatever it is asked to with a real token if given one.
fn check_listen(listen: SocketAddr, allow_remote: bool) -> anyhow::Result<()> {
    if listen.ip().is_loopback() {
        return Ok(());
    }
    if !allow_remote {
        anyhow::bail!(
            "refusing to listen on {listen}: the simulator signs a webhook for anyone who asks (POST /sim/inbound), so it stays on loopback (127.0.0.1 or [::1]); pass --allow-remote to listen there anyway"
        );
    }
    tracing::warn!(%listen, "the simulator listens beyond loopback (--allow-remote): anyone who reaches it can have webhooks signed");
    Ok(())
}

pub fn run(args: SimArgs) -> anyhow::Result<std::process::ExitCode> {
    crate::logging::init(crate::logging::LogFormat::Text);
    check_listen(args.listen, args.allow_remote)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    if args.auth_token.is_empty() && args.carriers.iter().any(|c| c.kind == Kind::Twilio) {
        anyhow::bail!("simulating Twilio needs its auth token: --auth-token or TWILIO_AUTH_TOKEN");
    }
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen).await?;
        let carriers: Vec<String> = args.carriers.iter().map(|c| format!("{}={:?}", c.name, c.kind)).collect();
        tracing::info!(listen = %args.listen, carriers = %carriers.join(","), telnyx_public_key = %signing::telnyx_test_public_key(), "carrier simulator listening");
        axum::serve(listener, router(args))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
        anyhow::Ok(())
    })?;
    Ok(std::process::ExitCode::SUCCESS)
}
