//! MMS both ways, end to end against Synapse and the simulator (docs/agent-guide.md,
//! §11): a customer's picture appears in the conversation room as an image
//! with the same bytes, a file type that is not allowed is named instead;
//! an agent's picture reaches the carrier through an unguessable URL that
//! expires, with its caption as the text; a customer's PDF that arrived
//! before the room existed is in the history; refusals say why and send
//! nothing.

use crate::common;

use std::time::{Duration, Instant};

use common::desk::AliceAtWork;
use common::matrix::User;
use common::{ENTRY, TELNYX_ENTRY};
use matrix_sdk::media::{MediaFormat, MediaRequestParameters};
use matrix_sdk::ruma::events::room::message::{
    FileInfo, FileMessageEventContent, ImageMessageEventContent, MessageType, RoomMessageEventContent,
};
use matrix_sdk::ruma::events::room::{ImageInfo, MediaSource};
use matrix_sdk::ruma::{OwnedEventId, OwnedMxcUri, OwnedRoomId, UInt};
use sha2::Digest as _;
use smsdesk::sim::media::file;

const CUSTOMER: &str = "+15557770001";

/// The bytes of the attachment a user saw as `m.image <name> <mxc>`.
async fn download(user: &User, seen_body: &str) -> Vec<u8> {
    let mxc = seen_body.rsplit(' ').next().unwrap_or_default();
    let request = MediaRequestParameters {
        source: MediaSource::Plain(OwnedMxcUri::from(mxc)),
        format: MediaFormat::File,
    };
    user.client.media().get_media_content(&request, false).await.unwrap()
}

/// Uploads `bytes` and posts them in `room` as a picture with `caption`.
pub async fn send_picture(user: &User, room: &OwnedRoomId, bytes: &[u8], caption: &str) -> OwnedEventId {
    let mxc = user
        .client
        .media()
        .upload(&mime::IMAGE_PNG, bytes.to_vec(), None)
        .await
        .unwrap()
        .content_uri;
    let mut info = ImageInfo::new();
    info.mimetype = Some("image/png".into());
    info.size = UInt::new(bytes.len() as u64);
    let mut image = ImageMessageEventContent::plain(caption.into(), mxc).info(Some(Box::new(info)));
    image.filename = Some("form.png".into());
    user.send(room, RoomMessageEventContent::new(MessageType::Image(image)))
        .await
}

