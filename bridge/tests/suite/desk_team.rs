//! The desk page's team actions in a real headless browser: Alice, on the
//! page only, invites Bob (in Matrix) to a conference through the dialog's
//! search, ends the conference, and transfers the conversation to him
//! through the dialog's filter after a refresh; Bob gets each offer in his
//! Matrix desk and accepts it there, and the page shows what happened. Bob's
//! name and a queue's are written to hurt the page; they show as text.

use crate::common;

use std::time::Duration;

use common::browser::{browser, Driver};
use common::matrix::{Synapse, User};
use common::{free_port, poll, Server, Sim};
use fantoccini::Locator;

use super::desk_page::{click, gone, shot, step_alice_signs_in_and_is_offered_a_customer, wait_contains};

const WAIT: Duration = Duration::from_secs(15);
const HOSTILE_NAME: &str = r#"Bob <img src=x onerror=alert(1)>"#;
const HOSTILE_QUEUE: &str = r#"vip"><script>alert(2)</script>"#;

/// Types `text` into the open dialog `id`'s filter and picks the one entry left.
async fn pick(c: &fantoccini::Client, id: &str, text: &str, want: &str) {
    let filter = c
        .find(Locator::Css(&format!("#{id} input[type=search]")))
        .await
        .unwrap();
    filter.send_keys(text).await.unwrap();
    let what = format!("the {id} dialog listing {want:?} alone for {text:?}");
    poll::until(&what, WAIT, Duration::from_millis(50), async || {
        let items = c
            .find_all(Locator::Css(&format!("#{id} li[role=option]")))
            .await
            .unwrap();
        let mut texts = Vec::new();
        for i in &items {
            texts.push(i.text().await.unwrap_or_default());
        }
        if texts.len() == 1 && texts[0].contains(want) {
            shot(c, &format!("{}-{id}", if id == "conference" { 6 } else { 7 })).await;
            items[0].click().await.unwrap();
            return Ok(());
        }
        Err(format!("{texts:?}"))
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn alice_on_the_page_confers_with_bob_and_transfers_to_him() {
    let tmp = tempfile::tempdir().unwrap();
    let synapse = Synapse::start(tmp.path().join("synapse"));
    for (user, password) in [
        ("smsdesk", "bot-password"),
        ("alice", "alice-password"),
        ("bob", "bob-password"),
    ] {
        synapse.register(user, password);
    }
    let (port, sim_port) = (free_port(), free_port());
    let sim = Sim::start(sim_port, port);
    let dir = tmp.path().join("desk");
    std::fs::create_dir_all(&dir).unwrap();
    let mut server = Server::start_with_matrix(&dir, port, &format!("http://127.0.0.1:{sim_port}"), &synapse.url());
    // Names written to hurt a page: Bob's, and a queue's. They must show as text.
    server.stop();
    let config = std::fs::read_to_string(&server.config).unwrap();
    let config = config.replace("name = \"Bob\"", &format!("name = {HOSTILE_NAME:?}"));
    std::fs::write(
        &server.config,
        format!("{config}\n[[queues]]\nname = {HOSTILE_QUEUE:?}\n"),
    )
    .unwrap();
    server.spawn();
    let http = reqwest::Client::new();
    let driver = Driver::start();
    let c = browser(&driver, &tmp.path().join("chromium")).await;
    step_alice_signs_in_and_is_offered_a_customer(&c, &server, &sim, &http).await;
    wait_contains(&c, "#title", "+15557770001").await;

    // Bob, in Matrix, becomes available after Alice has the customer.
    let bob = User::login(&synapse.url(), "bob", "bob-password").await;
    let bob_desk = bob.wait_for("This is your smsdesk desk").await.room;
    bob.say(&bob_desk, "!available").await;
    bob.wait_for("You are now available").await;

    // A conference, found by searching the dialog; Bob accepts in Matrix.
    click(&c, "#conference-button").await;
    pick(&c, "conference", "bob", &format!("{HOSTILE_NAME} (@bob:localhost)")).await;
    bob.wait_for("invites you").await;
    bob.say(&bob_desk, "!accept 1").await;
    let room = bob.wait_for("history so far").await.room;
    wait_contains(&c, "#messages", "joined the conference").await;

    // Alice ends it: Bob leaves the room, the page says so.
    click(&c, "#endconf-button").await;
    bob.wait_out_of(&room).await;
    wait_contains(&c, "#messages", "left the conference").await;

    // A transfer to Bob, after a refresh, by the dialog's filter.
    click(&c, "#transfer-button").await;
    click(&c, "#transfer .refresh").await;
    let listed = wait_contains(&c, "#transfer ul", "Queue billing").await;
    assert!(listed.contains(&format!("{HOSTILE_NAME} (@bob:localhost)")), "{listed}");
    assert!(listed.contains(&format!("Queue {HOSTILE_QUEUE}")), "{listed}");
    assert!(
        c.find(Locator::Css("#transfer img, #transfer script")).await.is_err(),
        "a name became markup"
    );
    assert!(c.get_alert_text().await.is_err(), "a dialog opened");
    pick(&c, "transfer", "@bob", &format!("{HOSTILE_NAME} (@bob:localhost)")).await;
    bob.wait_for("transfer from @alice:localhost").await;
    bob.say(&bob_desk, "!accept 1").await;
    bob.wait_for("@bob:localhost now owns this conversation").await;
    // No longer Alice's: the tab leaves her page.
    gone(
        &c,
        "#tabs button",
        "the conversation gone from Alice's page after the transfer",
    )
    .await;
    c.close().await.unwrap();
    drop(server);
}
