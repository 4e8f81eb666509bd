//! The agent desktop (`/desk`) in a real headless browser, with no Matrix
//! client at all: Alice signs in with her Matrix password through the
//! page (the homeserver vouches for her with an OpenID token), sets
//! herself Available, sees the offer with its ticking timer, accepts,
//! replies with Enter (the carrier gets it, and the reply gets its
//! delivery tick), is refused a 1,001-character reply in the page before
//! anything is sent, ends the conversation and wraps up after searching
//! the reasons. A customer's `<script>` and `<img onerror>` show as text.
//! Someone not on the roster is refused, and actions need the page's
//! session and header. With Alice in Matrix and on the page at once, each
//! side sees what the other did (a page reply shows in the room, with its
//! delivery), and a retried page reply is sent once.

use crate::common;

use std::time::Duration;

use common::browser::{browser, prop_of, text_of, Driver};
use common::desk::AliceAtWork;
use common::matrix::{openid_token, Synapse};
use common::poll;
use common::{free_port, Server, Sim};
use fantoccini::key::Key;
use fantoccini::Locator;

const WAIT: Duration = Duration::from_secs(15);
/// How often a wait looks again.
const EVERY: Duration = Duration::from_millis(50);
const HOSTILE: &str = r#"<script>alert(1)</script> "><img src=x onerror=alert(1)>"#;

/// Keeps a screenshot of the page as step `name`: in
/// `$SMSDESK_DESK_SCREENSHOTS/<name>.png` when set (the ones in
/// `docs/desk/` come from there), else nowhere.
pub(super) async fn shot(c: &fantoccini::Client, name: &str) {
    let Some(dir) = std::env::var_os("SMSDESK_DESK_SCREENSHOTS") else {
        return;
    };
    let png = c.screenshot().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    std::fs::write(std::path::Path::new(&dir).join(format!("{name}.png")), png).unwrap();
}

/// The text of the page's element `css` once it contains `needle`.
pub(super) async fn wait_contains(c: &fantoccini::Client, css: &str, needle: &str) -> String {
    let what = format!("{css} showing {needle:?}");
    poll::until(&what, WAIT, EVERY, async || {
        let text = text_of(c, css).await;
        if text.contains(needle) {
            return Ok(text);
        }
        Err(format!("{text:?}; page: {}", c.source().await.unwrap_or_default()))
    })
    .await
}

pub(super) async fn click(c: &fantoccini::Client, css: &str) {
    poll::until(&format!("something to click at {css}"), WAIT, EVERY, async || {
        match c.find(Locator::Css(css)).await {
            Ok(e) => e.click().await.map(drop).map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        }
    })
    .await;
}