/// The simulator's record of the first message sent with media, once there is one.
async fn first_mms(w: &AliceAtWork, skip: usize) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let with_media: Vec<serde_json::Value> = w
            .sim
            .messages(&w.http)
            .await
            .into_iter()
            .filter(|m| m["media"].as_array().is_some_and(|a| !a.is_empty()))
            .collect();
        if let Some(m) = with_media.get(skip) {
            return m.clone();
        }
        assert!(Instant::now() < deadline, "no MMS reached the simulator");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub fn sha256(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

#[tokio::test(flavor = "multi_thread")]
async fn pictures_go_both_ways_and_the_url_expires() {
    let w = AliceAtWork::start().await;

    // The customer sends a picture: the line, then the image, same bytes.
    w.sim
        .mms_via(&w.http, "twilio", CUSTOMER, ENTRY, "my meter", &["cat.png"])
        .await;
    w.alice.wait_for("customer: my meter [+ 1 attachment]").await;
    let seen = w.alice.wait_for("m.image picture-1.png mxc://").await;
    assert_eq!(seen.room, w.room);
    let (_, cat) = file("cat.png").unwrap();
    assert_eq!(download(&w.alice, &seen.body).await, cat, "the picture's bytes changed");

    // A video is not allowed (nor is anything over 5 MB): named, not shown.
    w.sim
        .mms_via(&w.http, "twilio", CUSTOMER, ENTRY, "", &["clip.mp4", "huge.png"])
        .await;
    w.alice
        .wait_for("attachment 1 cannot be shown: video/mp4 is not allowed")
        .await;
    w.alice
        .wait_for("attachment 2 cannot be shown: 6.0 MB (6291456 bytes) is over the limit")
        .await;

    // The agent's picture with a caption: one MMS, same bytes, caption as text.
    let mut form = cat.clone();
    form.extend_from_slice(b"agent's copy"); // other bytes than the customer's
    let event = send_picture(&w.alice, &w.room, &form, "Please fill this in").await;
    let mms = first_mms(&w, 0).await;
    assert_eq!(mms["body"], "Please fill this in");
    assert_eq!(mms["media"].as_array().unwrap().len(), 1);
    let media = &mms["media"][0];
    assert_eq!(media["status"], 200, "{mms}");
    assert_eq!(media["content_type"], "image/png");
    assert_eq!(media["sha256"], sha256(&form).as_str(), "the carrier got other bytes");
    let url = media["url"].as_str().unwrap().to_owned();
    let base = w.server.url("/media/");
    assert!(url.starts_with(&base), "{url} is not under public_url");
    assert!(url.len() >= base.len() + 43, "a short, guessable token: {url}");
    // Delivered, and shown on the agent's picture.
    w.alice.wait_for(&format!("reaction ✅ delivered on {event}")).await;

    // A wrong token is refused at once; the right one once expired (3 s here).
    let wrong = format!("{base}{}", "A".repeat(43));
    assert_eq!(w.http.get(&wrong).send().await.unwrap().status(), 404);
    assert_eq!(
        w.http
            .get(format!("{base}..%2Fsmsdesk.toml"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(
        w.http.get(&url).send().await.unwrap().status(),
        404,
        "the URL outlived its lifetime"
    );

    // What cannot go is refused with a notice, and nothing is sent.
    let zip = RoomMessageEventContent::new(MessageType::File(
        FileMessageEventContent::plain("files.zip".into(), OwnedMxcUri::from("mxc://localhost/none")).info(Some(
            Box::new({
                let mut info = FileInfo::new();
                info.mimetype = Some("application/zip".into());
                info
            }),
        )),
    ));
    w.alice.send(&w.room, zip).await;
    w.alice
        .wait_for("Not sent: application/zip is not allowed: only pictures")
        .await;
    let sent_before = w.sim.messages(&w.http).await.len();

    // End this one; the customer writes again through Telnyx with a PDF,
    // before any room exists: the PDF is in the history of the new room.
    w.alice.say(&w.room, "!end").await;
    w.alice.say(&w.room, "!wrapup 1").await;
    w.alice.wait_out_of(&w.room).await;
    w.sim
        .mms_via(
            &w.http,
            "telnyx",
            CUSTOMER,
            TELNYX_ENTRY,
            "signed copy",
            &["receipt.pdf"],
        )
        .await;
    w.alice.wait_for("Offer #2").await;
    w.alice.say(&w.desk, "!accept 2").await;
    let history = w.alice.wait_for("Conversation #2 — history so far").await;
    assert!(
        history.body.contains("customer: signed copy [+ 1 attachment]"),
        "{}",
        history.body
    );
    let pdf = w.alice.wait_for("m.file attachment-1.pdf mxc://").await;
    assert_eq!(pdf.room, history.room);
    assert_eq!(download(&w.alice, &pdf.body).await, file("receipt.pdf").unwrap().1);
    assert_eq!(
        w.sim.messages(&w.http).await.len(),
        sent_before,
        "a refused file was sent"
    );

    // And the agent's picture goes out through Telnyx's API as well.
    w.alice.joined(&history.room).await;
    send_picture(&w.alice, &history.room, &form, "").await;
    let mms = first_mms(&w, 1).await;
    assert_eq!(mms["carrier"], "telnyx");
    assert_eq!(mms["body"], "", "a picture without a caption has no text");
    assert_eq!(mms["media"][0]["sha256"], sha256(&form).as_str());
}
