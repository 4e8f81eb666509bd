//! `storage.retention` reaches the Matrix rooms, against Synapse: every
//! room the bot makes carries an `m.room.retention` state event with the
//! retention as `max_lifetime`, so a homeserver with message retention
//! enabled purges the customer's texts when smsdesk erases its own record;
//! rooms made before (or before the retention changed) are brought in line
//! at the next start.

use crate::common;

use std::time::{Duration, Instant};

use common::desk::AliceAtWork;
use matrix_sdk::ruma::OwnedRoomId;
use serde_json::Value;

const DAY_MS: u64 = 24 * 3600 * 1000;

/// The room's `max_lifetime`, as Alice (a member) reads it; None when the
/// room has no retention.
async fn max_lifetime(w: &AliceAtWork, room: &OwnedRoomId) -> Option<u64> {
    let token = w.alice.client.access_token().expect("Alice is logged in");
    let response = w
        .http
        .get(format!(
            "{}/_matrix/client/v3/rooms/{room}/state/m.room.retention/",
            w._synapse.url()
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    if response.status() == reqwest::StatusCode::NOT_FOUND {
        return None;
    }
    let content: Value = response.json().await.unwrap();
    content["max_lifetime"].as_u64()
}

async fn wait_for_lifetime(w: &AliceAtWork, room: &OwnedRoomId, want: u64) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let got = max_lifetime(w, room).await;
        if got == Some(want) {
            return;
        }
        assert!(Instant::now() < deadline, "{room}: max_lifetime is {got:?}, not {want}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_bots_rooms_carry_the_retention_so_the_homeserver_can_purge_them() {
    let mut w = AliceAtWork::boot_with(
        |c| c.replace("[storage]\n", "[storage]\nretention = \"30d\"\n"),
        true,
        true,
        &[],
    )
    .await;
    // The conversation room is made with it; the desk room, made before
    // the retention was configured, gets it at that start.
    assert_eq!(max_lifetime(&w, &w.room).await, Some(30 * DAY_MS));
    wait_for_lifetime(&w, &w.desk, 30 * DAY_MS).await;
    // A changed retention reaches the live rooms at the next start.
    w.reconfigure(|c| c.replace("retention = \"30d\"", "retention = \"90d\""));
    wait_for_lifetime(&w, &w.room, 90 * DAY_MS).await;
    wait_for_lifetime(&w, &w.desk, 90 * DAY_MS).await;
}
