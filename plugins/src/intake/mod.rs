//! Intake plugins (interface 0.2.0 on, 0.3.0 the same but for the version): one turn of a bot that talks with a
//! new conversation's customer before it is queued. The host keeps the
//! bot's state between turns (capped at `MAX_STATE` bytes) and checks what
//! it answers; each turn runs in a fresh instance under the usual CPU and
//! memory limits, so nothing of one customer's talk can stay in the
//! plugin for the next.

mod types;

use std::path::Path;

use crate::bindings::v0_2::intake::exports::smsdesk::plugin::intake as i;
use crate::bindings::v0_3::intake::exports::smsdesk::plugin::intake as i3;
use crate::bindings::{v0_2, v0_3};
use crate::error::PluginError;
use crate::host::PluginHost;
use crate::inspect::World;
use crate::loaded::{Loaded, Settings, Spec};
use crate::recipe::{Never, Versions};
use crate::sandbox::HostState;

pub use types::*;

/// The instantiation recipe for the bot's interface version (none before 0.2.0).
type Pre = Versions<Never, v0_2::intake::IntakePluginPre<HostState>, v0_3::intake::IntakePluginPre<HostState>>;

/// The request in a version's bindings (the same fields in each).
macro_rules! request {
    ($m:ident, $request:expr, $settings:expr) => {
        $m::IntakeRequest {
            conversation: $request.conversation,
            entry: $request.entry.clone(),
            customer: $request.customer.clone(),
            body: $request.body.clone(),
            media_urls: $request.media_urls.clone(),
            turn: $request.turn,
            state: $request.state.clone(),
            received_at_ms: $request.received_at_ms,
            settings: $settings,
        }
    };
}

/// A 0.3.0 answer in 0.2.0's types (they are the same).
fn answer_v0_3(a: i3::IntakeAnswer) -> i::IntakeAnswer {
    i::IntakeAnswer {
        texts: a.texts,
        state: a.state,
        next: match a.next {
            i3::Next::Wait => i::Next::Wait,
            i3::Next::Close(reason) => i::Next::Close(reason),
            i3::Next::Queue(q) => i::Next::Queue(i::QueueTo {
                queue: q.queue,
                skills: q.skills,
                fields: q.fields,
            }),
        },
    }
}

pub struct IntakePlugin {
    loaded: Loaded<Pre>,
}

crate::loaded::loaded_plugin!(IntakePlugin);

impl IntakePlugin {
    pub fn load(host: &PluginHost, name: &str, path: &Path, settings: Settings) -> Result<Self, PluginError> {
        // Each turn gets a fresh instance: the first one, made at load, is not kept.
        let (loaded, _) = Loaded::load(Spec::plain(host, name, path, World::Intake, settings), |_, _| Ok(()))?;
        Ok(Self { loaded })
    }

    /// One turn. A trap, a timeout, an `err` from the bot or an answer out
    /// of bounds is a `PluginError`; the caller queues the conversation.
    pub fn turn(&self, request: &IntakeRequest) -> Result<IntakeAnswer, PluginError> {
        if request.state.len() > MAX_STATE {
            return Err(self.bad(format!("was handed {} bytes of state", request.state.len())));
        }
        let mut instance = self.loaded.instantiate()?;
        let settings = self.loaded.settings().to_vec();
        let bindings = &instance.bindings;
        let answer = self
            .loaded
            .call(&mut instance.store, "handle", |store| match bindings {
                Versions::V0_1(never) => match *never {},
                Versions::V0_2(b) => b
                    .smsdesk_plugin_intake()
                    .call_handle(store, &request!(i, request, settings)),
                Versions::V0_3(b) => b
                    .smsdesk_plugin_intake()
                    .call_handle(store, &request!(i3, request, settings))
                    .map(|r| r.map(answer_v0_3)),
            })?;
        let answer = answer.map_err(|message| {
            let plugin = self.loaded.label().to_owned();
            self.logged(
                PluginError::Failed {
                    plugin,
                    call: "handle",
                    message,
                },
                "intake plugin answered an error",
            )
        })?;
        self.check(answer)
    }

    fn bad(&self, message: String) -> PluginError {
        let plugin = self.loaded.label().to_owned();
        self.logged(
            PluginError::BadOutput {
                plugin,
                call: "handle",
                message,
            },
            "intake plugin answered out of bounds",
        )
    }

    /// `error`, logged as a warning with `what`.
    fn logged(&self, error: PluginError, what: &str) -> PluginError {
        tracing::warn!(plugin = %self.name(), %error, "{what}");
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
