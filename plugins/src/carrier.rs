//! Carrier plugins: verify and parse webhooks, build send requests, read
//! the carrier's answers. The host-side types here mirror the WIT (newest
//! version) and are what the gateway and `smsdesk plugin run` use; they
//! serialize to JSON for fixtures, with bodies as text.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use wasmtime::component::HasSelf;
use wasmtime::Store;

use crate::bindings::v0_1::carrier as wit;
use crate::bindings::v0_1::carrier::exports::smsdesk::plugin::carrier as c;
use crate::error::PluginError;
use crate::host::PluginHost;
use crate::inspect::{PluginInfo, World};
use crate::metrics::CallStats;
use crate::sandbox::HostState;
use crate::secrets::Secrets;

/// Bodies as UTF-8 text in JSON fixtures (lossy for binary bodies).
mod text {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&String::from_utf8_lossy(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        Ok(String::deserialize(d)?.into_bytes())
    }
}

pub type Headers = Vec<(String, String)>;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpRequest {
    pub method: String,
    pub url: String,
    #[serde(default)]
    pub headers: Headers,
    #[serde(with = "text", default)]
    pub body: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpResponse {
    pub status: u16,
    #[serde(default)]
    pub headers: Headers,
    #[serde(with = "text", default)]
    pub body: Vec<u8>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WebhookKind {
    Inbound,
    Status,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboundMessage {
    pub carrier_message_id: String,
    pub from: String,
    pub to: String,
    pub body: String,
    pub media_urls: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeliveryState {
    Accepted,
    Scheduled,
    Queued,
    Sending,
    Sent,
    Delivered,
    Read,
    Undelivered,
    Failed,
    Canceled,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusUpdate {
    pub provider_id: String,
    pub state: DeliveryState,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookResult {
    pub messages: Vec<InboundMessage>,
    pub statuses: Vec<StatusUpdate>,
    pub response: HttpResponse,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "kebab-case")]
pub enum WebhookError {
    #[error("bad signature: {0}")]
    BadSignature(String),
    #[error("malformed request: {0}")]
    Malformed(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboundMessage {
    pub message_id: String,
    pub from: String,
    pub to: String,
    pub body: String,
    pub status_callback_url: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Auth {
    None,
    Basic(String, String),
    Bearer(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingRequest {
    pub method: String,
    pub url: String,
    pub headers: Headers,
    #[serde(with = "text")]
    pub body: Vec<u8>,
    pub auth: Auth,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarrierError {
    pub code: Option<String>,
    pub message: String,
    pub retry_after_ms: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SendOutcome {
    Sent { provider_id: String, segments: Option<u32> },
    Retryable(CarrierError),
    Permanent(CarrierError),
}

// ---- conversions to and from the v0.1 bindings ---------------------------

impl From<&HttpRequest> for c::HttpRequest {
    fn from(r: &HttpRequest) -> Self {
        Self {
            method: r.method.clone(),
            url: r.url.clone(),
            headers: r.headers.clone(),
            body: r.body.clone(),
        }
    }
}

impl From<&HttpResponse> for c::HttpResponse {
    fn from(r: &HttpResponse) -> Self {
        Self {
            status: r.status,
            headers: r.headers.clone(),
            body: r.body.clone(),
        }
    }
}

impl From<c::HttpResponse> for HttpResponse {
    fn from(r: c::HttpResponse) -> Self {
        Self {
            status: r.status,
            headers: r.headers,
            body: r.body,
        }
    }
}

impl From<c::DeliveryState> for DeliveryState {
    fn from(s: c::DeliveryState) -> Self {
        match s {
            c::DeliveryState::Accepted => Self::Accepted,
            c::DeliveryState::Scheduled => Self::Scheduled,
            c::DeliveryState::Queued => Self::Queued,
            c::DeliveryState::Sending => Self::Sending,
            c::DeliveryState::Sent => Self::Sent,
            c::DeliveryState::Delivered => Self::Delivered,
            c::DeliveryState::Read => Self::Read,
            c::DeliveryState::Undelivered => Self::Undelivered,
            c::DeliveryState::Failed => Self::Failed,
            c::DeliveryState::Canceled => Self::Canceled,
        }
    }
}

impl From<c::WebhookResult> for WebhookResult {
    fn from(r: c::WebhookResult) -> Self {
        Self {
            messages: r
                .messages
                .into_iter()
                .map(|m| InboundMessage {
                    carrier_message_id: m.carrier_message_id,
                    from: m.from,
                    to: m.to,
                    body: m.body,
                    media_urls: m.media_urls,
                })
                .collect(),
            statuses: r
                .statuses
                .into_iter()
                .map(|s| StatusUpdate {
                    provider_id: s.provider_id,
                    state: s.state.into(),
                    error_code: s.error_code,
                    error_message: s.error_message,
                })
                .collect(),
            response: r.response.into(),
        }
    }
}

impl From<c::WebhookError> for WebhookError {
    fn from(e: c::WebhookError) -> Self {
        match e {
            c::WebhookError::BadSignature(m) => Self::BadSignature(m),
            c::WebhookError::Malformed(m) => Self::Malformed(m),
        }
    }
}

impl From<c::CarrierError> for CarrierError {
    fn from(e: c::CarrierError) -> Self {
        Self {
            code: e.code,
            message: e.message,
            retry_after_ms: e.retry_after_ms,
        }
    }
}

impl From<c::SendOutcome> for SendOutcome {
    fn from(o: c::SendOutcome) -> Self {
        match o {
            c::SendOutcome::Sent(s) => Self::Sent {
                provider_id: s.provider_id,
                segments: s.segments,
            },
            c::SendOutcome::Retryable(e) => Self::Retryable(e.into()),
            c::SendOutcome::Permanent(e) => Self::Permanent(e.into()),
        }
    }
}

impl From<c::OutgoingRequest> for OutgoingRequest {
    fn from(r: c::OutgoingRequest) -> Self {
        Self {
            method: r.method,
            url: r.url,
            headers: r.headers,
            body: r.body,
            auth: match r.auth {
                c::Auth::None => Auth::None,
                c::Auth::Basic((u, p)) => Auth::Basic(u, p),
                c::Auth::Bearer(t) => Auth::Bearer(t),
            },
        }
    }
}

// ---- the plugin ------------------------------------------------------------

struct Instance {
    store: Store<HostState>,
    bindings: wit::CarrierPlugin,
}

/// Idle instances kept for reuse; more concurrent calls instantiate more.
const POOL: usize = 8;

pub struct CarrierPlugin {
    host: PluginHost,
    name: String,
    path: PathBuf,
    info: PluginInfo,
    pre: wit::CarrierPluginPre<HostState>,
    settings: Vec<(String, String)>,
    secrets: Arc<Secrets>,
    idle: Mutex<Vec<Instance>>,
    stats: Arc<CallStats>,
}

impl std::fmt::Debug for CarrierPlugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CarrierPlugin")
            .field("name", &self.name)
            .field("path", &self.path)
            .field("version", &self.info.version)
            .field("secrets", &self.secrets)
            .finish()
    }
}

impl CarrierPlugin {
    /// Loads a carrier plugin. `settings` are passed to every call; `secrets`
    /// stay in the host and are reachable only by name.
    pub fn load(
        host: &PluginHost,
        name: &str,
        path: &Path,
        settings: Vec<(String, String)>,
        secrets: Secrets,
    ) -> Result<Self, PluginError> {
        let (component, info) = host.load_world(path, World::Carrier)?;
        let mut linker = host.linker()?;
        let instantiate_error = |e: wasmtime::Error| PluginError::Instantiate {
            plugin: name.to_owned(),
            message: format!("{e:#}"),
        };
        wit::CarrierPlugin::add_to_linker::<HostState, HasSelf<HostState>>(&mut linker, |s| s)
            .map_err(instantiate_error)?;
        let pre = linker.instantiate_pre(&component).map_err(instantiate_error)?;
        let pre = wit::CarrierPluginPre::new(pre).map_err(instantiate_error)?;
        let plugin = Self {
            host: host.clone(),
            name: name.to_owned(),
            path: path.to_owned(),
            info,
            pre,
            settings,
            secrets: Arc::new(secrets),
            idle: Mutex::new(Vec::new()),
            stats: host.metrics().stats(name),
        };
        // Instantiate once now, so a plugin that cannot start is refused at load.
        let first = plugin.instantiate()?;
        plugin.idle.lock().unwrap_or_else(PoisonError::into_inner).push(first);
        Ok(plugin)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn info(&self) -> &PluginInfo {
        &self.info
    }

    pub fn settings(&self) -> &[(String, String)] {
        &self.settings
    }

    fn instantiate(&self) -> Result<Instance, PluginError> {
        let mut store = self.host.store(self.secrets.clone());
        let bindings = self.pre.instantiate(&mut store).map_err(|e| PluginError::Instantiate {
            plugin: self.name.clone(),
            message: format!("{e:#}"),
        })?;
        Ok(Instance { store, bindings })
    }

    fn with_instance<R>(
        &self,
        call: &'static str,
        f: impl FnOnce(&wit::CarrierPlugin, &mut Store<HostState>) -> wasmtime::Result<R>,
    ) -> Result<R, PluginError> {
        let reused = self.idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
        let mut instance = match reused {
            Some(i) => i,
            None => self.instantiate()?,
        };
        let bindings = &instance.bindings;
        let result = self
            .host
            .call(&mut instance.store, &self.name, call, &self.stats, |store| {
                f(bindings, store)
            });
        // A failed instance may be in any state: drop it; the next call gets a fresh one.
        if result.is_ok() {
            let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
            if idle.len() < POOL {
                idle.push(instance);
            }
        }
        result
    }

    pub fn handle_webhook(
        &self,
        kind: WebhookKind,
        request: &HttpRequest,
    ) -> Result<Result<WebhookResult, WebhookError>, PluginError> {
        let kind = match kind {
            WebhookKind::Inbound => c::WebhookKind::Inbound,
            WebhookKind::Status => c::WebhookKind::Status,
        };
        let request = c::HttpRequest::from(request);
        let out = self.with_instance("handle-webhook", |b, store| {
            b.smsdesk_plugin_carrier()
                .call_handle_webhook(store, kind, &request, &self.settings)
        })?;
        Ok(out.map(Into::into).map_err(Into::into))
    }

    pub fn build_send(&self, message: &OutboundMessage) -> Result<Result<OutgoingRequest, String>, PluginError> {
        let message = c::OutboundMessage {
            message_id: message.message_id.clone(),
            from: message.from.clone(),
            to: message.to.clone(),
            body: message.body.clone(),
            status_callback_url: message.status_callback_url.clone(),
        };
        let out = self.with_instance("build-send", |b, store| {
            b.smsdesk_plugin_carrier()
                .call_build_send(store, &message, &self.settings)
        })?;
        Ok(out.map(Into::into))
    }

    pub fn parse_send_response(&self, response: &HttpResponse) -> Result<SendOutcome, PluginError> {
        let response = c::HttpResponse::from(response);
        let out = self.with_instance("parse-send-response", |b, store| {
            b.smsdesk_plugin_carrier()
                .call_parse_send_response(store, &response, &self.settings)
        })?;
        Ok(out.into())
    }

    /// The `Authorization` header value for `auth`, filled in by the host
    /// from this carrier's config (settings or secrets). Never logged.
    pub fn authorization(&self, auth: &Auth) -> Result<Option<String>, String> {
        let lookup = |name: &str| {
            self.secrets
                .get(name)
                .or_else(|| self.settings.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()))
                .ok_or_else(|| format!("the plugin asked for config entry {name:?}, which this carrier does not have"))
        };
        Ok(match auth {
            Auth::None => None,
            Auth::Basic(user, password) => {
                let raw = format!("{}:{}", lookup(user)?, lookup(password)?);
                Some(format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(raw)
                ))
            }
            Auth::Bearer(token) => Some(format!("Bearer {}", lookup(token)?)),
        })
    }
}
