//! Signing in to the desk page with the homeserver's single sign-on, in a
//! real headless browser: Synapse delegates its logins to a CAS server (a
//! small stand-in here, vouching for whoever asks as `alice`); the page
//! shows its "single sign-on" button because Synapse offers `m.login.sso`,
//! the browser goes to Synapse, to CAS and back to the page with a
//! one-time login token, and the page signs Alice in to smsdesk with an
//! OpenID token, logging its Matrix session out again. No password is
//! typed anywhere.

use crate::common;

use std::time::Duration;

use axum::extract::Query;
use axum::response::{IntoResponse, Redirect};
use common::browser::{attr_of, browser, Driver};
use common::matrix::{devices, Synapse};
use common::{free_port, poll, Server, Sim};

use super::desk_page::{click, wait_contains};

#[derive(serde::Deserialize)]
struct Service {
    service: String,
}

/// A CAS server that logs in whoever comes as `alice`: `/login` sends the
/// browser straight back with a ticket, `/proxyValidate` vouches for it.
fn cas(port: u16) -> tokio::task::JoinHandle<()> {
    let app = axum::Router::new()
        .route(
            "/login",
            axum::routing::get(|Query(s): Query<Service>| async move {
                let joint = if s.service.contains('?') { '&' } else { '?' };
                Redirect::to(&format!("{}{joint}ticket=ST-alice-1", s.service))
            }),
        )
        .route(
            "/proxyValidate",
            axum::routing::get(|| async {
                (
                    [(axum::http::header::CONTENT_TYPE, "text/xml")],
                    r#"<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess><cas:user>alice</cas:user></cas:authenticationSuccess></cas:serviceResponse>"#,
                )
                    .into_response()
            }),
        );
    tokio::spawn(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap();
        axum::serve(listener, app).await.unwrap();
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn an_agent_signs_in_to_the_desk_with_single_sign_on() {
    let tmp = tempfile::tempdir().unwrap();
    let (port, sim_port, cas_port) = (free_port(), free_port(), free_port());
    let _cas = cas(cas_port);
    let mut synapse = Synapse::unstarted(tmp.path().join("synapse"), false);
    synapse.configure(&format!(
        "public_baseurl: \"http://127.0.0.1:{hs}/\"\n\
         cas_config: {{enabled: true, server_url: \"http://127.0.0.1:{cas_port}\"}}\n\
         sso: {{client_whitelist: [\"http://127.0.0.1:{port}/\"]}}\n",
        hs = synapse.port
    ));
    synapse.boot();
    synapse.register("smsdesk", "bot-password");
    synapse.register("alice", "alice-password");
    let _sim = Sim::start(sim_port, port);
    let dir = tmp.path().join("desk");
    std::fs::create_dir_all(&dir).unwrap();
    let server = Server::start_with_matrix(&dir, port, &format!("http://127.0.0.1:{sim_port}"), &synapse.url());
    let before = devices(&synapse.url(), "alice", "alice-password").await.len();

    let driver = Driver::start();
    let c = browser(&driver, &tmp.path().join("chromium")).await;
    c.goto(&server.url("/desk")).await.unwrap();
    // Shown once the page knows the homeserver offers single sign-on.
    let every = Duration::from_millis(50);
    poll::until("a single sign-on button", Duration::from_secs(10), every, async || {
        let hidden = attr_of(&c, "#sso", "hidden").await;
        hidden.map_or(Ok(()), |_| Err("hidden".to_owned()))
    })
    .await;
    click(&c, "#sso").await;
    wait_contains(&c, "#who", "@alice:localhost").await;
    let url = c.current_url().await.unwrap();
    assert!(
        !url.as_str().contains("loginToken"),
        "the login token stays in the address: {url}"
    );
    // The page's Matrix session was logged out again: no device left behind
    // (the count's own login is one more, and is gone after it too).
    assert_eq!(devices(&synapse.url(), "alice", "alice-password").await.len(), before);
    c.close().await.unwrap();
    drop(server);
}
