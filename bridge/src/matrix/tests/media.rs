//! An agent's file sent to the customer: everything that can refuse it is
//! decided before any download (whose conversation, the
//! declared size), and the download stops at the 5 MB cap however large
//! the file is. Against the mocked homeserver, which counts what it streamed.

use matrix_sdk::ruma::events::room::MediaSource;
use matrix_sdk::ruma::owned_user_id;

use super::*;
use crate::matrix::media::from_agent::Attachment;
use crate::media::policy::MAX_BYTES;

/// Alice owns conversation 1, in room !conv:hs; Bob is in that room too.
async fn alices_conversation(d: &Desk) -> matrix_sdk::room::Room {
    d.customer_texts("SM1", "hello").await;
    d.run(Command::SetAvailable { agent: alice() }).await;
    d.run(Command::Accept {
        agent: alice(),
        conversation: Some(ConversationId(1)),
    })
    .await;
    let room = conversation_room(d).await;
    d.bot.room(&room).expect("joined")
}

fn picture(source: MediaSource, size: Option<u64>) -> Incoming {
    Incoming::Attachment(Attachment {
        source,
        mimetype: Some("image/png".into()),
        size,
        name: "cat.png".into(),
        caption: String::new(),
    })
}

fn plain(id: &str) -> MediaSource {
    MediaSource::Plain(format!("mxc://hs/{id}").into())
}

/// The one notice the bot posted in the conversation room.
fn notice(d: &Desk) -> String {
    let said = bodies(&d.hs.sent(), "!conv:hs");
    assert_eq!(said.len(), 1, "{said:#?}");
    said[0].clone()
}

/// Before: the whole file was downloaded (`get_media_content`) and only
/// then measured: 20 MB read to refuse a 5 MB cap.
#[tokio::test(flavor = "multi_thread")]
async fn a_file_of_undeclared_size_is_downloaded_no_further_than_the_cap() {
    let d = desk_with_twilio().await;
    let room = alices_conversation(&d).await;
    d.hs.serve_media("huge", 20 * 1024 * 1024);
    d.bot
        .handle(
            room,
            &owned_user_id!("@alice:hs"),
            picture(plain("huge"), None),
            owned_event_id!("$p1"),
        )
        .await
        .expect("handled");
    assert_eq!(d.hs.downloads(), ["huge"]);
    let streamed = d.hs.streamed();
    println!("{streamed} bytes of a 20 MB file of undeclared size were streamed before the download stopped");
    assert!(
        streamed <= (MAX_BYTES + 1024 * 1024) as u64,
        "{streamed} bytes of a 20 MB file were downloaded to refuse it"
    );
    let said = notice(&d);
    assert!(
        said.starts_with("Not sent: the file is over the limit of 5.0 MB"),
        "{said}"
    );
    // A file within the cap goes through (kept for the carrier).
    d.hs.serve_media("small", 1000);
    d.bot
        .handle(
            d.bot.room(&owned_room_id!("!conv:hs")).expect("room"),
            &owned_user_id!("@alice:hs"),
            picture(plain("small"), None),
            owned_event_id!("$p2"),
        )
        .await
        .expect("handled");
    assert_eq!(bodies(&d.hs.sent(), "!conv:hs").len(), 1, "no second refusal");
}

/// Before: Bob's file was downloaded in full, kept, and only then did the
/// engine refuse his reply in Alice's conversation.
#[tokio::test(flavor = "multi_thread")]
async fn a_file_in_someone_elses_conversation_is_refused_before_any_download() {
    let d = desk_with_twilio().await;
    let room = alices_conversation(&d).await;
    d.hs.serve_media("bobs", 1000);
    d.bot
        .handle(
            room,
            &owned_user_id!("@bob:hs"),
            picture(plain("bobs"), Some(1000)),
            owned_event_id!("$b1"),
        )
        .await
        .expect("handled");
    assert!(d.hs.downloads().is_empty(), "downloaded: {:?}", d.hs.downloads());
    let said = notice(&d);
    assert!(said.contains("conversation #1 is not yours"), "{said}");
}

/// A declared size over the cap: refused, nothing downloaded. An encrypted
/// file is downloaded (within the cap) and decrypted with its key; bytes
/// that do not match its key and hash are refused, nothing sent.
#[tokio::test(flavor = "multi_thread")]
async fn a_declared_too_large_file_is_refused_before_any_download_and_a_corrupt_encrypted_one_after() {
    let d = desk_with_twilio().await;
    let room = alices_conversation(&d).await;
    // As a client in an encrypted room sends it (`file`, not `url`).
    let encrypted: MediaSource = serde_json::from_value(serde_json::json!({"file": {
        "url": "mxc://hs/secret",
        "key": {"kty": "oct", "key_ops": ["encrypt", "decrypt"], "alg": "A256CTR",
                "k": "qcHVMSgYg-71CauWBezXI5qkaRb0LuIy-Wx5kIaHMIA", "ext": true},
        "iv": "X85+XgHN+HEAAAAAAAAAAA",
        "hashes": {"sha256": "5qG4fFnbbVdlAl7DZePT4+6ZwTZJ1DOFAVgRhz+5BfI"},
        "v": "v2"
    }}))
    .expect("an encrypted file");
    assert!(matches!(encrypted, MediaSource::Encrypted(_)));
    d.hs.serve_media("secret", 1000);
    d.bot
        .handle(
            room.clone(),
            &owned_user_id!("@alice:hs"),
            picture(encrypted, Some(1000)),
            owned_event_id!("$e1"),
        )
        .await
        .expect("handled");
    assert!(notice(&d).contains("could not be decrypted"), "{}", notice(&d));
    let before = d.hs.downloads();
    d.hs.serve_media("big", 6 * 1024 * 1024);
    d.bot
        .handle(
            room,
            &owned_user_id!("@alice:hs"),
            picture(plain("big"), Some(6 * 1024 * 1024)),
            owned_event_id!("$e2"),
        )
        .await
        .expect("handled");
    let said = bodies(&d.hs.sent(), "!conv:hs");
    assert!(said[1].contains("over the limit"), "{said:#?}");
    assert_eq!(d.hs.downloads(), before, "the file over the cap was downloaded");
    assert!(
        d.app.media.tokens().expect("tokens").is_empty(),
        "something was kept to send"
    );
}
