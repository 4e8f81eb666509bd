//! Encrypted rooms: Synapse configured as many organisations run it
//! (`encryption_enabled_by_default_for_room_type: all`), agents as real
//! encrypting clients (matrix-sdk with its crypto state). The bot mode
//! desk does the agent's whole day there, never writes a plaintext message
//! into an encrypted room, and stays one device across a restart and a
//! SIGKILL.

use crate::common;
use crate::matrix_e2e::agents_day;

use common::matrix::{devices, Synapse};
use matrix_sdk::ruma::OwnedRoomId;

/// The types of the bot's events in `room` (as the homeserver keeps them,
/// not decrypted), and whether the room is encrypted, read with `user`'s
/// access token.
async fn bots_events(homeserver: &str, token: &str, room: &OwnedRoomId) -> (bool, Vec<String>) {
    let http = reqwest::Client::new();
    let url = format!("{homeserver}/_matrix/client/v3/rooms/{room}/messages?dir=b&limit=1000");
    let page: serde_json::Value = http
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .expect("messages")
        .json()
        .await
        .expect("messages answer");
    let events = page["chunk"].as_array().expect("a chunk").clone();
    let encrypted = events.iter().any(|e| e["type"] == "m.room.encryption");
    let types = events
        .iter()
        .filter(|e| e["sender"] == "@smsdesk:localhost" && e["state_key"].is_null())
        .map(|e| e["type"].as_str().unwrap_or_default().to_owned())
        .collect();
    (encrypted, types)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_agents_day_works_in_encrypted_rooms_without_a_plaintext_word_from_the_bot() {
    let mut day = agents_day(Synapse::start_encrypted).await;
    let homeserver = day.synapse.url();
    let token = day.alice.client.access_token().expect("alice's token");

    // Every message the bot wrote in the desk and conversation rooms went
    // out encrypted; only reactions (never encrypted in Matrix) are not.
    for room in [&day.desk, &day.room] {
        let (encrypted, types) = bots_events(&homeserver, &token, room).await;
        assert!(encrypted, "{room} is not encrypted: the homeserver should have made it so");
        assert!(
            types.iter().any(|t| t == "m.room.encrypted"),
            "no encrypted event of the bot in {room}: {types:?}"
        );
        let plain: Vec<&String> = types
            .iter()
            .filter(|t| *t != "m.room.encrypted" && *t != "m.reaction")
            .collect();
        assert!(plain.is_empty(), "the bot wrote in the clear in {room}: {plain:?}");
    }

    // A restart and a SIGKILL: the same device reads and answers.
    for kill in [false, true] {
        if kill {
            day.server.kill9();
        } else {
            day.server.stop();
        }
        day.server.spawn();
        let before = day.alice.count("Queues:");
        day.alice.say(&day.desk, "!queues").await;
        day.alice.wait_for_nth("Queues:", before + 1).await;
    }
    let bots: Vec<String> = devices(&homeserver, "smsdesk", "bot-password")
        .await
        .into_iter()
        .filter(|name| name == "smsdesk")
        .collect();
    assert_eq!(bots.len(), 1, "the bot made another device: {bots:?}");
    day.server.stop();
}
