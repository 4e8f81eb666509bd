//! Encrypted rooms: Synapse configured as many organisations run it
//! (`encryption_enabled_by_default_for_room_type: all`), agents as real
//! encrypting clients (matrix-sdk with its crypto state). The bot mode
//! desk does the agent's whole day there, never writes a plaintext message
//! into an encrypted room, stays one device across a restart and a
//! SIGKILL, and tells an agent whose message it cannot decrypt. In
//! appservice mode the bot's encrypting twin does the same day.

use crate::common;
use crate::matrix_e2e::{agents_day, Mode};

use common::matrix::{devices, Synapse};
use matrix_sdk::ruma::OwnedRoomId;

/// The types of the desk's events in `room` (the bot's, its twin's and
/// ghosts', as the homeserver keeps them, not decrypted; state aside), and
/// whether the room is encrypted, read with `user`'s access token.
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
        .filter(|e| {
            let sender = e["sender"].as_str().unwrap_or_default();
            let desk = sender.starts_with("@smsdesk") || sender.starts_with("@sms_");
            desk && e["state_key"].is_null()
        })
        .map(|e| e["type"].as_str().unwrap_or_default().to_owned())
        .collect();
    (encrypted, types)
}

/// Every message the desk wrote in `rooms` went out encrypted; only
/// reactions (never encrypted in Matrix) are not.
async fn nothing_in_the_clear(homeserver: &str, token: &str, rooms: [&OwnedRoomId; 2]) {
    for room in rooms {
        let (encrypted, types) = bots_events(homeserver, token, room).await;
        assert!(
            encrypted,
            "{room} is not encrypted: the homeserver should have made it so"
        );
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
}

#[tokio::test(flavor = "multi_thread")]
async fn the_agents_day_works_in_encrypted_rooms_without_a_plaintext_word_from_the_bot() {
    let mut day = agents_day(Mode::Bot(Synapse::start_encrypted)).await;
    let homeserver = day.synapse.url();
    let token = day.alice.client.access_token().expect("alice's token");

    nothing_in_the_clear(&homeserver, &token, [&day.desk, &day.room]).await;

    // After the restarts below, a message whose key never comes is given
    // up after 10 s instead of 30 (the notice is what is tested here; a
    // key that comes late is waited for in `encrypted_identity`).
    day.server
        .env
        .push(("SMSDESK_TEST_KEY_WAIT_SECS".to_owned(), "10".to_owned()));
    // A restart and a SIGKILL: the same device reads and answers.
    for kill in [false, true] {
        if kill {
            day.server.kill9();
        } else {
            day.server.stop();
        }
        day.server.spawn();
        let before = day.alice.count("Queues (use with");
        day.alice.say(&day.desk, "!queues").await;
        day.alice.wait_for_nth("Queues (use with", before + 1).await;
    }
    // A message whose key never reaches the bot (its session is unknown):
    // after the bounded wait its writer is told, once, and nothing is done.
    let http = reqwest::Client::new();
    let url = format!(
        "{homeserver}/_matrix/client/v3/rooms/{}/send/m.room.encrypted/undecryptable-1",
        day.desk
    );
    let sent = http
        .put(url)
        .bearer_auth(&token)
        .json(&serde_json::json!({
            "algorithm": "m.megolm.v1.aes-sha2",
            "ciphertext": "AwgAEnB7yQhB0mxqR2T6Qp0X9Fv2m1N4jK8sZkY3cL5dE6fG7hI8jK9lM0nO1pQ2rS3tU4vW5xY6zA7bC8dE9fG",
            "session_id": "a-session-the-bot-never-got",
            "sender_key": "e3YnR4v8Y3pW2qK1mN0bV9cX8zL7kJ6hG5fD4sA3pQ2",
            "device_id": "NOSUCHDEVICE"
        }))
        .send()
        .await
        .expect("sending an undecryptable message");
    assert!(sent.status().is_success(), "{}", sent.status());
    let told = day.alice.wait_for("I could not read your message sent at").await;
    assert_eq!(told.room, day.desk);
    assert!(told.body.contains("nothing was sent to the customer"), "{}", told.body);
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(
        day.alice.count("I could not read your message"),
        1,
        "told more than once"
    );

    let bots: Vec<String> = devices(&homeserver, "smsdesk", "bot-password")
        .await
        .into_iter()
        .filter(|name| name == "smsdesk")
        .collect();
    assert_eq!(bots.len(), 1, "the bot made another device: {bots:?}");
    day.server.stop();
}

/// Appservice mode in encrypted rooms: the agent's whole day, the desk
/// speaking through the bot's encrypting twin (ghosts cannot write in an
/// encrypted room; the twin quotes the customer under their number).
#[tokio::test(flavor = "multi_thread")]
async fn the_agents_day_works_in_encrypted_rooms_in_appservice_mode() {
    let mut day = agents_day(Mode::EncryptedAppservice).await;
    let homeserver = day.synapse.url();
    let token = day.alice.client.access_token().expect("alice's token");
    nothing_in_the_clear(&homeserver, &token, [&day.desk, &day.room]).await;

    // A SIGKILL: the twin is the same device, and reads and answers.
    day.server.kill9();
    day.server.spawn();
    let before = day.alice.count("Queues (use with");
    day.alice.say(&day.desk, "!queues").await;
    let answer = day.alice.wait_for_nth("Queues (use with", before + 1).await;
    assert_eq!(answer.sender, Mode::EncryptedAppservice.voice());
    let twins = devices_of_twin(&homeserver, &token).await;
    assert_eq!(twins, 1, "the twin made another device");
    day.server.stop();
}

/// How many devices of the twin alice's client knows.
async fn devices_of_twin(homeserver: &str, token: &str) -> usize {
    let body = serde_json::json!({"device_keys": {"@smsdesk_e2ee:localhost": []}});
    let keys: serde_json::Value = reqwest::Client::new()
        .post(format!("{homeserver}/_matrix/client/v3/keys/query"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("keys/query")
        .json()
        .await
        .expect("keys/query answer");
    keys["device_keys"]["@smsdesk_e2ee:localhost"]
        .as_object()
        .map_or(0, serde_json::Map::len)
}

/// The bot's device as /readyz reports it, once its identity is set up
/// (or after 30 s).
async fn readyz_crypto(server: &common::Server) -> serde_json::Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let ready: serde_json::Value = reqwest::get(server.url("/readyz")).await.unwrap().json().await.unwrap();
        let crypto = ready["matrix_crypto"]["@smsdesk:localhost"].clone();
        if crypto["identity"] != "setting up" || std::time::Instant::now() > deadline {
            return crypto;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// Whether `user`'s client sees a device of `bot` that its owner's
/// cross-signing identity signed (asked afresh, for up to a minute).
async fn bot_is_verified(user: &common::matrix::User, bot: &matrix_sdk::ruma::UserId) -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::time::Instant::now() < deadline {
        let encryption = user.client.encryption();
        let _ = encryption.request_user_identity(bot).await;
        if let Ok(devices) = encryption.get_user_devices(bot).await {
            if devices.devices().any(|d| d.is_cross_signed_by_owner()) {
                return true;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    false
}

/// `matrix.encryption = "on"` on a homeserver that does not force it: the
/// rooms the bot makes are encrypted. With `matrix.recovery_key` the bot
/// makes its cross-signing identity and key backup once, and agents'
/// clients see its device as verified by its owner, also after a restart,
/// with still one device.
#[tokio::test(flavor = "multi_thread")]
async fn the_bot_is_verified_by_its_own_identity_with_a_recovery_key() {
    use common::*;
    let tmp = tempfile::tempdir().unwrap();
    let synapse = Synapse::start_persistent(tmp.path().join("synapse"));
    synapse.register("smsdesk", "bot-password");
    synapse.register("alice", "alice-password");
    let alice = common::matrix::User::login(&synapse.url(), "alice", "alice-password").await;
    let (port, sim_port) = (free_port(), free_port());
    let _sim = Sim::start(sim_port, port);
    let dir = tmp.path().join("desk");
    std::fs::create_dir_all(&dir).unwrap();
    let auth = "password = \"bot-password\"\nencryption = \"on\"\nrecovery_key = \"correct horse battery staple\"";
    let mut server = Server::start_with_matrix_auth(
        &dir,
        port,
        &format!("http://127.0.0.1:{sim_port}"),
        &synapse.url(),
        auth,
    );
    let desk = alice.wait_for("This is your smsdesk desk").await.room;
    let token = alice.client.access_token().expect("alice's token");
    let (encrypted, types) = bots_events(&synapse.url(), &token, &desk).await;
    assert!(encrypted, "the desk room is not encrypted");
    assert!(
        types.iter().all(|t| t == "m.room.encrypted" || t == "m.reaction"),
        "{types:?}"
    );
    let bot: matrix_sdk::ruma::OwnedUserId = "@smsdesk:localhost".try_into().unwrap();
    assert!(
        bot_is_verified(&alice, &bot).await,
        "the bot's device is not signed by its identity"
    );
    // /readyz says so, with the device and its store.
    let crypto = readyz_crypto(&server).await;
    assert_eq!(crypto["identity"], "verified", "{crypto}");
    assert_eq!(crypto["store"], "open", "{crypto}");
    assert!(
        crypto["device"].as_str().is_some_and(|d| d.starts_with("SMSDESK")),
        "{crypto}"
    );

    server.stop();
    server.spawn();
    let before = alice.count("Queues (use with");
    alice.say(&desk, "!queues").await;
    alice.wait_for_nth("Queues (use with", before + 1).await;
    assert!(bot_is_verified(&alice, &bot).await);
    let bots: Vec<String> = devices(&synapse.url(), "smsdesk", "bot-password")
        .await
        .into_iter()
        .filter(|name| name == "smsdesk")
        .collect();
    assert_eq!(bots.len(), 1, "the bot made another device: {bots:?}");
    server.stop();
}
