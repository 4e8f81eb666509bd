//! The bot's cross-signing identity across devices, against a real
//! Synapse that does not force encryption (`matrix.encryption = "on"`
//! does): a new device of the bot (its storage wiped, as on a new machine)
//! with a wrong `matrix.recovery_key` is said once in the log, stays
//! unverified and still serves the desk; with the right key the same
//! device is verified by the same identity (recovery opened the secret
//! storage, it made no new identity). The rooms' keys are in the key
//! backup on the homeserver. The key is never in the log.

use std::time::{Duration, Instant};

use crate::common;

use common::matrix::{Synapse, User};
use common::{free_port, Server, Sim};
use matrix_sdk::ruma::{OwnedDeviceId, OwnedUserId, UserId};

const KEY: &str = "correct horse battery staple";
const WRONG: &str = "incorrect donkey battery staple";

/// The bot's cross-signing master key as an agent's homeserver gives it.
async fn master_key(homeserver: &str, agent: &User, bot: &UserId) -> serde_json::Value {
    let token = agent.client.access_token().expect("a token");
    let keys: serde_json::Value = reqwest::Client::new()
        .post(format!("{homeserver}/_matrix/client/v3/keys/query"))
        .bearer_auth(token)
        .json(&serde_json::json!({"device_keys": {bot.as_str(): []}}))
        .send()
        .await
        .expect("keys/query")
        .json()
        .await
        .expect("keys/query answer");
    keys["master_keys"][bot.as_str()]["keys"].clone()
}

