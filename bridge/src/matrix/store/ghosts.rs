//! What the bot's store keeps about customers' ghosts (appservice mode):
//! the key of opaque names (`ghost-key`, 32 random bytes, created once),
//! whether names are opaque for good (`ghost-opaque`: masking was on
//! once), each customer's ghost generation (`ghost-gen/<tag>`, the tag a
//! keyed hash of entry point and number, so no number is kept here),
//! and each opaque ghost in use with when it last spoke (`ghost-seen/`),
//! for `storage.retention`. None of it is tied to the event log: a
//! rebuilt store keeps it (a ghost's name must not change with it).

use matrix_sdk::ruma::{OwnedUserId, UserId};
use serde::{Deserialize, Serialize};
use smsdesk_core::Timestamp;

use super::{BotStore, Result};
use crate::appservice::naming::GhostKey;

const KEY: &str = "ghost-key";
const OPAQUE: &str = "ghost-opaque";
const SEEN: &str = "ghost-seen/";

/// An opaque ghost in use: whose it is (the customer's tag), which
/// generation, and when it last spoke.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GhostRecord {
    pub customer: String,
    pub generation: u32,
    pub last_active: Timestamp,
}

impl BotStore {
    /// The key of opaque ghost names, created (staged: flush before
    /// naming anyone with it) when there is none yet.
    pub fn ensure_ghost_key(&self) -> Result<GhostKey> {
        if let Some(key) = self.ghost_key()? {
            return Ok(key);
        }
        let key = GhostKey::generate();
        self.put(KEY, &key.to_hex());
        Ok(key)
    }

    /// The key of opaque ghost names, if made; one that does not read is an error.
    pub fn ghost_key(&self) -> Result<Option<GhostKey>> {
        let Some(hex) = self.get::<String>(KEY)? else {
            return Ok(None);
        };
        GhostKey::from_hex(&hex)
            .map(Some)
            .ok_or_else(|| smsdesk_engine::store::StoreError::Corrupt {
                key: KEY.to_owned(),
                message: "not 32 bytes in hex".to_owned(),
            })
    }

    /// Whether ghosts are named opaquely for good (masking was on once).
    pub fn opaque_ghosts(&self) -> Result<bool> {
        Ok(self.get::<bool>(OPAQUE)?.unwrap_or(false))
    }

    pub fn set_opaque_ghosts(&self) {
        self.put(OPAQUE, &true);
    }

    /// The current generation of the ghost of the customer with this tag.
    pub fn ghost_generation(&self, customer: &str) -> Result<u32> {
        Ok(self.get(&format!("ghost-gen/{customer}"))?.unwrap_or(0))
    }

    pub fn set_ghost_generation(&self, customer: &str, generation: u32) {
        self.put(&format!("ghost-gen/{customer}"), &generation);
    }

    pub fn ghost_record(&self, ghost: &UserId) -> Result<Option<GhostRecord>> {
        self.get(&format!("{SEEN}{ghost}"))
    }

    pub fn set_ghost_record(&self, ghost: &UserId, record: &GhostRecord) {
        self.put(&format!("{SEEN}{ghost}"), record);
    }

    /// Every opaque ghost in use (durable entries).
    pub fn ghost_records(&self) -> Result<Vec<(OwnedUserId, GhostRecord)>> {
        let mut out = Vec::new();
        for key in self.durable_keys(SEEN)? {
            let Ok(ghost) = OwnedUserId::try_from(&key[SEEN.len()..]) else {
                continue;
            };
            if let Some(record) = self.get::<GhostRecord>(&key)? {
                out.push((ghost, record));
            }
        }
        Ok(out)
    }

    /// Every ghost the bot registered and named (durable entries).
    pub fn named_ghosts(&self) -> Result<Vec<OwnedUserId>> {
        Ok(self
            .durable_keys("ghost/")?
            .iter()
            .filter_map(|k| OwnedUserId::try_from(&k["ghost/".len()..]).ok())
            .collect())
    }

    /// Forgets a deactivated ghost: its name, record and rooms.
    pub fn forget_ghost(&self, ghost: &UserId) -> Result<()> {
        self.delete(&format!("ghost/{ghost}"));
        self.delete(&format!("{SEEN}{ghost}"));
        let suffix = format!("/{ghost}");
        for key in self.durable_keys("ghost-in/")? {
            if key.ends_with(&suffix) {
                self.delete(&key);
            }
        }
        Ok(())
    }
}
