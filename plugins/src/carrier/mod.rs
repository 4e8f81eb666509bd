//! Carrier plugins: verify and parse webhooks, build send requests, read
//! the carrier's answers. A plugin built for any supported interface
//! version loads; calls go through the host-side types (`types`, the
//! newest version's shape) and are converted to the plugin's version
//! (`convert`).

mod convert;
mod types;

use std::path::Path;
use std::sync::{Mutex, PoisonError};

use base64::Engine as _;
use wasmtime::component::HasSelf;
use wasmtime::Store;

pub use types::*;

use crate::bindings::{v0_1, v0_2, v0_3};
use crate::error::PluginError;
use crate::host::PluginHost;
use crate::inspect::World;
use crate::loaded::{Instance, Loaded, Settings, Spec};
use crate::recipe::Versions;
use crate::sandbox::HostState;
use crate::secrets::Secrets;

/// The instantiation recipe for the plugin's interface version.
type Pre = Versions<
    v0_1::carrier::CarrierPluginPre<HostState>,
    v0_2::carrier::CarrierPluginPre<HostState>,
    v0_3::carrier::CarrierPluginPre<HostState>,
>;

/// A live instance's exports, in the plugin's interface version.
type Bindings = Versions<v0_1::carrier::CarrierPlugin, v0_2::carrier::CarrierPlugin, v0_3::carrier::CarrierPlugin>;

/// Idle instances kept for reuse; more concurrent calls instantiate more.
const POOL: usize = 8;

pub struct CarrierPlugin {
    loaded: Loaded<Pre>,
    idle: Mutex<Vec<Instance<Bindings>>>,
}

crate::loaded::loaded_plugin!(CarrierPlugin);

impl CarrierPlugin {
    /// Loads a carrier plugin. `settings` are passed to every call; `secrets`
    /// stay in the host and are reachable only by name.
    pub fn load(
        host: &PluginHost,
        name: &str,
        path: &Path,
        settings: Settings,
        secrets: Secrets,
    ) -> Result<Self, PluginError> {
        let spec = Spec {
            host,
            name,
            path,
            world: World::Carrier,
            settings,
            secrets,
        };
        let (loaded, first) = Loaded::load(spec, |linker, info| match info.version.as_str() {
            "0.1.0" => v0_1::carrier::CarrierPlugin::add_to_linker::<HostState, HasSelf<HostState>>(linker, |s| s),
            "0.2.0" => v0_2::carrier::CarrierPlugin::add_to_linker::<HostState, HasSelf<HostState>>(linker, |s| s),
            _ => v0_3::carrier::CarrierPlugin::add_to_linker::<HostState, HasSelf<HostState>>(linker, |s| s),
        })?;
        Ok(Self {
            loaded,
            idle: Mutex::new(vec![first]),
        })
    }

    pub fn settings(&self) -> &[(String, String)] {
        self.loaded.settings()
    }

    fn with_instance<R>(
        &self,
        call: &'static str,
        f: impl FnOnce(&Bindings, &mut Store<HostState>) -> wasmtime::Result<R>,
    ) -> Result<R, PluginError> {
        self.with_instance_signed(call, f).0
    }

    /// `with_instance`, also saying whether the host confirmed a signature
    /// during the call (even if the call then failed).
    fn with_instance_signed<R>(
        &self,
        call: &'static str,
        f: impl FnOnce(&Bindings, &mut Store<HostState>) -> wasmtime::Result<R>,
    ) -> (Result<R, PluginError>, bool) {
        let reused = self.idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
        let mut instance = match reused {
            Some(i) => i,
            None => match self.loaded.instantiate() {
                Ok(i) => i,
                Err(e) => return (Err(e), false),
            },
        };
        instance.store.data_mut().take_signature_verified();
        let bindings = &instance.bindings;
        let result = self.loaded.call(&mut instance.store, call, |store| f(bindings, store));
        let signed = instance.store.data_mut().take_signature_verified();
        // A failed instance may be in any state: drop it; the next call gets a fresh one.
        if result.is_ok() {
            let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
            if idle.len() < POOL {
                idle.push(instance);
            }
        }
        (result, signed)
    }

    /// Verifies and parses one webhook. The plugin sees the request's
    /// receive time (now, unless the request carries its own).
    pub fn handle_webhook(
        &self,
        kind: WebhookKind,
        request: &HttpRequest,
    ) -> Result<Result<WebhookResult, WebhookError>, PluginError> {
        self.judge_webhook(kind, request).outcome
    }

