//! The agent desktop as a widget of the desk room, in a real headless
//! browser. A test page plays the Matrix client: it hosts `/desk` in an
//! iframe as Element does (`widgetId`, `parentUrl`) and answers the Widget
//! API with `matrix-widget-api`'s own host classes (`ClientWidgetApi`, a
//! `WidgetDriver`), handing over an OpenID token the test got from Synapse.
//! Alice's token opens her desk in the frame, where she accepts the offer
//! and her conversation room appears in Matrix; a token of someone not on
//! the roster, a forged one and one already used are refused in the frame;
//! one past its lifetime is refused too.
//! The desk room carries the widget (and the layout that opens it in the
//! right panel) from the bot.

use crate::common;

use std::time::Duration;

use axum::response::{Html, IntoResponse};
use common::browser::{browser, Driver};
use common::desk::AliceAtWork;
use common::matrix::{openid_token, Synapse};
use common::{free_port, poll};
use fantoccini::Locator;
use matrix_sdk::ruma::api::client::state::get_state_event_for_key;

const WAIT: Duration = Duration::from_secs(20);
const EVERY: Duration = Duration::from_millis(100);
const WIDGET_API: &str = include_str!("../../src/desk/assets/vendor/matrix-widget-api.js");

/// The client's page: `/desk` in an iframe, the Widget API's host side
/// answering with the token in the page's fragment (never sent anywhere).
const HOST: &str = r##"<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>a Matrix client</title>
<script src="/mwa.js"></script></head>
<body style="margin:0"><p id="asked">0</p>
<script>
const token = JSON.parse(decodeURIComponent(location.hash.slice(1)));
const desk = document.body.dataset.desk || DESK;
const id = "smsdesk-desk";
const iframe = document.createElement("iframe");
iframe.id = "widget";
iframe.style = "width:1200px;height:480px;border:1px solid #888";
iframe.src = desk + "?widgetId=" + id + "&parentUrl=" + encodeURIComponent(location.href.split("#")[0]);
document.body.append(iframe);
class Driver extends mxwidgets.WidgetDriver {
  async validateCapabilities(requested) { return requested; }
  askOpenID(observer) {
    const asked = document.getElementById("asked");
    asked.textContent = String(Number(asked.textContent) + 1);
    observer.update({ state: mxwidgets.OpenIDRequestState.Allowed, token });
  }
}
const widget = new mxwidgets.Widget({ id, creatorUserId: "@smsdesk:localhost", type: "m.custom", url: desk, name: "smsdesk desk", data: {} });
new mxwidgets.ClientWidgetApi(widget, iframe, new Driver());
</script></body></html>"##;

/// Serves the client's page (with the desk's address) and the Widget API.
fn host(port: u16, desk: String) -> tokio::task::JoinHandle<()> {
    let page = HOST.replace("document.body.dataset.desk || DESK", &format!("{desk:?}"));
    let app = axum::Router::new()
        .route("/host.html", axum::routing::get(move || async move { Html(page) }))
        .route(
            "/mwa.js",
            axum::routing::get(|| async {
                ([(axum::http::header::CONTENT_TYPE, "text/javascript")], WIDGET_API).into_response()
            }),
        );
    tokio::spawn(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap();
        axum::serve(listener, app).await.unwrap();
    })
}

/// The text of `css` inside the widget's frame once it contains `needle`.
async fn in_frame(c: &fantoccini::Client, css: &str, needle: &str) -> String {
    let what = format!("{css} in the widget showing {needle:?}");
    poll::until(&what, WAIT, EVERY, async || {
        c.enter_parent_frame().await.ok();
        let (mut text, mut source) = (String::new(), String::new());
        if let Ok(frame) = c.find(Locator::Id("widget")).await {
            if frame.enter_frame().await.is_ok() {
                if let Ok(e) = c.find(Locator::Css(css)).await {
                    text = e.text().await.unwrap_or_default();
                }
                source = c.source().await.unwrap_or_default();
                c.enter_parent_frame().await.ok();
            }
        }
        if text.contains(needle) {
            return Ok(text);
        }
        Err(format!("{text:?}; the frame: {source}"))
    })
    .await
}

/// The refusal the widget shows (waiting until it shows one).
async fn refusal(c: &fantoccini::Client) -> String {
    poll::until("a refusal in the widget (it was let in?)", WAIT, EVERY, async || {
        let text = in_frame(c, "#widget-error", "").await;
        if text.is_empty() {
            Err("no refusal".to_owned())
        } else {
            Ok(text)
        }
    })
    .await
}

