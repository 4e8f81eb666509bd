//! `smsdesk sim`: a Twilio-compatible carrier simulator for tests and the
//! demo, on loopback.
//!
//! - `POST /2010-04-01/Accounts/{sid}/Messages.json`: checks basic auth,
//!   records the message, answers Twilio-shaped JSON (201 with `sid`), then
//!   sends signed status callbacks (`sent`, `delivered`) to `StatusCallback`.
//!   Honours `Idempotency-Key`: a repeated key returns the first message.
//! - Faults, queued with `POST /sim/faults` (a JSON list, consumed one per
//!   send): `"500"`, `"429"`, `"21610"` (unsubscribed recipient), `"drop"`
//!   (accepted, never delivered), `{"delay_ms": N}`.
//! - `POST /sim/inbound` `{"from", "to", "body"}`: the customer texts: a
//!   properly signed webhook goes to smsdesk; answers with smsdesk's status.
//! - `GET /sim/messages`: every message received, for tests and the demo.
//!
//! `signing` is the one Twilio signer shared with tests and benchmarks.

pub mod signing;

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, clap::Args)]
pub struct SimArgs {
    /// Where the simulator listens (loopback).
    #[arg(long, default_value = "127.0.0.1:8090")]
    pub listen: SocketAddr,
    /// The account SID smsdesk authenticates with.
    #[arg(long, default_value = "AC00000000000000000000000000000000")]
    pub account_sid: String,
    /// The auth token: checks basic auth, signs webhooks.
    #[arg(long, env = "TWILIO_AUTH_TOKEN")]
    pub auth_token: String,
    /// smsdesk's public URL, where inbound webhooks go.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub smsdesk_url: String,
    /// The carrier name in smsdesk's config (the webhook path segment).
    #[arg(long, default_value = "twilio")]
    pub carrier: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SimMessage {
    pub sid: String,
    pub from: String,
    pub to: String,
    pub body: String,
    pub status: String,
    pub error_code: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum Fault {
    Named(String),
    Delay { delay_ms: u64 },
}

#[derive(Debug, Default)]
struct Inner {
    messages: Vec<SimMessage>,
    faults: VecDeque<Fault>,
    by_key: BTreeMap<String, usize>,
    next: u64,
}

struct Sim {
    args: SimArgs,
    inner: Mutex<Inner>,
    client: reqwest::Client,
}

type Shared = Arc<Sim>;

fn twilio_error(status: StatusCode, code: u32, message: &str) -> Response {
    let body = serde_json::json!({
        "code": code,
        "message": message,
        "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
        "status": status.as_u16(),
    });
    (status, Json(body)).into_response()
}

/// Posts a signed form to `url`; returns the status and body.
async fn post_signed(sim: &Sim, url: &str, params: Vec<(String, String)>) -> Result<(u16, String), reqwest::Error> {
    let signature = signing::twilio_signature(url, &params, &sim.args.auth_token);
    let body = signing::form(&params);
    let r = sim
        .client
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-twilio-signature", signature)
        .body(body)
        .send()
        .await?;
    let status = r.status().as_u16();
    Ok((status, r.text().await.unwrap_or_default()))
}

fn authorized(sim: &Sim, headers: &HeaderMap) -> bool {
    let expected =
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", sim.args.account_sid, sim.args.auth_token));
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("Basic {expected}"))
}

async fn create_message(
    State(sim): State<Shared>,
    Path(account): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if account != sim.args.account_sid || !authorized(&sim, &headers) {
        return twilio_error(StatusCode::UNAUTHORIZED, 20003, "Authenticate");
    }
    let fault = sim
        .inner
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .faults
        .pop_front();
    let mut drop_callbacks = false;
    match &fault {
        Some(Fault::Delay { delay_ms }) => tokio::time::sleep(Duration::from_millis(*delay_ms)).await,
        Some(Fault::Named(f)) => match f.as_str() {
            "500" => return twilio_error(StatusCode::INTERNAL_SERVER_ERROR, 20500, "Internal Server Error"),
            "429" => return twilio_error(StatusCode::TOO_MANY_REQUESTS, 20429, "Too Many Requests"),
            "21610" => {
                return twilio_error(
                    StatusCode::BAD_REQUEST,
                    21610,
                    "Attempt to send to unsubscribed recipient",
                )
            }
            "drop" => drop_callbacks = true,
            _ => {}
        },
        None => {}
    }
    let form: BTreeMap<String, String> = form_urlencoded::parse(body.as_bytes()).into_owned().collect();
    let (Some(to), Some(from)) = (form.get("To"), form.get("From").or(form.get("MessagingServiceSid"))) else {
        return twilio_error(
            StatusCode::BAD_REQUEST,
            21604,
            "A 'To' and a 'From' phone number are required",
        );
    };
    let text = form.get("Body").cloned().unwrap_or_default();
    if text.chars().count() > 1600 {
        return twilio_error(
            StatusCode::BAD_REQUEST,
            21617,
            "The concatenated message body exceeds the 1600 character limit",
        );
    }
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (sid, fresh) = {
        let mut inner = sim.inner.lock().unwrap_or_else(PoisonError::into_inner);
        match key.as_ref().and_then(|k| inner.by_key.get(k).copied()) {
            Some(i) => (inner.messages[i].sid.clone(), false),
            None => {
                inner.next += 1;
                let sid = format!("SM{:032x}", inner.next);
                inner.messages.push(SimMessage {
                    sid: sid.clone(),
                    from: from.clone(),
                    to: to.clone(),
                    body: text.clone(),
                    status: "queued".into(),
                    error_code: None,
                });
                if let Some(k) = key {
                    let i = inner.messages.len() - 1;
                    inner.by_key.insert(k, i);
                }
                (sid, true)
            }
        }
    };
    if fresh && !drop_callbacks {
        if let Some(callback) = form.get("StatusCallback").cloned() {
            let (sim, sid, to, from) = (sim.clone(), sid.clone(), to.clone(), from.clone());
            tokio::spawn(async move {
                for status in ["sent", "delivered"] {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    if let Some(m) = sim
                        .inner
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .messages
                        .iter_mut()
                        .find(|m| m.sid == sid)
                    {
                        m.status = status.into();
                    }
                    let params = vec![
                        ("AccountSid".to_owned(), sim.args.account_sid.clone()),
                        ("From".to_owned(), from.clone()),
                        ("MessageSid".to_owned(), sid.clone()),
                        ("MessageStatus".to_owned(), status.to_owned()),
                        ("SmsSid".to_owned(), sid.clone()),
                        ("To".to_owned(), to.clone()),
                    ];
                    if let Err(error) = post_signed(&sim, &callback, params).await {
                        tracing::warn!(%error, "status callback failed");
                    }
                }
            });
        }
    }
    let answer = serde_json::json!({
        "sid": sid,
        "account_sid": sim.args.account_sid,
        "to": to,
        "from": from,
        "body": text,
        "status": "queued",
        "num_segments": "1",
        "error_code": null,
        "error_message": null,
        "uri": format!("/2010-04-01/Accounts/{}/Messages/{sid}.json", sim.args.account_sid),
    });
    (StatusCode::CREATED, Json(answer)).into_response()
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
}

async fn inbound(State(sim): State<Shared>, Json(sms): Json<Inbound>) -> Response {
    let sid = {
        let mut inner = sim.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.next += 1;
        format!("SM{:032x}", inner.next)
    };
    let url = format!(
        "{}/webhooks/{}/inbound",
        sim.args.smsdesk_url.trim_end_matches('/'),
        sim.args.carrier
    );
    let params = vec![
        ("AccountSid".to_owned(), sim.args.account_sid.clone()),
        ("ApiVersion".to_owned(), "2010-04-01".to_owned()),
        ("Body".to_owned(), sms.body),
        ("From".to_owned(), sms.from),
        ("MessageSid".to_owned(), sid.clone()),
        ("NumMedia".to_owned(), "0".to_owned()),
        ("NumSegments".to_owned(), "1".to_owned()),
        ("SmsSid".to_owned(), sid.clone()),
        ("To".to_owned(), sms.to),
    ];
    match post_signed(&sim, &url, params).await {
        Ok((status, body)) => {
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
        .route("/2010-04-01/Accounts/{account}/Messages.json", post(create_message))
        .route("/sim/messages", get(messages))
        .route("/sim/faults", post(faults))
        .route("/sim/inbound", post(inbound))
        .with_state(sim)
}

pub fn run(args: SimArgs) -> anyhow::Result<std::process::ExitCode> {
    crate::logging::init(crate::logging::LogFormat::Text);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen).await?;
        tracing::info!(listen = %args.listen, "carrier simulator listening");
        axum::serve(listener, router(args))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
        anyhow::Ok(())
    })?;
    Ok(std::process::ExitCode::SUCCESS)
}
