//! Two `smsdesk run` instances on one PostgreSQL store (PRODUCT.md §13):
//! one leads, the other stands by, both take webhooks; the leader is
//! killed with SIGKILL at once, the standby takes over within the lease,
//! and every SMS either acknowledged is in the store exactly once.

use crate::common;

use std::time::{Duration, Instant};

use common::config::server_config;
use common::twilio::{form, sign, sms_params};
use common::*;
use smsdesk_core::store::layout;
use smsdesk_core::Event;
use smsdesk_pgstore::testing::Postgres;

/// The instance's `/readyz` role ("leader", "standby"), or why not.
async fn role(http: &reqwest::Client, server: &Server) -> String {
    match http.get(server.url("/readyz")).send().await {
        Ok(r) => r.json::<serde_json::Value>().await.map_or_else(
            |e| format!("unreadable: {e}"),
            |v| v["role"].as_str().unwrap_or("none").to_owned(),
        ),
        Err(e) => format!("unreachable: {e}"),
    }
}

async fn wait_role(http: &reqwest::Client, server: &Server, wanted: &str, limit: Duration) -> Duration {
    let start = Instant::now();
    loop {
        let now = role(http, server).await;
        if now == wanted {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < limit,
            "still {now:?}, not {wanted:?}, after {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A Twilio webhook signed for the shared public URL, posted to `server`.
async fn text(http: &reqwest::Client, public: &str, server: &Server, sid: &str, body: &str) -> u16 {
    let params = sms_params(sid, "+15557770001", ENTRY, body);
    let signature = sign(&format!("{public}/webhooks/twilio/inbound"), &params, TOKEN);
    http.post(server.url("/webhooks/twilio/inbound"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-twilio-signature", signature)
        .body(form(&params))
        .send()
        .await
        .map_or(0, |r| r.status().as_u16())
}

/// Each inbound SMS body in the store's event log, with how often it is there.
fn stored_bodies(url: &str) -> std::collections::BTreeMap<String, usize> {
    let store = smsdesk_pgstore::PgStore::connect(url).unwrap();
    let mut bodies = std::collections::BTreeMap::new();
    for record in layout::events_from(&store, 0, 100_000).unwrap() {
        if let Event::MessageReceived { sms, .. } = record.event {
            *bodies.entry(sms.body).or_insert(0) += 1;
        }
    }
    bodies
}

#[tokio::test(flavor = "multi_thread")]
async fn a_standby_takes_over_from_a_killed_leader_with_everything_it_acknowledged() {
    let pg = Postgres::start();
    let url = pg.base_url();
    let tmp = tempfile::tempdir().unwrap();
    let (pa, pb) = (free_port(), free_port());
    // Behind a load balancer both have the same public URL, which carriers sign.
    let public = "http://desk.example.test".to_owned();
    let config = |port: u16| {
        server_config(port, "http://127.0.0.1:9", None)
            .replace(
                "[storage]\n",
                &format!("[storage]\nbackend = \"postgres\"\nurl = \"{url}\"\n"),
            )
            .replace(
                &format!("public_url = \"http://127.0.0.1:{port}\""),
                &format!("public_url = \"{public}\""),
            )
    };
    let (dir_a, dir_b) = (tmp.path().join("a"), tmp.path().join("b"));
    std::fs::create_dir_all(&dir_a).unwrap();
    std::fs::create_dir_all(&dir_b).unwrap();
    let http = reqwest::Client::new();

    let mut a = Server::start_with_config(&dir_a, pa, &config(pa), None);
    wait_role(&http, &a, "leader", Duration::from_secs(20)).await;
    let b = Server::start_with_config(&dir_b, pb, &config(pb), None);
    wait_role(&http, &b, "standby", Duration::from_secs(20)).await;
    // A standby says so, and sends work elsewhere.
    let r = http.get(b.url("/supervisor/figures.json")).send().await.unwrap();
    assert_eq!(r.status(), 503);

    // Both take webhooks: the standby's go into the shared inbox too.
    for i in 0..5 {
        let to_a = text(&http, &public, &a, &format!("SMa{i:030}"), &format!("to a {i}")).await;
        let to_standby = text(
            &http,
            &public,
            &b,
            &format!("SMs{i:030}"),
            &format!("to the standby {i}"),
        )
        .await;
        assert_eq!((to_a, to_standby), (200, 200));
    }
    a.kill9();
    let takeover = wait_role(&http, &b, "leader", Duration::from_secs(20)).await;
    println!("takeover after SIGKILL: {:.1} s", takeover.as_secs_f64());
    assert!(takeover < Duration::from_secs(15), "took {takeover:?}");
    for i in 0..5 {
        assert_eq!(
            text(&http, &public, &b, &format!("SMb{i:030}"), &format!("to b {i}")).await,
            200
        );
    }
    // A repeated webhook (the carrier retrying one the dead leader acknowledged) is stored once.
    assert_eq!(text(&http, &public, &b, &format!("SMa{:030}", 0), "to a 0").await, 200);

    // The new leader commits what is left in the inbox; then each is there once.
    let expected: Vec<String> = (0..5)
        .flat_map(|i| [format!("to a {i}"), format!("to the standby {i}"), format!("to b {i}")])
        .collect();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let read = url.clone();
        let bodies = tokio::task::spawn_blocking(move || stored_bodies(&read)).await.unwrap();
        if expected.iter().all(|b| bodies.contains_key(b)) {
            for body in &expected {
                assert_eq!(bodies.get(body), Some(&1), "{body}: {bodies:?}");
            }
            assert_eq!(bodies.len(), expected.len(), "{bodies:?}");
            break;
        }
        assert!(Instant::now() < deadline, "missing after the takeover: {bodies:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
