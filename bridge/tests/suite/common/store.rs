//! Looking into a stopped server's store with the engine itself.

use std::collections::BTreeMap;
use std::path::Path;

use smsdesk_core::setup::{AgentSetup, EntryKind, EntryPoint, QueueSetup, Setup};
use smsdesk_core::*;
use smsdesk_engine::store::SledStore;
use smsdesk_engine::*;

use super::ENTRY;

/// Every stored inbound carrier message id, with how often it is stored;
/// and the open conversations. Opens the store of a stopped server.
pub fn stored(storage: &Path) -> (BTreeMap<String, usize>, Vec<model::Conversation>) {
    let engine = open_engine(storage);
    let mut out = BTreeMap::new();
    for c in 0..engine.state().counters.next_conversation {
        for r in engine.history(ConversationId(c)).expect("history") {
            if let Event::MessageReceived { sms, .. } = r.event {
                *out.entry(sms.carrier_message_id.to_string()).or_default() += 1;
            }
        }
    }
    (out, engine.state().conversations().cloned().collect())
}

/// The engine over a stopped server's store, with the test config's setup.
pub fn open_engine(storage: &Path) -> Engine<SledStore> {
    let setup = Setup::default()
        .with_queue(QueueSetup::new("billing"))
        .with_entry_point(EntryPoint {
            number: EntryNumber::parse(ENTRY).expect("entry"),
            kind: EntryKind::LongCode,
            carrier: CarrierName::from("twilio"),
            queue: QueueName::from("billing"),
            skills: Default::default(),
            keywords: smsdesk_core::keywords::KeywordMode::Carrier,
            intake_timeout: None,
        })
        .with_agent(AgentSetup::new("@alice:example.com", &["billing"]));
    let store = SledStore::open(storage).expect("store");
    Engine::open(store, setup, Default::default()).expect("engine")
}
