//! Pictures on the desk page, both ways, in a real headless browser and no
//! Matrix client: the customer's picture (an MMS through the simulator's
//! Twilio) shows in the conversation, fetched by smsdesk from the carrier
//! and served from its own origin; Alice picks a picture with the page's
//! file field and the carrier receives it as an MMS, the same bytes, with
//! what was in the reply box as its text. A file smsdesk does not send is
//! refused on the page, and nothing reaches the carrier.

use crate::common;

use std::time::Duration;

use common::browser::{attr_of, browser, Driver};
use common::matrix::Synapse;
use common::{free_port, poll, Server, Sim, ENTRY};
use fantoccini::Locator;
use sha2::Digest as _;
use smsdesk::sim::media::file;

use super::desk_page::{shot, step_alice_signs_in_and_is_offered_a_customer, wait_contains};

const WAIT: Duration = Duration::from_secs(20);
const EVERY: Duration = Duration::from_millis(100);

fn sha256(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

#[tokio::test(flavor = "multi_thread")]
async fn pictures_go_both_ways_on_the_desk_page() {
    let tmp = tempfile::tempdir().unwrap();
    let synapse = Synapse::start(tmp.path().join("synapse"));
    synapse.register("smsdesk", "bot-password");
    synapse.register("alice", "alice-password");
    let (port, sim_port) = (free_port(), free_port());
    let sim = Sim::start(sim_port, port);
    let dir = tmp.path().join("desk");
    std::fs::create_dir_all(&dir).unwrap();
    let server = Server::start_with_matrix(&dir, port, &format!("http://127.0.0.1:{sim_port}"), &synapse.url());
    let http = reqwest::Client::new();
    let driver = Driver::start();
    let c = browser(&driver, &tmp.path().join("chromium")).await;
    step_alice_signs_in_and_is_offered_a_customer(&c, &server, &sim, &http).await;
    wait_contains(&c, "#title", "+15557770001").await;

    // The customer's picture shows, loaded from smsdesk.
    sim.mms_via(&http, "twilio", "+15557770001", ENTRY, "my meter", &["cat.png"])
        .await;
    wait_contains(&c, "#messages", "my meter").await;
    poll::until("the customer's picture shown", WAIT, EVERY, async || {
        let width = c
            .execute(
                "const i = document.querySelector('#messages img'); return i && i.complete ? i.naturalWidth : 0;",
                vec![],
            )
            .await
            .unwrap();
        if width.as_u64().unwrap_or(0) > 0 {
            return Ok(());
        }
        Err(format!("an image {width} pixels wide"))
    })
    .await;
    let src = attr_of(&c, "#messages img", "src").await.unwrap();
    assert!(src.starts_with("/desk/media?conversation=1&seq="), "{src}");
    // Not to anyone without Alice's session.
    let stranger = http.get(server.url(&src)).send().await.unwrap();
    assert_eq!(stranger.status(), 401);
    shot(&c, "9-pictures").await;

    // Alice's picture, with the box's text as its caption.
    let (_, cat) = file("cat.png").unwrap();
    let mut mine = cat.clone();
    mine.extend_from_slice(b"alice's copy");
    let path = tmp.path().join("form.png");
    std::fs::write(&path, &mine).unwrap();
    c.find(Locator::Css("#compose"))
        .await
        .unwrap()
        .send_keys("Please fill this in")
        .await
        .unwrap();
    c.find(Locator::Css("#attach"))
        .await
        .unwrap()
        .send_keys(path.to_str().unwrap())
        .await
        .unwrap();
    let mms = poll::until("an MMS at the carrier", WAIT, EVERY, async || {
        let sent = sim.messages(&http).await;
        let with_media = sent
            .iter()
            .find(|m| m["media"].as_array().is_some_and(|a| !a.is_empty()));
        with_media
            .cloned()
            .ok_or_else(|| format!("{} messages without media", sent.len()))
    })
    .await;
    assert_eq!(mms["body"], "Please fill this in");
    assert_eq!(mms["media"][0]["status"], 200, "{mms}");
    assert_eq!(
        mms["media"][0]["sha256"],
        sha256(&mine).as_str(),
        "the carrier got other bytes"
    );

    // A video is refused on the page; nothing more reaches the carrier.
    let video = tmp.path().join("clip.mp4");
    std::fs::write(&video, b"not really a video").unwrap();
    c.find(Locator::Css("#attach"))
        .await
        .unwrap()
        .send_keys(video.to_str().unwrap())
        .await
        .unwrap();
    wait_contains(&c, "#error", "is not allowed").await;
    let sent = sim
        .messages(&http)
        .await
        .into_iter()
        .filter(|m| m["media"].as_array().is_some_and(|a| !a.is_empty()))
        .count();
    assert_eq!(sent, 1, "a refused file was sent");
    c.close().await.unwrap();
    drop(server);
}
