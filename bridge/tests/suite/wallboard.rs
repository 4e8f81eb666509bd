//! The supervisor wallboard (docs/supervisor-guide.md) in a real headless browser
//! (Debian's chromium, driven through chromedriver): it refuses without
//! the token and shows nothing, signs in with it, and a new SMS changes
//! the waiting count on the page within 2 s, without a reload. A
//! screenshot of the page is left in the test's temporary directory. The
//! same page in German (`?lang=de`) has every label in German and no
//! English one left (its screenshot: `docs/wallboard-de.png`).
//! With Synapse: Sue signs in with Matrix through the page's own script
//! (a wrong password is told so), sees billing only, leaves no Matrix
//! device behind, and signs out.

use crate::common;

use std::time::{Duration, Instant};

use common::browser::{browser, prop_of, wait_text, wait_text_where, Driver};
use common::{free_port, poll, Server, Sim, SUPERVISOR_TOKEN};
use fantoccini::Locator;

/// Waits (up to 10 s) until the page's live stream is connected.
async fn wait_live(c: &fantoccini::Client) {
    wait_text_where(c, "#status", "the page live", Duration::from_secs(10), |s| {
        s.starts_with("live")
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_wallboard_needs_the_token_and_shows_a_new_sms_within_two_seconds() {
    let tmp = tempfile::tempdir().unwrap();
    let (port, sim_port) = (free_port(), free_port());
    let sim = Sim::start(sim_port, port);
    let server = Server::start_with(tmp.path(), port, &format!("http://127.0.0.1:{sim_port}"));
    let http = reqwest::Client::new();

    // Without the token: 401 and the sign-in form, no figures; the same
    // for the live stream and the JSON.
    for path in ["/supervisor", "/supervisor/events", "/supervisor/figures.json"] {
        let r = http.get(server.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 401, "{path}");
        let body = r.text().await.unwrap();
        assert!(body.contains("Sign in") && !body.contains("billing"), "{path}: {body}");
        let r = http.get(server.url(path)).bearer_auth("wrong").send().await.unwrap();
        assert_eq!(r.status(), 401, "{path} with a wrong token");
    }
    let json: serde_json::Value = http
        .get(server.url("/supervisor/figures.json"))
        .bearer_auth(SUPERVISOR_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(json["queues"][0]["queue"], "billing");
    assert_eq!(json["queues"][0]["waiting"], 0);

    let driver = Driver::start();
    let c = browser(&driver, &tmp.path().join("chromium")).await;
    c.goto(&server.url("/supervisor")).await.unwrap();
    // The sign-in form; a wrong token is told so and shows nothing.
    let input = c.find(Locator::Css("input[name=token]")).await.unwrap();
    input.send_keys("not-the-token").await.unwrap();
    c.find(Locator::Css("#token-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, "#message", "That token is not right.", Duration::from_secs(10)).await;
    assert!(!c.source().await.unwrap().contains("data-queue"));
    let input = c.find(Locator::Css("input[name=token]")).await.unwrap();
    input.send_keys(SUPERVISOR_TOKEN).await.unwrap();
    c.find(Locator::Css("#token-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    let waiting = r#"tr[data-queue="billing"] td[data-k="waiting"]"#;
    wait_text(&c, waiting, "0", Duration::from_secs(10)).await;
    // Live: the stream is connected before the SMS is sent.
    wait_live(&c).await;
    let url_before = c.current_url().await.unwrap();

    // Nobody is available: the customer waits, and the page says so.
    let sent = Instant::now();
    sim.text(&http, "+15557770001", "is anyone there?").await;
    let answered = sent.elapsed();
    let shown = wait_text(&c, waiting, "1", Duration::from_secs(2) + answered).await;
    let total = sent.elapsed();
    assert!(
        total < Duration::from_secs(2),
        "the page showed it {total:?} after the SMS"
    );
    assert_eq!(c.current_url().await.unwrap(), url_before, "the page was reloaded");
    eprintln!("wallboard: waiting count changed {total:?} after the SMS (webhook answered in {answered:?}; seen {shown:?} later)");
    // The longest wait grows on its own, with no new event.
    let longest = r#"tr[data-queue="billing"] td[data-k="longest"]"#;
    let what = "the longest wait growing on its own";
    wait_text_where(&c, longest, what, Duration::from_secs(5), |t| {
        t.ends_with('s') && t != "0s"
    })
    .await;

    let png = c.screenshot().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    let shot = std::env::var_os("SMSDESK_WALLBOARD_SCREENSHOT")
        .map_or_else(|| tmp.path().join("wallboard.png"), std::path::PathBuf::from);
    std::fs::write(&shot, png).unwrap();

    the_same_board_in_german(&c, &server, tmp.path()).await;
    c.close().await.unwrap();
    drop(server);
}

/// The same board in German (a wall screen's `?lang=de`): every label from
/// the German catalog, no English one left, the figures live as before.
async fn the_same_board_in_german(c: &fantoccini::Client, server: &Server, tmp: &std::path::Path) {
    let waiting = r#"tr[data-queue="billing"] td[data-k="waiting"]"#;
    let longest = r#"tr[data-queue="billing"] td[data-k="longest"]"#;
    c.goto(&server.url("/supervisor?lang=de")).await.unwrap();
    wait_text(c, waiting, "1", Duration::from_secs(10)).await;
    wait_live(c).await;
    let status = c.find(Locator::Id("status")).await.unwrap().text().await.unwrap();
    assert!(status.starts_with("live · aktualisiert "), "{status}");
    let page = c.find(Locator::Css("body")).await.unwrap().text().await.unwrap();
    for german in [
        "smsdesk-Wallboard",
        "Angemeldet als der Betreiber (supervisor.token) · alle Warteschlangen",
        "Warteschlange",
        "wartend",
        "längste Wartezeit",
        "Servicelevel",
        "heute (",
        "verfügbar",
    ] {
        assert!(page.contains(german), "{german:?} in {page}");
    }
    for english in [
        "waiting",
        "longest wait",
        "service level",
        "Signed in",
        "today",
        "available",
        "none",
    ] {
        assert!(!page.contains(english), "{english:?} left in the German page: {page}");
    }
    assert_eq!(
        c.find(Locator::Css("html"))
            .await
            .unwrap()
            .attr("lang")
            .await
            .unwrap()
            .as_deref(),
        Some("de")
    );
    // German durations: "12 s", "1 min 05 s".
    let what = "the longest wait in German";
    wait_text_where(c, longest, what, Duration::from_secs(5), |t| t.ends_with(" s")).await;
    let png = c.screenshot().await.unwrap();
    let shot = std::env::var_os("SMSDESK_WALLBOARD_SCREENSHOT_DE")
        .map_or_else(|| tmp.join("wallboard-de.png"), std::path::PathBuf::from);
    std::fs::write(&shot, png).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_supervisor_signs_in_with_matrix_in_the_browser_sees_billing_only_and_signs_out() {
    use crate::wallboard_signin::{Desk, SUPPORT_CUSTOMER};
    let desk = Desk::start().await;
    let tmp = tempfile::tempdir().unwrap();
    let driver = Driver::start();
    let c = browser(&driver, &tmp.path().join("chromium")).await;
    c.goto(&desk.url("/supervisor")).await.unwrap();
    let homeserver = prop_of(&c, "input[name=homeserver]", "value").await;
    assert_eq!(
        homeserver.as_deref(),
        Some(desk.synapse.url().as_str()),
        "[matrix] homeserver"
    );
    let sign_in = |password: &'static str| {
        let c = c.clone();
        async move {
            let user = c.find(Locator::Css("#matrix input[name=user]")).await.unwrap();
            user.clear().await.unwrap();
            user.send_keys("@sue:localhost").await.unwrap();
            let field = c.find(Locator::Css("#matrix input[name=password]")).await.unwrap();
            field.send_keys(password).await.unwrap();
            c.find(Locator::Css("#matrix-submit"))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
        }
    };
    // A wrong password: the homeserver's refusal, on the page.
    sign_in("not-her-password").await;
    let said = wait_text_where(&c, "#matrix-error", "an error shown", Duration::from_secs(10), |s| {
        !s.is_empty()
    })
    .await;
    assert!(said.contains("Invalid username or password"), "{said}");
    sign_in("sue-password").await;
    wait_text(
        &c,
        "#who",
        "Signed in as @sue:localhost · billing",
        Duration::from_secs(15),
    )
    .await;
    wait_text(
        &c,
        r#"tr[data-queue="billing"] td[data-k="waiting"]"#,
        "1",
        Duration::from_secs(5),
    )
    .await;
    wait_live(&c).await;
    let page = c.source().await.unwrap();
    for other in ["support", SUPPORT_CUSTOMER] {
        assert!(!page.contains(other), "the page shows {other:?}: {page}");
    }
    // The page's Matrix session was logged out: its device is gone.
    let devices = common::matrix::devices(&desk.synapse.url(), "sue", "sue-password").await;
    assert!(
        !devices.iter().any(|d| d.starts_with("smsdesk wallboard sign-in")),
        "the sign-in page left its Matrix session behind: {devices:?}"
    );

    c.find(Locator::Id("signout")).await.unwrap().click().await.unwrap();
    let every = Duration::from_millis(20);
    poll::until("back at the sign-in page", Duration::from_secs(10), every, async || {
        c.find(Locator::Id("matrix")).await.map(drop).map_err(|e| e.to_string())
    })
    .await;
    c.goto(&desk.url("/supervisor")).await.unwrap();
    c.find(Locator::Id("matrix"))
        .await
        .expect("still signed out after a reload");
    assert!(!c.source().await.unwrap().contains("data-queue"));
    c.close().await.unwrap();
}
