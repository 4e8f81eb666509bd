//! Supervisors sign in to the wallboard with their Matrix identity,
//! against a real Synapse and the real binary: an OpenID token from the
//! homeserver, posted to `/supervisor/openid`. Sue watches `billing`; a
//! customer waits in `billing` (+15557770001) and one in `support`
//! (+15557770002). Sue's page, `figures.json`, the live stream and the
//! export hold billing only, never `support` nor its customer's number,
//! and `?queue=support` is refused on each; the operator's bearer token
//! sees both. Bogus tokens, a non-supervisor's token, a token said to be
//! of another server, a replayed token and a cross-site post are refused,
//! and those failures count in the same limiter as bearer tokens.
//! Signing out voids the session: the old cookie opens nothing, and a
//! live stream opened with it ends.

use crate::common;

use std::time::{Duration, Instant};

use common::matrix::{openid_token, Synapse};
use common::{client_from, free_port, Server, Sim, SUPERVISOR_TOKEN};

/// Where the support queue's customers text.
pub const SUPPORT_ENTRY: &str = "+15550002222";
pub const BILLING_CUSTOMER: &str = "+15557770001";
pub const SUPPORT_CUSTOMER: &str = "+15557770002";

pub struct Desk {
    _tmp: tempfile::TempDir,
    pub synapse: Synapse,
    _sim: Sim,
    server: Server,
}

impl Desk {
    /// Synapse with the bot, Sue (supervisor of billing) and Tom (nobody);
    /// smsdesk with a support entry point; a customer waiting in each queue.
    pub async fn start() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let synapse = Synapse::start(tmp.path().join("synapse"));
        for (user, password) in [
            ("smsdesk", "bot-password"),
            ("sue", "sue-password"),
            ("tom", "tom-password"),
        ] {
            synapse.register(user, password);
        }
        let (port, sim_port) = (free_port(), free_port());
        let sim = Sim::start(sim_port, port);
        let config = common::config::server_config(
            port,
            &format!("http://127.0.0.1:{sim_port}"),
            Some((&synapse.url(), "password = \"bot-password\"")),
        )
        .replace(
            "[agents]",
            "[[supervisors]]\nmatrix_id = \"@sue:localhost\"\nqueues = [\"billing\"]\n\n[agents]",
        )
        .replacen(
            "[[queues]]",
            &format!("[[entry_points]]\nnumber = \"{SUPPORT_ENTRY}\"\nkind = \"long-code\"\ncarrier = \"twilio\"\nqueue = \"support\"\n\n[[queues]]"),
            1,
        );
        let dir = tmp.path().join("desk");
        std::fs::create_dir_all(&dir).unwrap();
        let server = Server::start_with_config(&dir, port, &config, None);
        let http = reqwest::Client::new();
        sim.text(&http, BILLING_CUSTOMER, "a billing question").await;
        sim.text_via(&http, "twilio", SUPPORT_CUSTOMER, SUPPORT_ENTRY, "a support question")
            .await;
        let desk = Self {
            _tmp: tmp,
            synapse,
            _sim: sim,
            server,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let all = desk.operator_figures().await;
            let waiting: Vec<_> = all["queues"]
                .as_array()
                .unwrap()
                .iter()
                .map(|q| q["waiting"].clone())
                .collect();
            if waiting == [1, 1] {
                break;
            }
            assert!(Instant::now() < deadline, "the customers are not waiting: {all}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        desk
    }

    pub fn url(&self, path: &str) -> String {
        self.server.url(path)
    }

    async fn operator_figures(&self) -> serde_json::Value {
        client_from(1)
            .get(self.url("/supervisor/figures.json"))
            .bearer_auth(SUPERVISOR_TOKEN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Posts `token` (a `request_token` answer) from `http`.
    async fn post_openid(&self, http: &reqwest::Client, token: &serde_json::Value) -> reqwest::Response {
        http.post(self.url("/supervisor/openid"))
            .json(token)
            .send()
            .await
            .unwrap()
    }

    /// Sue signs in; her cookie (`name=value`) and the answer's JSON.
    async fn sue_signs_in(&self) -> (String, serde_json::Value) {
        let token = openid_token(&self.synapse.url(), "sue", "sue-password").await;
        let r = self.post_openid(&client_from(1), &token).await;
        assert_eq!(r.status(), 200);
        let set = r.headers()["set-cookie"].to_str().unwrap().to_owned();
        for part in ["Path=/supervisor", "HttpOnly", "SameSite=Strict"] {
            assert!(set.contains(part), "{part} missing: {set}");
        }
        let cookie = set.split(';').next().unwrap().to_owned();
        (cookie, r.json().await.unwrap())
    }
}

/// The next event named `name` on an open event stream (its data), or
/// `None` if the stream ends first; at most 10 s.
async fn next_event(r: &mut reqwest::Response, buf: &mut String, name: &str) -> Option<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            let field = |key: &str| {
                block
                    .lines()
                    .find_map(|l| l.strip_prefix(key))
                    .map(|v| v.trim().to_owned())
            };
            if field("event:").as_deref() == Some(name) {
                return Some(field("data:").unwrap_or_default());
            }
        }
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, r.chunk()).await {
            Ok(Ok(Some(chunk))) => buf.push_str(&String::from_utf8_lossy(&chunk)),
            Ok(Ok(None)) | Ok(Err(_)) => return None,
            Err(_) => panic!("no {name:?} event within 10 s; have {buf:?}"),
        }
    }
}

