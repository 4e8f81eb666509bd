//! The wallboard after a scripted day, in a real headless browser: Alice
//! answers one customer within the SLA and another gives up before anyone
//! answers. The agents board shows Alice busy with that conversation and
//! its load; the day's curve has two offered, one answered within the
//! SLA, one abandoned and someone waiting; the board's link opens the
//! conversation read only. A screenshot is left in `docs/` when asked
//! (`SMSDESK_WALLBOARD_DAY_SCREENSHOT`).

use crate::common;

use std::time::Duration;

use common::browser::{browser, wait_text_where, Driver};
use common::desk::AliceAtWork;
use common::SUPERVISOR_TOKEN;
use fantoccini::Locator;

const WAIT: Duration = Duration::from_secs(15);

/// The sum of the curve's points of `series` (an interval boundary may
/// fall in the test: the points may be one or two).
async fn total(c: &fantoccini::Client, series: &str) -> u32 {
    let mut sum = 0;
    for dot in c
        .find_all(Locator::Css(&format!("svg.curve circle[data-series={series}]")))
        .await
        .unwrap()
    {
        sum += dot
            .attr("data-value")
            .await
            .unwrap()
            .unwrap_or_default()
            .parse::<u32>()
            .unwrap();
    }
    sum
}

#[tokio::test(flavor = "multi_thread")]
async fn the_wallboard_shows_the_agents_board_and_the_days_curve() {
    // Alice answered +15557770001 within the SLA.
    let w = AliceAtWork::start().await;
    // +15557770002 waits (Alice is at capacity) and gives up before anyone
    // answers: abandoned. (The webhook answers once the SMS is applied.)
    w.sim.text(&w.http, "+15557770002", "hello?").await;
    w.sim.text(&w.http, "+15557770002", "STOP").await;

    let driver = Driver::start();
    let c = browser(&driver, &w.dir().join("chromium")).await;
    c.goto(&w.server.url("/supervisor")).await.unwrap();
    c.find(Locator::Css("input[name=token]"))
        .await
        .unwrap()
        .send_keys(SUPERVISOR_TOKEN)
        .await
        .unwrap();
    c.find(Locator::Css("#token-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    // The agents board: Alice, busy, with conversation #1.
    let row = r#"#team tr[data-agent="@alice:localhost"]"#;
    let what = "Alice's row on the agents board, with #1";
    let text = wait_text_where(&c, row, what, WAIT, |t| t.contains("#1")).await;
    assert!(
        text.contains("Alice") && text.contains("busy") && text.contains("1/"),
        "{text}"
    );
    let state_for = c
        .find(Locator::Css(&format!("{row} td[data-k=for]")))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(state_for.ends_with('s'), "time in state: {state_for:?}");

    // The day's curve of billing.
    assert_eq!(total(&c, "offered").await, 2, "offered");
    assert_eq!(total(&c, "answered_in_sla").await, 1, "answered within the SLA");
    assert_eq!(total(&c, "abandoned").await, 1, "abandoned");
    assert!(total(&c, "waiting").await >= 1, "someone was seen waiting");
    // Tall enough for the whole page.
    c.set_window_size(1280, 1200).await.ok();
    let png = c.screenshot().await.unwrap();
    let shot = std::env::var_os("SMSDESK_WALLBOARD_DAY_SCREENSHOT")
        .map_or_else(|| w.dir().join("wallboard-day.png"), std::path::PathBuf::from);
    std::fs::write(&shot, png).unwrap();

    // The board's link: the conversation, read only.
    c.find(Locator::Css(&format!("{row} td[data-k=conversations] a")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let what = "the conversation page";
    let body = wait_text_where(&c, "body", what, WAIT, |b| b.contains("Conversation #1 (read only)")).await;
    assert!(body.contains("customer: hi"), "{body}");
    assert!(
        c.find(Locator::Css("form, button, textarea")).await.is_err(),
        "nothing acts"
    );
    // Another queue's or a missing conversation: the same answer.
    let missing = w
        .http
        .get(w.server.url("/supervisor/conversation?id=99"))
        .bearer_auth(SUPERVISOR_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.text().await.unwrap(), "no conversation #99 in your queues\n");
    c.close().await.unwrap();
}