/// Opens the client's page afresh (`who` makes it another address: a new
/// fragment alone would not load it again) with `token` handed to the widget.
async fn open(c: &fantoccini::Client, host_port: u16, who: &str, token: &serde_json::Value) {
    let fragment: String = form_urlencoded::byte_serialize(token.to_string().as_bytes()).collect();
    c.goto(&format!("http://127.0.0.1:{host_port}/host.html?{who}#{fragment}"))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_desk_is_a_widget_that_signs_in_with_the_clients_openid_token() {
    let host_port = free_port();
    let ancestors = format!("\n[desk]\nframe_ancestors = [\"http://127.0.0.1:{host_port}\"]\n");
    let w = AliceAtWork::boot_with(
        move |config| format!("{config}{ancestors}"),
        true,
        false,
        &[("mallory", "mallory-password")],
    )
    .await;
    let synapse = w.alice.client.homeserver().to_string();
    let synapse = synapse.trim_end_matches('/');

    // The desk room holds the widget, from the bot, and its layout.
    let mut request = get_state_event_for_key::v3::Request::new(
        w.desk.clone(),
        "im.vector.modular.widgets".into(),
        "smsdesk-desk".to_owned(),
    );
    request.format = get_state_event_for_key::v3::StateEventFormat::Content;
    let widget: serde_json::Value =
        serde_json::from_str(w.alice.client.send(request).await.unwrap().event_or_content.get()).unwrap();
    assert_eq!(widget["type"], "m.custom", "{widget}");
    assert!(
        widget["url"]
            .as_str()
            .unwrap()
            .ends_with("/desk?widgetId=$matrix_widget_id"),
        "{widget}"
    );
    let layout =
        get_state_event_for_key::v3::Request::new(w.desk.clone(), "io.element.widgets.layout".into(), String::new());
    let layout: serde_json::Value =
        serde_json::from_str(w.alice.client.send(layout).await.unwrap().event_or_content.get()).unwrap();
    assert_eq!(layout["widgets"]["smsdesk-desk"]["container"], "right", "{layout}");

    let _host = host(host_port, w.server.url("/desk"));
    let driver = Driver::start();
    let c = browser(&driver, &w.dir().join("chromium")).await;

    // Someone not on the roster: the homeserver vouches for them, smsdesk does not let them in.
    let mallory = openid_token(synapse, "mallory", "mallory-password").await;
    open(&c, host_port, "mallory", &mallory).await;
    in_frame(&c, "#widget-error", "is not an agent here").await;
    // A forged token: the homeserver does not know it.
    let forged = serde_json::json!({
        "access_token": "forged-token-0123456789",
        "token_type": "Bearer",
        "matrix_server_name": "localhost",
        "expires_in": 3600,
    });
    open(&c, host_port, "forged", &forged).await;
    let refused = refusal(&c).await;
    eprintln!("a forged token: {refused}");

    // Alice: her desk opens in the frame, without a password.
    let alice = openid_token(synapse, "alice", "alice-password").await;
    open(&c, host_port, "alice", &alice).await;
    in_frame(&c, "#who", "@alice:localhost").await;
    in_frame(&c, ".offer", "Offer #1").await;
    let asked = c.find(Locator::Id("asked")).await.unwrap().text().await.unwrap();
    assert_eq!(asked, "1", "the client was asked for one token");
    let frame = c.find(Locator::Id("widget")).await.unwrap();
    frame.enter_frame().await.unwrap();
    c.find(Locator::Css(".offer button.accept"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.enter_parent_frame().await.unwrap();
    // Accepted in the widget: the conversation room appears in Matrix.
    w.alice.wait_for("history so far").await;
    in_frame(&c, "#title", "+15557770001").await;
    let png = c.screenshot().await.unwrap();
    let shot = std::env::var_os("SMSDESK_DESK_WIDGET_SCREENSHOT")
        .map_or_else(|| w.dir().join("widget.png"), std::path::PathBuf::from);
    std::fs::write(&shot, png).unwrap();

    // The same token again (a replay, in a fresh browser): refused.
    c.close().await.unwrap();
    let c = browser(&driver, &w.dir().join("chromium-2")).await;
    open(&c, host_port, "replay", &alice).await;
    let again = refusal(&c).await;
    eprintln!("a token used before: {again}");
    c.close().await.unwrap();
}

/// An OpenID token past its lifetime (Synapse's are an hour; this one is
/// aged in Synapse's own database) is refused, as the widget and the
/// password page hand it over.
#[tokio::test(flavor = "multi_thread")]
async fn an_expired_openid_token_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let synapse = Synapse::start_persistent(tmp.path().join("synapse"));
    synapse.register("smsdesk", "bot-password");
    synapse.register("alice", "alice-password");
    let (port, sim_port) = (free_port(), free_port());
    let _sim = common::Sim::start(sim_port, port);
    let dir = tmp.path().join("desk");
    std::fs::create_dir_all(&dir).unwrap();
    let server = common::Server::start_with_matrix(&dir, port, &format!("http://127.0.0.1:{sim_port}"), &synapse.url());
    let token = openid_token(&synapse.url(), "alice", "alice-password").await;
    let db = tmp.path().join("synapse/homeserver.db");
    let aged = std::process::Command::new("python3")
        .arg("-c")
        .arg("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('UPDATE open_id_tokens SET ts_valid_until_ms = 1 WHERE token = ?', (sys.argv[2],)); c.commit(); print(c.total_changes)")
        .arg(&db)
        .arg(token["access_token"].as_str().unwrap())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&aged.stdout).trim(), "1", "{aged:?}");
    let http = reqwest::Client::new();
    let r = http
        .post(server.url("/desk/openid?widget=1"))
        .json(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let answer: serde_json::Value = r.json().await.unwrap();
    assert!(answer["error"].as_str().unwrap().contains("expired"), "{answer}");
    drop(server);
}
