//! The replies waiting for the carrier, in memory. Loaded once at start;
//! after that only what is new is read (message ids only grow, so a read
//! starts after the highest id already known). Intake therefore costs the
//! same whether 0 or 5,000 replies wait at a carrier that is down.
//! A reply leaves the set when its verdict is committed.

use std::collections::BTreeMap;

use smsdesk_core::MessageId;
use smsdesk_engine::store::layout::{self, OutboundSms};

use crate::app::{AppState, EngineGone};

/// Replies read per engine query (the first load takes several).
const READ_BATCH: usize = 1_000;

#[derive(Debug, Default)]
pub struct Pending {
    sms: BTreeMap<MessageId, OutboundSms>,
    /// The highest message id read so far.
    last: Option<MessageId>,
}

impl Pending {
    /// Reads the replies added since the last call (all of them the first
    /// time); returns their ids, oldest first. A store read error is logged
    /// and tried again at the next call.
    pub async fn refresh(&mut self, state: &AppState) -> Result<Vec<MessageId>, EngineGone> {
        let mut new = Vec::new();
        loop {
            let after = self.last;
            let batch = state
                .read_store(move |s| layout::pending_sms_after(s, after, READ_BATCH))
                .await?;
            let batch = match batch {
                Ok(b) => b,
                Err(error) => {
                    tracing::error!(%error, "cannot read the outbox; will try again");
                    return Ok(new);
                }
            };
            let full = batch.len() == READ_BATCH;
            for sms in batch {
                self.last = Some(sms.message_id);
                new.push(sms.message_id);
                self.sms.insert(sms.message_id, sms);
            }
            if !full {
                return Ok(new);
            }
        }
    }

    pub fn get(&self, id: MessageId) -> Option<&OutboundSms> {
        self.sms.get(&id)
    }

    pub fn remove(&mut self, id: MessageId) {
        self.sms.remove(&id);
    }

    pub fn len(&self) -> usize {
        self.sms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sms.is_empty()
    }
}
