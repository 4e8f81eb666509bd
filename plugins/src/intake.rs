//! Intake plugins (interface 0.2.0 on): one turn of a bot that talks with a
//! new conversation's customer before it is queued. The host keeps the
//! bot's state between turns (capped at `MAX_STATE` bytes) and checks what
//! it answers; each turn runs in a fresh instance under the usual CPU and
//! memory limits, so nothing of one customer's talk can stay in the
//! plugin for the next.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::bindings::v0_2::intake as wit;
use crate::bindings::v0_2::intake::exports::smsdesk::plugin::intake as i;
use crate::error::PluginError;
use crate::host::PluginHost;
use crate::inspect::{PluginInfo, World};
use crate::metrics::CallStats;
use crate::sandbox::HostState;
use crate::secrets::Secrets;

/// The most state a bot may keep per conversation.
pub const MAX_STATE: usize = 4096;
/// The most texts one turn may send, and the longest text.
pub const MAX_TEXTS: usize = 5;
pub const MAX_TEXT_CHARS: usize = 1600;
/// The most fields, and the longest field name and value.
pub const MAX_FIELDS: usize = 32;
pub const MAX_FIELD_CHARS: usize = 512;

/// One customer SMS as the bot sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntakeRequest {
    pub conversation: u64,
    pub entry: String,
    pub customer: String,
    pub body: String,
    #[serde(default)]
    pub media_urls: Vec<String>,
    /// 1 for the first SMS.
    pub turn: u32,
    /// What the bot answered as state last turn.
    #[serde(default)]
    pub state: Vec<u8>,
    pub received_at_ms: u64,
}

/// Where the conversation goes after this turn.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Next {
    Wait,
    Queue {
        /// `None`: the entry point's own queue.
        queue: Option<String>,
        skills: Vec<String>,
        fields: Vec<(String, String)>,
    },
    Close(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntakeAnswer {
    pub texts: Vec<String>,
    pub state: Vec<u8>,
    pub next: Next,
}

pub struct IntakePlugin {
    host: PluginHost,
    name: String,
    path: PathBuf,
    info: PluginInfo,
    pre: wit::IntakePluginPre<HostState>,
    settings: Vec<(String, String)>,
    stats: Arc<CallStats>,
}

impl std::fmt::Debug for IntakePlugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IntakePlugin")
            .field("name", &self.name)
            .field("path", &self.path)
            .finish()
    }
}

impl IntakePlugin {
    pub fn load(
        host: &PluginHost,
        name: &str,
        path: &Path,
        settings: Vec<(String, String)>,
    ) -> Result<Self, PluginError> {
        let (pre, info) = host.prepare(name, path, World::Intake, |_, _| Ok(()))?;
        let pre = wit::IntakePluginPre::new(pre).map_err(PluginError::instantiate(name))?;
        let plugin = Self {
            host: host.clone(),
            name: name.to_owned(),
            path: path.to_owned(),
            info,
            pre,
            settings,
            stats: host.metrics().stats(name),
        };
        // Instantiate once now, so a plugin that cannot start is refused at load.
        plugin
            .pre
            .instantiate(&mut plugin.host.store(Arc::default()))
            .map_err(PluginError::instantiate(name))?;
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

    /// One turn. A trap, a timeout, an `err` from the bot or an answer out
    /// of bounds is a `PluginError`; the caller queues the conversation.
    pub fn turn(&self, request: &IntakeRequest) -> Result<IntakeAnswer, PluginError> {
        if request.state.len() > MAX_STATE {
            return Err(self.bad(format!("was handed {} bytes of state", request.state.len())));
        }
        let mut store = self.host.store(Arc::new(Secrets::default()));
        let bindings = self
            .pre
            .instantiate(&mut store)
            .map_err(PluginError::instantiate(&self.name))?;
        let wit_request = i::IntakeRequest {
            conversation: request.conversation,
            entry: request.entry.clone(),
            customer: request.customer.clone(),
            body: request.body.clone(),
            media_urls: request.media_urls.clone(),
            turn: request.turn,
            state: request.state.clone(),
            received_at_ms: request.received_at_ms,
            settings: self.settings.clone(),
        };
        let answer = self.host.call(&mut store, &self.name, "handle", &self.stats, |store| {
            bindings.smsdesk_plugin_intake().call_handle(store, &wit_request)
        })?;
        let answer = answer.map_err(|message| {
            let error = PluginError::Failed {
                plugin: self.name.clone(),
                call: "handle",
                message,
            };
            tracing::warn!(plugin = %self.name, %error, "intake plugin answered an error");
            error
        })?;
        self.check(answer)
    }

    fn bad(&self, message: String) -> PluginError {
        let error = PluginError::BadOutput {
            plugin: self.name.clone(),
            call: "handle",
            message,
        };
        tracing::warn!(plugin = %self.name, %error, "intake plugin answered out of bounds");
        error
    }

    /// The answer in host types, if it is within bounds.
    fn check(&self, answer: i::IntakeAnswer) -> Result<IntakeAnswer, PluginError> {
        if answer.state.len() > MAX_STATE {
            return Err(self.bad(format!("state of {} bytes (at most {MAX_STATE})", answer.state.len())));
        }
        if answer.texts.len() > MAX_TEXTS {
            return Err(self.bad(format!(
                "{} texts in one turn (at most {MAX_TEXTS})",
                answer.texts.len()
            )));
        }
        if let Some(t) = answer
            .texts
            .iter()
            .find(|t| t.trim().is_empty() || t.chars().count() > MAX_TEXT_CHARS)
        {
            return Err(self.bad(format!(
                "a text of {} characters (each must be 1 to {MAX_TEXT_CHARS}, not blank)",
                t.chars().count()
            )));
        }
        let next = match answer.next {
            i::Next::Wait => Next::Wait,
            i::Next::Close(reason) => Next::Close(reason),
            i::Next::Queue(q) => {
                if q.fields.len() > MAX_FIELDS {
                    return Err(self.bad(format!("{} fields (at most {MAX_FIELDS})", q.fields.len())));
                }
                let too_long = |s: &String| s.is_empty() || s.chars().count() > MAX_FIELD_CHARS;
                if let Some((k, _)) = q
                    .fields
                    .iter()
                    .find(|(k, v)| too_long(k) || v.chars().count() > MAX_FIELD_CHARS)
                {
                    return Err(self.bad(format!(
                        "field {:?}: names must be 1 to {MAX_FIELD_CHARS} characters, values at most {MAX_FIELD_CHARS}",
                        k.chars().take(40).collect::<String>()
                    )));
                }
                Next::Queue {
                    queue: (!q.queue.trim().is_empty()).then(|| q.queue.trim().to_owned()),
                    skills: q.skills,
                    fields: q.fields,
                }
            }
        };
        Ok(IntakeAnswer {
            texts: answer.texts,
            state: answer.state,
            next,
        })
    }
}