/// Waits until nothing matches `css` on the page (`why`: what that means).
pub(super) async fn gone(c: &fantoccini::Client, css: &str, why: &str) {
    poll::until(why, WAIT, EVERY, async || match c.find(Locator::Css(css)).await {
        Ok(_) => Err(format!("{css} still there")),
        Err(_) => Ok(()),
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_agent_handles_a_customer_from_the_desk_page_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let synapse = Synapse::start(tmp.path().join("synapse"));
    for (user, password) in [
        ("smsdesk", "bot-password"),
        ("alice", "alice-password"),
        ("tom", "tom-password"),
    ] {
        synapse.register(user, password);
    }
    let (port, sim_port) = (free_port(), free_port());
    let sim = Sim::start(sim_port, port);
    let dir = tmp.path().join("desk");
    std::fs::create_dir_all(&dir).unwrap();
    let server = Server::start_with_matrix(&dir, port, &format!("http://127.0.0.1:{sim_port}"), &synapse.url());
    let http = reqwest::Client::new();
    step_strangers_are_refused(&synapse, &server, &http).await;

    let driver = Driver::start();
    let c = browser(&driver, &tmp.path().join("chromium")).await;
    step_alice_signs_in_and_is_offered_a_customer(&c, &server, &sim, &http).await;
    step_replies_and_what_the_page_refuses(&c, &sim, &http).await;
    step_end_and_wrap_up(&c).await;
    c.close().await.unwrap();
    drop(server);
}

/// Tom is not on the roster; actions need a session.
async fn step_strangers_are_refused(synapse: &Synapse, server: &Server, http: &reqwest::Client) {
    // Tom is not on the roster: the homeserver vouches for him, smsdesk does not let him in.
    let token = openid_token(&synapse.url(), "tom", "tom-password").await;
    let r = http.post(server.url("/desk/openid")).json(&token).send().await.unwrap();
    assert_eq!(r.status(), 403);
    // Without a session, or from a script without the page's header, no action.
    let r = http
        .post(server.url("/desk/action"))
        .header("x-smsdesk-desk", "1")
        .json(&serde_json::json!({"do": "available"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

/// Sign-in through the page, Available, an offer with a ticking timer, accept.
pub(super) async fn step_alice_signs_in_and_is_offered_a_customer(
    c: &fantoccini::Client,
    server: &Server,
    sim: &Sim,
    http: &reqwest::Client,
) {
    c.goto(&server.url("/desk")).await.unwrap();
    c.find(Locator::Css("input[name=user]"))
        .await
        .unwrap()
        .send_keys("@alice:localhost")
        .await
        .unwrap();
    c.find(Locator::Css("input[name=password]"))
        .await
        .unwrap()
        .send_keys("alice-password")
        .await
        .unwrap();
    shot(c, "1-sign-in").await;
    click(c, "#matrix-submit").await;
    wait_contains(c, "#live", "live").await;
    wait_contains(c, "#who", "@alice:localhost").await;

    // Available, then an offer with a ticking timer.
    c.find(Locator::Css("#state option[value=available]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    poll::until("the state Available", WAIT, EVERY, async || {
        let state = prop_of(c, "#state", "value").await;
        match state.as_deref() {
            Some("available") => Ok(()),
            other => Err(format!("{other:?}")),
        }
    })
    .await;
    sim.text(http, "+15557770001", HOSTILE).await;
    let offer = wait_contains(c, ".offer", "Offer #1").await;
    assert!(offer.contains("+15557770001") && offer.contains("billing"), "{offer}");
    let first = c
        .find(Locator::Css(".offer [data-since]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1_600)).await;
    let later = c
        .find(Locator::Css(".offer [data-since]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_ne!(first, later, "the timer does not tick");
    shot(c, "2-offer").await;
    click(c, ".offer button.accept").await;
}

/// The hostile text shows as text; a reply with Enter; too long, refused in the page.
async fn step_replies_and_what_the_page_refuses(c: &fantoccini::Client, sim: &Sim, http: &reqwest::Client) {
    // The conversation: the customer's hostile text shows as text, nothing ran.
    let messages = wait_contains(c, "#messages", "<script>alert(1)</script>").await;
    assert!(messages.contains("onerror=alert(1)>"), "{messages}");
    assert!(
        c.find(Locator::Css("#messages img")).await.is_err(),
        "markup from a customer became an element"
    );
    assert!(c.get_alert_text().await.is_err(), "a dialog opened");

    // A reply with Enter reaches the carrier and gets its delivery.
    let compose = c.find(Locator::Css("#compose")).await.unwrap();
    compose.send_keys("Hello from the desk").await.unwrap();
    compose.send_keys(&Key::Enter.to_string()).await.unwrap();
    sim.wait_for_body(http, "Hello from the desk", Duration::from_millis(100))
        .await;
    wait_contains(c, "#messages li.agent", "✓").await;
    shot(c, "3-conversation").await;

    // Too long: refused in the page, nothing sent.
    let compose = c.find(Locator::Css("#compose")).await.unwrap();
    compose.send_keys(&"x".repeat(1_001)).await.unwrap();
    wait_contains(c, "#count", "1001/1000").await;
    compose.send_keys(&Key::Enter.to_string()).await.unwrap();
    wait_contains(c, "#error", "reply too long: 1001 characters").await;
    shot(c, "4-too-long").await;
    assert!(!sim
        .messages(http)
        .await
        .iter()
        .any(|m| m["body"].as_str().is_some_and(|b| b.len() > 1000)));
}

/// End, then wrap up after a search: the conversation leaves the page.
async fn step_end_and_wrap_up(c: &fantoccini::Client) {
    click(c, "#end-button").await;
    let search = poll::until("the wrap-up reasons", WAIT, EVERY, async || {
        c.find(Locator::Css("#wrapup-search")).await.map_err(|e| e.to_string())
    })
    .await;
    search.send_keys("resol").await.unwrap();
    shot(c, "5-wrap-up").await;
    click(c, "#send-wrapup").await;
    gone(c, "#tabs button", "the conversation gone after its wrap-up").await;
}

/// The desk's cookie after `user` signs in with an OpenID token.
async fn desk_cookie(w: &AliceAtWork, user: &str, password: &str) -> String {
    let token = openid_token(&w._synapse.url(), user, password).await;
    let r = w
        .http
        .post(w.server.url("/desk/openid"))
        .json(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/desk"));
    cookie.split(';').next().unwrap().to_owned()
}

/// The first `desk` event of `/desk/events` with `cookie`, once it holds `needle`.
async fn desk_shows(w: &AliceAtWork, cookie: &str, needle: &str) -> serde_json::Value {
    let what = format!("the desk showing {needle:?}");
    poll::until(&what, WAIT, Duration::from_millis(200), async || {
        let mut r = w
            .http
            .get(w.server.url("/desk/events"))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let mut text = String::new();
        while let Ok(Some(chunk)) = tokio::time::timeout(Duration::from_secs(2), r.chunk())
            .await
            .unwrap_or(Ok(None))
        {
            text.push_str(&String::from_utf8_lossy(&chunk));
            if text.contains("\n\n") {
                break;
            }
        }
        let data = text.lines().find_map(|l| l.strip_prefix("data: ")).unwrap_or("{}");
        if data.contains(needle) {
            return Ok(serde_json::from_str(data).unwrap());
        }
        Err(data.to_owned())
    })
    .await
}

/// `!end` posted to `/desk/action` with `cookie` but without the page's
/// header (a form on another page).
async fn forged_end(w: &AliceAtWork, cookie: &str) -> reqwest::Response {
    w.http
        .post(w.server.url("/desk/action"))
        .header("cookie", cookie)
        .json(&serde_json::json!({"do": "end", "conversation": 1}))
        .send()
        .await
        .unwrap()
}

/// One desk, two front ends: Alice in her Matrix room and on the page at
/// once; each side sees what the other did.
#[tokio::test(flavor = "multi_thread")]
async fn the_page_and_the_matrix_room_are_one_desk() {
    let w = AliceAtWork::start().await;
    let cookie = desk_cookie(&w, "alice", "alice-password").await;
    // The page sees the conversation Alice accepted in Matrix, and what she wrote there.
    w.alice.say(&w.room, "written in Element").await;
    w.sim
        .wait_for_body(&w.http, "written in Element", Duration::from_millis(100))
        .await;
    let view = desk_shows(&w, &cookie, "written in Element").await;
    assert_eq!(view["conversations"][0]["role"], "owner");
    // A reply from the page reaches the carrier and shows in the room under her name.
    let r = w
        .http
        .post(w.server.url("/desk/action"))
        .header("cookie", &cookie)
        .header("x-smsdesk-desk", "1")
        .json(&serde_json::json!({"do": "reply", "conversation": 1, "text": "typed on the page", "nonce": "n-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    w.sim
        .wait_for_body(&w.http, "typed on the page", Duration::from_millis(100))
        .await;
    let echo = w.alice.wait_for("Alice (from the desk): typed on the page").await;
    assert_eq!(echo.room, w.room);
    w.alice
        .wait_for(&format!("reaction ✅ delivered on {}", echo.event_id))
        .await;
    // The same reply handed in again (a retry) is sent once.
    let again = w
        .http
        .post(w.server.url("/desk/action"))
        .header("cookie", &cookie)
        .header("x-smsdesk-desk", "1")
        .json(&serde_json::json!({"do": "reply", "conversation": 1, "text": "typed on the page", "nonce": "n-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200);
    let sent = w.sim.messages(&w.http).await;
    assert_eq!(
        sent.iter().filter(|m| m["body"] == "typed on the page").count(),
        1,
        "{sent:?}"
    );
    // Without the page's header (a form on another page): refused.
    let forged = forged_end(&w, &cookie).await;
    assert_eq!(forged.status(), 403);
    assert!(forged.text().await.unwrap().contains("actions come from the desk page"));

    // `!language de` in her desk room: the page speaks German too, at once.
    w.alice.say(&w.desk, "!language de").await;
    w.alice.wait_for("Ab jetzt schreibe ich dir auf Deutsch (de).").await;
    let page = w
        .http
        .get(w.server.url("/desk"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("<html lang=\"de\">"), "{page}");
    assert!(page.contains("Deine Konversationen"), "{page}");
    let forged = forged_end(&w, &cookie).await;
    assert!(forged
        .text()
        .await
        .unwrap()
        .contains("Aktionen kommen von der Desk-Seite"));
}