/// How many room keys the bot's key backup on the homeserver holds (read
/// with a login of the bot's own, logged out after), once it holds some
/// or after 60 s.
async fn backed_up_keys(homeserver: &str) -> u64 {
    let http = reqwest::Client::new();
    let login: serde_json::Value = http
        .post(format!("{homeserver}/_matrix/client/v3/login"))
        .json(&serde_json::json!({
            "type": "m.login.password",
            "identifier": {"type": "m.id.user", "user": "smsdesk"},
            "password": "bot-password",
        }))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("login answer");
    let token = login["access_token"].as_str().expect("a token").to_owned();
    let deadline = Instant::now() + Duration::from_secs(60);
    let count = loop {
        let version: serde_json::Value = http
            .get(format!("{homeserver}/_matrix/client/v3/room_keys/version"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("room_keys/version")
            .json()
            .await
            .expect("room_keys/version answer");
        let count = version["count"].as_u64().unwrap_or(0);
        if count > 0 || Instant::now() > deadline {
            break count;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let _ = http
        .post(format!("{homeserver}/_matrix/client/v3/logout"))
        .bearer_auth(&token)
        .json(&serde_json::json!({}))
        .send()
        .await;
    count
}

/// Whether `agent`'s client sees `device` of `bot` signed by its owner's
/// identity (asked afresh, for up to `limit`).
async fn device_verified(agent: &User, bot: &UserId, device: &str, limit: Duration) -> bool {
    let device: OwnedDeviceId = device.into();
    let deadline = Instant::now() + limit;
    loop {
        let encryption = agent.client.encryption();
        let _ = encryption.request_user_identity(bot).await;
        if let Ok(Some(d)) = encryption.get_device(bot, &device).await {
            if d.is_cross_signed_by_owner() {
                return true;
            }
        }
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// /readyz's crypto part once the bot's identity is settled (logged in,
/// no longer "setting up"; at most 2 minutes), and how long from `since`
/// that took (PBKDF2 over the passphrase is in it).
async fn settled(server: &Server, since: Instant) -> (serde_json::Value, Duration) {
    loop {
        let ready: serde_json::Value = match reqwest::get(server.url("/readyz")).await {
            Ok(answer) => answer.json().await.unwrap_or_default(),
            Err(_) => serde_json::Value::Null,
        };
        let crypto = ready["matrix_crypto"]["@smsdesk:localhost"].clone();
        let identity = crypto["identity"].as_str().unwrap_or("setting up");
        if identity != "setting up" || since.elapsed() > Duration::from_secs(120) {
            return (crypto, since.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Restarts `server` with a wiped storage (a new machine: a new device
/// of the bot) and `key` as its recovery key.
fn new_machine(server: &mut Server, from: &str, key: &str) -> Instant {
    server.stop();
    std::fs::remove_dir_all(server.storage()).unwrap();
    let config = std::fs::read_to_string(&server.config).unwrap();
    std::fs::write(&server.config, config.replace(from, key)).unwrap();
    server.args = vec!["--adopt-account".into()];
    let since = Instant::now();
    server.spawn();
    since
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_device_of_the_bot_is_verified_with_the_recovery_key_and_a_wrong_key_is_said_once() {
    let tmp = tempfile::tempdir().unwrap();
    let synapse = Synapse::start(tmp.path().join("synapse"));
    synapse.register("smsdesk", "bot-password");
    synapse.register("alice", "alice-password");
    let alice = User::login(&synapse.url(), "alice", "alice-password").await;
    let (port, sim_port) = (free_port(), free_port());
    let _sim = Sim::start(sim_port, port);
    let dir = tmp.path().join("desk");
    std::fs::create_dir_all(&dir).unwrap();
    let auth = format!("password = \"bot-password\"\nencryption = \"on\"\nrecovery_key = \"{KEY}\"");
    let config = common::config::server_config(
        port,
        &format!("http://127.0.0.1:{sim_port}"),
        Some((&synapse.url(), &auth)),
    );
    let log = dir.join("smsdesk.log");
    let since = Instant::now();
    let mut server = Server::start_with_config(&dir, port, &config, Some(log.clone()));
    let bot: OwnedUserId = "@smsdesk:localhost".try_into().unwrap();

    // First start: a new identity, secret storage and backup.
    let (first, took) = settled(&server, since).await;
    eprintln!("identity made (passphrase derivation included) {took:?} after the start");
    assert_eq!(first["identity"], "verified", "{first}");
    let first_device = first["device"].as_str().unwrap().to_owned();
    alice.wait_for("This is your smsdesk desk").await;
    assert!(device_verified(&alice, &bot, &first_device, Duration::from_secs(60)).await);
    let identity = master_key(&synapse.url(), &alice, &bot).await;
    assert!(identity.as_object().is_some_and(|k| !k.is_empty()), "{identity}");
    // The desk room's key is in the backup, for the bot's next devices.
    assert!(backed_up_keys(&synapse.url()).await > 0, "no room key backed up");

    // A new machine with a wrong key: said once, unverified, the desk goes on.
    let since = new_machine(&mut server, KEY, WRONG);
    let (wrong, took) = settled(&server, since).await;
    eprintln!("wrong key told {took:?} after the start");
    let second_device = wrong["device"].as_str().unwrap().to_owned();
    assert_ne!(second_device, first_device, "a wiped storage is a new device");
    let said = wrong["identity"].as_str().unwrap_or_default();
    assert!(said.contains("does not open the bot's secret storage"), "{wrong}");
    alice.wait_for("this is still your desk room").await;
    assert!(!device_verified(&alice, &bot, &second_device, Duration::from_secs(2)).await);
    let text = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        text.matches("matrix.recovery_key does not open").count(),
        1,
        "said once:\n{text}"
    );
    assert!(text.contains("ERROR"), "{text}");
    assert!(!text.contains(WRONG) && !text.contains(KEY), "the key is in the log");

    // The right key on that device: recovered, the same identity signs it.
    server.stop();
    let config = std::fs::read_to_string(&server.config).unwrap();
    std::fs::write(&server.config, config.replace(WRONG, KEY)).unwrap();
    server.args.clear();
    let since = Instant::now();
    server.spawn();
    let (right, took) = settled(&server, since).await;
    eprintln!("recovered (passphrase derivation included) {took:?} after the start");
    assert_eq!(right["identity"], "verified", "{right}");
    assert_eq!(right["device"], second_device.as_str(), "the same device");
    assert!(device_verified(&alice, &bot, &second_device, Duration::from_secs(60)).await);
    assert_eq!(
        master_key(&synapse.url(), &alice, &bot).await,
        identity,
        "recovery made a new identity"
    );
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains(KEY), "the key is in the log");
    server.stop();
}

/// A lost `storage.path/matrix-crypto/` (the rest of the storage kept):
/// the bot goes on as a new device (new keys under the old id would be
/// refused by agents' clients), verified with the recovery key, and reads
/// the command an agent wrote while it was down (encrypted for the lost
/// device only) with the room key from the backup.
#[tokio::test(flavor = "multi_thread")]
async fn a_lost_crypto_store_reads_what_was_written_meanwhile_from_the_backup() {
    let tmp = tempfile::tempdir().unwrap();
    let synapse = Synapse::start(tmp.path().join("synapse"));
    synapse.register("smsdesk", "bot-password");
    synapse.register("alice", "alice-password");
    let alice = User::login(&synapse.url(), "alice", "alice-password").await;
    let (port, sim_port) = (free_port(), free_port());
    let _sim = Sim::start(sim_port, port);
    let dir = tmp.path().join("desk");
    std::fs::create_dir_all(&dir).unwrap();
    let auth = format!("password = \"bot-password\"\nencryption = \"on\"\nrecovery_key = \"{KEY}\"");
    let config = common::config::server_config(
        port,
        &format!("http://127.0.0.1:{sim_port}"),
        Some((&synapse.url(), &auth)),
    );
    let log = dir.join("smsdesk.log");
    let mut server = Server::start_with_config(&dir, port, &config, Some(log.clone()));
    let bot: OwnedUserId = "@smsdesk:localhost".try_into().unwrap();
    let (first, _) = settled(&server, Instant::now()).await;
    assert_eq!(first["identity"], "verified", "{first}");
    let desk = alice.wait_for("This is your smsdesk desk").await.room;
    alice.say(&desk, "!queues").await;
    alice.wait_for_nth("Queues (use with", 1).await;
    assert!(backed_up_keys(&synapse.url()).await > 0, "no room key backed up");

    server.stop();
    std::fs::remove_dir_all(server.storage().join("matrix-crypto")).unwrap();
    alice.say(&desk, "!queues").await;
    let since = Instant::now();
    server.spawn();
    let (second, took) = settled(&server, since).await;
    eprintln!("after the lost store: {second} in {took:?}");
    assert_eq!(second["identity"], "verified", "{second}");
    let device = second["device"].as_str().unwrap().to_owned();
    assert_ne!(first["device"], second["device"], "new keys under the old device id");
    assert!(device_verified(&alice, &bot, &device, Duration::from_secs(60)).await);
    alice.wait_for_nth("Queues (use with", 2).await;
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains("could not read"), "{text}");
    server.stop();
}
