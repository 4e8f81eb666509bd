//! Reads a batch will need, fetched before it runs in one call
//! (`KvStore::get_many`, or `get_many_gated` when the batch holds gated
//! commands: one round trip on PostgreSQL instead of one per
//! command), and read through to the store for anything not fetched.
//!
//! The engine's commands look a few keys up in the store when memory does
//! not have the answer: an SMS's carrier id (de-duplication), a reply's
//! front-end reference, a status callback's carrier id and then that
//! reply's delivery record. `Fetched::for_batch` fetches them before a batch
//! runs; a lookup during the batch (`Through`) finds them here. Nothing is
//! written to the store during a batch, so what was fetched stays true
//! until its commit.

use std::collections::HashMap;

use smsdesk_core::command::Command;
use smsdesk_core::state::State;

use super::keys::{delivery_key, provider_key, reference_key, seen_key};
use super::layout;
use super::{KvStore, Lookup, Result};

/// The values (or their absence) of the keys fetched for one batch.
#[derive(Debug, Default)]
pub struct Fetched {
    got: HashMap<Vec<u8>, Option<Vec<u8>>>,
}

impl Fetched {
    /// Fetches what `commands` will look up in `store` (what `state`, as it
    /// is before the batch, does not know), in at most two calls: the keys
    /// the commands name, then the delivery records of the replies that
    /// status callbacks name. With `gate`, the first call also asks the
    /// store whether its gate is open (`KvStore::get_many_gated`), and is
    /// made even with no keys to read; the answer is false only then.
    pub fn for_batch(
        store: &(impl KvStore + ?Sized),
        state: &State,
        commands: &[Command],
        gate: bool,
    ) -> Result<(Self, bool)> {
        let mut fetched = Self::default();
        let mut keys = Vec::new();
        for command in commands {
            match command {
                Command::ReceiveSms(sms) if state.seen(&sms.carrier, &sms.carrier_message_id).is_none() => {
                    keys.push(seen_key(&sms.carrier, &sms.carrier_message_id));
                }
                Command::Reply {
                    conversation,
                    reference: Some(reference),
                    ..
                } if state.reply_with_reference(*conversation, reference).is_none() => {
                    keys.push(reference_key(*conversation, reference));
                }
                Command::RecordSendOutcome { message, .. } if state.delivery(*message).is_none() => {
                    keys.push(delivery_key(*message));
                }
                Command::RecordDelivery {
                    carrier, provider_id, ..
                } if state.message_by_provider(carrier, provider_id).is_none() => {
                    keys.push(provider_key(carrier, provider_id));
                }
                _ => {}
            }
        }
        let open = fetched.fill(store, keys, gate)?;
        let mut deliveries = Vec::new();
        for command in commands {
            if let Command::RecordDelivery {
                carrier, provider_id, ..
            } = command
            {
                if state.message_by_provider(carrier, provider_id).is_some() {
                    continue;
                }
                let through = Through::new(&fetched, store);
                if let Some(message) = layout::message_by_provider(&through, carrier, provider_id)? {
                    if state.delivery(message).is_none() {
                        deliveries.push(delivery_key(message));
                    }
                }
            }
        }
        fetched.fill(store, deliveries, false)?;
        Ok((fetched, open))
    }

    /// Reads `keys` not read yet; whether the gate is open (asked only
    /// with `gate`).
    fn fill(&mut self, store: &(impl KvStore + ?Sized), mut keys: Vec<Vec<u8>>, gate: bool) -> Result<bool> {
        keys.retain(|k| !self.got.contains_key(k));
        keys.sort_unstable();
        keys.dedup();
        let (values, open) = match (gate, keys.is_empty()) {
            (true, _) => store.get_many_gated(&keys)?,
            (false, true) => return Ok(true),
            (false, false) => (store.get_many(&keys)?, true),
        };
        self.got.extend(keys.into_iter().zip(values));
        Ok(open)
    }
}

/// A batch's fetched reads in front of its store.
#[derive(Clone, Copy)]
pub struct Through<'a, S: ?Sized> {
    fetched: &'a Fetched,
    store: &'a S,
}

impl<S: ?Sized> std::fmt::Debug for Through<'_, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Through")
            .field("fetched", &self.fetched.got.len())
            .finish_non_exhaustive()
    }
}

impl<'a, S: KvStore + ?Sized> Through<'a, S> {
    pub fn new(fetched: &'a Fetched, store: &'a S) -> Self {
        Self { fetched, store }
    }
}

impl<S: KvStore + ?Sized> Lookup for Through<'_, S> {
    fn lookup(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        match self.fetched.got.get(key) {
            Some(value) => Ok(value.clone()),
            None => self.store.get(key),
        }
    }
}
