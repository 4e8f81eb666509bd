//! What `storage.retention` means for Matrix rooms. smsdesk erases its own
//! record of a closed conversation after the retention; the texts posted in
//! Matrix rooms are the homeserver's to keep. Every room the bot makes
//! (conversation, desk, supervisor) is therefore created with an
//! `m.room.retention` state event whose `max_lifetime` is the retention: a
//! homeserver with message retention enabled (Synapse: `retention:
//! enabled: true`) purges the room's messages that long after they were
//! sent. Without that setting rooms keep their history, as docs/configuration.md says.
//! At each start the bot's live rooms are brought in line with the config
//! (rooms made before it, or before the retention changed).

use matrix_sdk::ruma::events::{AnyInitialStateEvent, StateEventType};
use matrix_sdk::ruma::serde::Raw;
use matrix_sdk::ruma::OwnedRoomId;

use crate::matrix::Bot;

/// The `m.room.retention` content for `retention`: none means keep forever.
fn content(retention: Option<std::time::Duration>) -> serde_json::Value {
    match retention {
        Some(r) => serde_json::json!({ "max_lifetime": u64::try_from(r.as_millis()).unwrap_or(u64::MAX) }),
        None => serde_json::json!({}),
    }
}

/// The room's initial `m.room.retention` state, if a retention is set.
pub fn state(retention: Option<std::time::Duration>) -> Vec<Raw<AnyInitialStateEvent>> {
    let Some(retention) = retention else {
        return Vec::new();
    };
    let event = serde_json::json!({
        "type": "m.room.retention",
        "state_key": "",
        "content": content(Some(retention)),
    });
    vec![Raw::from_json(
        serde_json::value::to_raw_value(&event).expect("a JSON literal serializes"),
    )]
}

impl Bot {
    /// Sets `room`'s `m.room.retention` to the config's; false if it already was.
    pub(in crate::matrix) async fn align_retention(&self, room: &OwnedRoomId) -> anyhow::Result<bool> {
        let wanted = content(self.app.config.retention);
        let kind = StateEventType::from("m.room.retention");
        // No such state yet: the room keeps its history.
        let current = self.state_content(room, kind.clone()).await?.unwrap_or_default();
        if current.get("max_lifetime") == wanted.get("max_lifetime") {
            return Ok(false);
        }
        self.put_state(room, kind, &wanted).await?;
        Ok(true)
    }
}
