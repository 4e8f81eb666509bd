//! MMS both ways in an encrypted conversation room (Synapse encrypting
//! every room, Alice a real encrypting client): the customer's picture
//! arrives as an encrypted attachment whose decrypted bytes are the
//! customer's (SHA-256), and Alice's picture, sent encrypted by her
//! client, reaches the carrier with her bytes. The homeserver never holds
//! either in the clear.

use crate::common;

use std::time::{Duration, Instant};

use common::matrix::{Synapse, User};
use common::*;
use matrix_sdk::attachment::AttachmentConfig;
use matrix_sdk::media::{MediaFormat, MediaRequestParameters};
use matrix_sdk::ruma::events::room::message::{MessageType, RoomMessageEventContent, TextMessageEventContent};
use matrix_sdk::ruma::events::room::MediaSource;
use matrix_sdk::ruma::OwnedEventId;
use smsdesk::sim::media::file;

use crate::mms::sha256;

/// The picture of event `id` in `room`, as `user`'s client decrypts it,
/// and whether the homeserver holds it encrypted: the event (an
/// `m.room.encrypted` the client decrypted) and the file.
async fn picture(user: &User, room: &matrix_sdk::ruma::OwnedRoomId, id: &OwnedEventId) -> (Vec<u8>, bool, bool) {
    let room = user.client.get_room(room).expect("the room");
    let event = room.event(id, None).await.expect("the event");
    let sealed = event.encryption_info().is_some();
    let content: RoomMessageEventContent = event.raw().get_field("content").expect("a content").expect("a message");
    let MessageType::Image(image) = content.msgtype else {
        panic!("not an image: {content:?}");
    };
    let encrypted = matches!(image.source, MediaSource::Encrypted(_));
    let request = MediaRequestParameters {
        source: image.source,
        format: MediaFormat::File,
    };
    (
        user.client.media().get_media_content(&request, false).await.unwrap(),
        sealed,
        encrypted,
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn pictures_go_both_ways_encrypted_with_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let synapse = Synapse::start_encrypted(tmp.path().join("synapse"));
    synapse.register("smsdesk", "bot-password");
    synapse.register("alice", "alice-password");
    let alice = User::login(&synapse.url(), "alice", "alice-password").await;
    let (port, sim_port) = (free_port(), free_port());
    let sim = Sim::start(sim_port, port);
    let dir = tmp.path().join("desk");
    std::fs::create_dir_all(&dir).unwrap();
    let server = Server::start_with_matrix(&dir, port, &format!("http://127.0.0.1:{sim_port}"), &synapse.url());
    let http = reqwest::Client::new();
    let desk = alice.wait_for("This is your smsdesk desk").await.room;
    alice.say(&desk, "!available").await;
    alice.wait_for("You are now available").await;
    sim.text(&http, "+15557770001", "hello").await;
    alice.wait_for("Offer #1").await;
    alice.say(&desk, "!accept 1").await;
    let room = alice.wait_for("history so far").await.room;

    // The customer's picture: encrypted in the room, the same bytes once decrypted.
    sim.mms_via(&http, "twilio", "+15557770001", ENTRY, "my meter", &["cat.png"])
        .await;
    let seen = alice.wait_for("m.image picture-1.png").await;
    let (bytes, sealed, encrypted) = picture(&alice, &room, &seen.event_id).await;
    assert!(sealed, "the customer's picture was posted in an unencrypted event");
    assert!(encrypted, "the customer's picture was uploaded in the clear");
    let (_, cat) = file("cat.png").unwrap();
    assert_eq!(sha256(&bytes), sha256(&cat), "the picture's bytes changed");

    // Alice's picture, encrypted by her client: the carrier gets her bytes.
    let mut form = cat.clone();
    form.extend_from_slice(b"alice's encrypted copy");
    let caption = TextMessageEventContent::plain("Please fill this in");
    let sent = alice
        .joined(&room)
        .await
        .send_attachment(
            "form.png",
            &mime::IMAGE_PNG,
            form.clone(),
            AttachmentConfig::new().caption(Some(caption)),
        )
        .await
        .expect("sending an encrypted picture");
    let (_, sealed, encrypted) = picture(&alice, &room, &sent.event_id).await;
    assert!(sealed && encrypted, "Alice's client sent her picture in the clear");
    let deadline = Instant::now() + Duration::from_secs(30);
    let mms = loop {
        let with_media: Vec<serde_json::Value> = sim
            .messages(&http)
            .await
            .into_iter()
            .filter(|m| m["media"].as_array().is_some_and(|a| !a.is_empty()))
            .collect();
        if let Some(m) = with_media.first() {
            break m.clone();
        }
        assert!(
            Instant::now() < deadline,
            "no MMS reached the carrier: {:#?}",
            alice.seen()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(mms["body"], "Please fill this in", "{mms}");
    assert_eq!(
        mms["media"][0]["sha256"],
        sha256(&form).as_str(),
        "the carrier got other bytes"
    );
    drop(server);
}
