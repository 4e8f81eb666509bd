//! `smsdesk plugin run <intake.wasm> <fixture>` for intake bots: the
//! fixture is a conversation (the customer's SMS in order); each SMS is one
//! turn, with the state the bot kept handed back, until the bot queues or
//! closes the conversation. Every turn is printed: what the customer said,
//! what the bot texted back, where it goes next, and how much state it kept.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Value};
use smsdesk_plugins::intake::{IntakeRequest, Next};
use smsdesk_plugins::{IntakePlugin, PluginHost};

/// What an intake fixture says (`Fixture::Intake` in `plugin.rs` reads it).
#[derive(Debug)]
pub struct IntakeFixture {
    /// The customer's SMS, one per turn.
    pub messages: Vec<String>,
    pub entry: String,
    pub customer: String,
    /// The entry point's intake settings.
    pub settings: BTreeMap<String, String>,
}

pub fn default_entry() -> String {
    "+15550001111".into()
}

pub fn default_customer() -> String {
    "+15557654321".into()
}

/// The turns and outcome as JSON, and whether a turn failed.
pub fn run(
    host: &PluginHost,
    file: &Path,
    fixture: IntakeFixture,
    extra: BTreeMap<String, String>,
) -> anyhow::Result<(Value, bool)> {
    if fixture.messages.is_empty() {
        anyhow::bail!("an intake fixture needs at least one entry in \"messages\"");
    }
    let mut settings = fixture.settings;
    settings.extend(extra);
    let plugin = IntakePlugin::load(
        host,
        &super::plugin_name::name_of(file),
        file,
        settings.into_iter().collect(),
    )?;
    let mut state = Vec::new();
    let mut turns = Vec::new();
    let mut outcome = json!("waiting for the customer's next SMS");
    let mut failed = false;
    for (i, body) in fixture.messages.iter().enumerate() {
        let request = IntakeRequest {
            conversation: 1,
            entry: fixture.entry.clone(),
            customer: fixture.customer.clone(),
            body: body.clone(),
            media_urls: Vec::new(),
            turn: u32::try_from(i + 1).unwrap_or(u32::MAX),
            state: std::mem::take(&mut state),
            received_at_ms: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
        };
        let answer = match plugin.turn(&request) {
            Ok(a) => a,
            Err(error) => {
                turns.push(json!({ "turn": i + 1, "customer": body, "failed": error.to_string() }));
                outcome = json!("plugin failure: smsdesk would queue the conversation to the entry point's queue");
                failed = true;
                break;
            }
        };
        turns.push(json!({
            "turn": i + 1,
            "customer": body,
            "texts": answer.texts,
            "next": answer.next,
            "state_bytes": answer.state.len(),
        }));
        state = answer.state;
        match answer.next {
            Next::Wait => {}
            Next::Queue { .. } | Next::Close(_) => {
                outcome = json!(answer.next);
                if i + 1 < fixture.messages.len() {
                    outcome = json!({ "done": answer.next, "unused_messages": fixture.messages.len() - i - 1 });
                }
                break;
            }
        }
    }
    Ok((json!({ "turns": turns, "outcome": outcome }), failed))
}