/// What nothing Sue sees may hold.
fn assert_billing_only(what: &str, text: &str) {
    assert!(text.contains("billing"), "{what} shows no billing: {text}");
    for other in ["support", SUPPORT_CUSTOMER, "5557770002"] {
        assert!(!text.contains(other), "{what} shows {other:?}: {text}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_supervisor_signed_in_with_matrix_sees_only_their_queues_on_every_route() {
    let desk = Desk::start().await;
    let (cookie, answer) = desk.sue_signs_in().await;
    assert_eq!(answer["matrix_id"], "@sue:localhost");
    assert_eq!(answer["queues"], serde_json::json!(["billing"]));
    let http = client_from(1);
    let get = |path: &str| {
        let (http, url, cookie) = (http.clone(), desk.url(path), cookie.clone());
        async move { http.get(url).header("cookie", cookie).send().await.unwrap() }
    };

    // The page.
    let r = get("/supervisor").await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("frame-ancestors 'none'"));
    let page = r.text().await.unwrap();
    assert!(page.contains("Signed in as @sue:localhost · billing"), "{page}");
    assert!(page.contains("data-queue=\"billing\""), "{page}");
    assert_billing_only("the page", &page);

    // figures.json: billing, and the agents of billing's roster (Alice,
    // Bob), not Carol of support; the operator sees both queues and three.
    let r = get("/supervisor/figures.json").await;
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    assert_billing_only("figures.json", &text);
    let mine: serde_json::Value = serde_json::from_str(&text).unwrap();
    let all = desk.operator_figures().await;
    let count = |v: &serde_json::Value| {
        v["agents"]
            .as_object()
            .unwrap()
            .values()
            .map(|n| n.as_u64().unwrap())
            .sum::<u64>()
    };
    assert_eq!((count(&mine), count(&all)), (2, 3), "agents: {mine} / {all}");
    assert_eq!(all["queues"].as_array().unwrap().len(), 2, "{all}");
    assert_eq!(mine["queues"][0]["waiting"], 1);

    // The live stream.
    let mut stream = get("/supervisor/events").await;
    assert_eq!(stream.status(), 200);
    let board = next_event(&mut stream, &mut String::new(), "board")
        .await
        .expect("a board");
    assert_billing_only("the live stream", &board);
    drop(stream);

    // The export: the billing customer's conversation only.
    let r = get("/supervisor/export?since=2000-01-01").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-smsdesk-count"], "1");
    let export = r.text().await.unwrap();
    assert!(export.contains(BILLING_CUSTOMER), "{export}");
    assert_billing_only("the export", &export);
    let r = get("/supervisor/export?since=2000-01-01&format=csv").await;
    assert_billing_only("the CSV export", &r.text().await.unwrap());
    let operator = client_from(1)
        .get(desk.url("/supervisor/export?since=2000-01-01"))
        .bearer_auth(SUPERVISOR_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(
        operator.headers()["x-smsdesk-count"],
        "2",
        "the operator's key exports all"
    );
    one_conversation_export(operator.text().await.unwrap(), &get).await;

    // Asking for another queue (or one that does not exist): refused alike.
    for path in [
        "/supervisor?queue=support",
        "/supervisor/figures.json?queue=support",
        "/supervisor/events?queue=support",
        "/supervisor/export?since=2000-01-01&queue=support",
        "/supervisor/figures.json?queue=nope",
    ] {
        let r = get(path).await;
        assert_eq!(r.status(), 403, "{path}");
        let text = r.text().await.unwrap();
        assert!(text.starts_with("you do not watch a queue"), "{path}: {text}");
        assert!(!text.contains(SUPPORT_CUSTOMER), "{path}: {text}");
    }
    let r = get("/supervisor/figures.json?queue=billing").await;
    assert_eq!(r.status(), 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn bogus_stranger_other_server_replayed_and_cross_site_sign_ins_are_refused_and_counted() {
    let desk = Desk::start().await;
    let hs = desk.synapse.url();
    let http = client_from(1);
    let error = |r: reqwest::Response| async move {
        let status = r.status().as_u16();
        let body: serde_json::Value = r.json().await.unwrap();
        (status, body["error"].as_str().unwrap_or_default().to_owned())
    };

    // Bad input, before any check: clear words, not counted.
    let r = http
        .post(desk.url("/supervisor/openid"))
        .header("content-type", "application/json")
        .body("{\"access_token\": 5}")
        .send()
        .await
        .unwrap();
    let (status, why) = error(r).await;
    assert_eq!(status, 400);
    assert!(
        why.starts_with("expected {\"access_token\": …, \"matrix_server_name\": …}"),
        "{why}"
    );
    let r = http
        .post(desk.url("/supervisor/openid"))
        .form(&[("access_token", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);

    // 1: a token the homeserver never issued.
    let bogus = serde_json::json!({"access_token": "notatokenatall", "matrix_server_name": "localhost"});
    let (status, why) = error(desk.post_openid(&http, &bogus).await).await;
    assert_eq!(
        (status, why.as_str()),
        (
            401,
            "the homeserver does not know this OpenID token (expired, or never issued)"
        )
    );

    // 2: a real token of a Matrix user who is not a supervisor.
    let tom = openid_token(&hs, "tom", "tom-password").await;
    let (status, why) = error(desk.post_openid(&http, &tom).await).await;
    assert_eq!(
        (status, why.as_str()),
        (
            403,
            "@tom:localhost is not a supervisor here (no [[supervisors]] entry)"
        )
    );

    // 3: Sue's real token, said to be of another server: refused unasked…
    let mut sue = openid_token(&hs, "sue", "sue-password").await;
    let real_server = sue["matrix_server_name"].clone();
    sue["matrix_server_name"] = "evil.example".into();
    let (status, why) = error(desk.post_openid(&http, &sue).await).await;
    assert_eq!(status, 401);
    assert_eq!(
        why,
        "the token is from Matrix server \"evil.example\"; only tokens of localhost are accepted"
    );

    // …and a post from another site is refused before anything is checked.
    sue["matrix_server_name"] = real_server;
    let r = http
        .post(desk.url("/supervisor/openid"))
        .header("origin", "https://evil.example")
        .json(&sue)
        .send()
        .await
        .unwrap();
    let (status, why) = error(r).await;
    assert_eq!(
        (status, why.starts_with("refused: this request came from another site")),
        (403, true),
        "{why}"
    );

    // The same token as it came: Sue is in (a right one costs nothing)…
    let r = desk.post_openid(&http, &sue).await;
    assert_eq!(r.status(), 200);
    // 4: …once: the same token again is refused.
    let (status, why) = error(desk.post_openid(&http, &sue).await).await;
    assert_eq!(
        (status, why.as_str()),
        (
            401,
            "this OpenID token was used already; ask your homeserver for a new one"
        )
    );

    // 5: the fifth failure from this address, and then it is limited,
    // for OpenID tokens and bearer tokens alike, right or wrong.
    let (status, _) = error(desk.post_openid(&http, &bogus).await).await;
    assert_eq!(status, 401);
    let r = desk.post_openid(&http, &bogus).await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    let (_, why) = error(r).await;
    assert!(why.starts_with("Too many failed sign-ins; try again in"), "{why}");
    let r = http
        .get(desk.url("/supervisor/figures.json"))
        .bearer_auth(SUPERVISOR_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429, "OpenID failures count for bearer tokens too");
    // Sue from another address signs in with a fresh token.
    let fresh = openid_token(&hs, "sue", "sue-password").await;
    assert_eq!(desk.post_openid(&client_from(2), &fresh).await.status(), 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn signing_out_voids_the_session_and_ends_its_live_stream() {
    let desk = Desk::start().await;
    let (cookie, _) = desk.sue_signs_in().await;
    let http = client_from(1);
    let get = |path: &str| {
        let (http, url, cookie) = (http.clone(), desk.url(path), cookie.clone());
        async move { http.get(url).header("cookie", cookie).send().await.unwrap() }
    };
    let mut stream = get("/supervisor/events").await;
    let mut buf = String::new();
    assert!(next_event(&mut stream, &mut buf, "board").await.is_some());

    let r = http
        .post(desk.url("/supervisor/logout"))
        .header("cookie", &cookie)
        .header("origin", desk.url(""))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/supervisor");
    let cleared = r.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cleared.starts_with("smsdesk_supervisor=;") && cleared.contains("Max-Age=0"),
        "{cleared}"
    );

    // The open stream says so and ends.
    let ended = Instant::now();
    assert_eq!(
        next_event(&mut stream, &mut buf, "signed-out").await.as_deref(),
        Some("signed-out")
    );
    assert!(
        next_event(&mut stream, &mut buf, "board").await.is_none(),
        "the stream goes on"
    );
    assert!(ended.elapsed() < Duration::from_secs(3), "{:?}", ended.elapsed());

    // The old cookie opens nothing.
    for path in [
        "/supervisor",
        "/supervisor/figures.json",
        "/supervisor/events",
        "/supervisor/export?since=2000-01-01",
    ] {
        let r = get(path).await;
        assert_eq!(r.status(), 401, "{path}");
        let text = r.text().await.unwrap();
        assert!(
            !text.contains(BILLING_CUSTOMER) && !text.contains("data-queue"),
            "{path}: {text}"
        );
    }
}

/// One conversation by number (the link a returning customer's history
/// shows), for a billing-only supervisor: theirs, yes; another queue's, as
/// if it did not exist. `operator_export`: every conversation, JSON lines.
async fn one_conversation_export<F, R>(operator_export: String, get: &F)
where
    F: Fn(&str) -> R,
    R: std::future::Future<Output = reqwest::Response>,
{
    let ids: Vec<(u64, String)> = operator_export
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|v| {
            (
                v["id"].as_u64().unwrap(),
                v["customer"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let id_of = |c: &str| ids.iter().find(|(_, cu)| cu == c).map(|(i, _)| *i).unwrap();
    let r = get(&format!(
        "/supervisor/export?conversation={}&format=csv",
        id_of(BILLING_CUSTOMER)
    ))
    .await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains(BILLING_CUSTOMER));
    let theirs = get(&format!("/supervisor/export?conversation={}", id_of(SUPPORT_CUSTOMER))).await;
    let none = get("/supervisor/export?conversation=9999").await;
    assert_eq!((theirs.status().as_u16(), none.status().as_u16()), (404, 404));
    let (theirs, none) = (theirs.text().await.unwrap(), none.text().await.unwrap());
    assert!(!theirs.contains(SUPPORT_CUSTOMER), "{theirs}");
    assert_eq!(
        theirs.replace(&id_of(SUPPORT_CUSTOMER).to_string(), "N"),
        none.replace("9999", "N")
    );
}