    /// `handle_webhook`, also saying whether the host confirmed the
    /// request's signature on the plugin's behalf: what a gateway needs to
    /// know before it keeps a request the plugin could not finish.
    pub fn judge_webhook(&self, kind: WebhookKind, request: &HttpRequest) -> Judged {
        let received_at_ms = request.received_at_ms.unwrap_or_else(now_ms);
        let (outcome, signature_verified) = self.with_instance_signed("handle-webhook", |b, store| match b {
            Bindings::V0_1(b) => b
                .smsdesk_plugin_carrier()
                .call_handle_webhook(
                    store,
                    kind.into(),
                    &convert::v0_1::request(request),
                    self.loaded.settings(),
                )
                .map(|r| r.map(Into::into).map_err(Into::into)),
            Bindings::V0_2(b) => b
                .smsdesk_plugin_carrier()
                .call_handle_webhook(
                    store,
                    kind.into(),
                    &convert::v0_2::request(request, received_at_ms),
                    self.loaded.settings(),
                )
                .map(|r| r.map(Into::into).map_err(Into::into)),
            Bindings::V0_3(b) => b
                .smsdesk_plugin_carrier()
                .call_handle_webhook(
                    store,
                    kind.into(),
                    &convert::v0_3::request(request, received_at_ms),
                    self.loaded.settings(),
                )
                .map(|r| r.map(Into::into).map_err(Into::into)),
        });
        Judged {
            outcome,
            signature_verified,
        }
    }

    pub fn build_send(&self, message: &OutboundMessage) -> Result<Result<OutgoingRequest, String>, PluginError> {
        self.with_instance("build-send", |b, store| match b {
            Bindings::V0_1(b) => match convert::v0_1::message(message) {
                Some(message) => b
                    .smsdesk_plugin_carrier()
                    .call_build_send(store, &message, self.loaded.settings())
                    .map(|r| r.map(Into::into)),
                None => Ok(Err(format!(
                    "the {} plugin is built for interface 0.1.0, which cannot send media; rebuild it for {}",
                    self.name(),
                    crate::INTERFACE_VERSION
                ))),
            },
            Bindings::V0_2(b) => b
                .smsdesk_plugin_carrier()
                .call_build_send(store, &convert::v0_2::message(message), self.loaded.settings())
                .map(|r| r.map(Into::into)),
            Bindings::V0_3(b) => b
                .smsdesk_plugin_carrier()
                .call_build_send(store, &convert::v0_3::message(message), self.loaded.settings())
                .map(|r| r.map(Into::into)),
        })
    }

    pub fn parse_send_response(&self, response: &HttpResponse) -> Result<SendOutcome, PluginError> {
        self.with_instance("parse-send-response", |b, store| match b {
            Bindings::V0_1(b) => b
                .smsdesk_plugin_carrier()
                .call_parse_send_response(store, &response.into(), self.loaded.settings())
                .map(Into::into),
            Bindings::V0_2(b) => b
                .smsdesk_plugin_carrier()
                .call_parse_send_response(store, &response.into(), self.loaded.settings())
                .map(Into::into),
            Bindings::V0_3(b) => b
                .smsdesk_plugin_carrier()
                .call_parse_send_response(store, &response.into(), self.loaded.settings())
                .map(Into::into),
        })
    }

    /// Secrets the plugin asked the host for (to sign or verify) that its
    /// config does not have: what a webhook check or a send lacks.
    pub fn missing_secrets(&self) -> Vec<String> {
        self.loaded.secrets().missing()
    }

    /// The `Authorization` header value for `auth`, filled in by the host
    /// from this carrier's config (settings or secrets). Never logged.
    pub fn authorization(&self, auth: &Auth) -> Result<Option<String>, String> {
        let lookup = |name: &str| {
            self.loaded
                .secrets()
                .get(name)
                .or_else(|| {
                    self.loaded
                        .settings()
                        .iter()
                        .find(|(k, _)| k == name)
                        .map(|(_, v)| v.as_str())
                })
                .ok_or_else(|| {
                    format!(
                        "plugin {:?} asked for config entry {name:?}, which this carrier does not have",
                        self.loaded.name()
                    )
                })
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

/// Now, in Unix milliseconds (the receive time of a request handed in
/// without one).
fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
