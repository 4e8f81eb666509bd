//! The agent desktop against the Matrix desk (issue #30), on one local
//! Synapse and one smsdesk, in the same run:
//! - an offer: from the customer's signed SMS webhook until Alice's page
//!   has it (the desk's event stream, `/desk/events`, which the page draws
//!   as it comes) and until her Matrix client shows the offer card; both
//!   watch the same offer, so each round is one webhook measured twice.
//!   Target: the page within 1.2x the Matrix desk at p50.
//! - 200 signed-in pages at once (200 sessions, each with its own event
//!   stream): smsdesk's resident memory before and after they connect, and
//!   how long an update takes to reach all of them (p50, p99 over the
//!   pages), against one page alone measured the same way just before.
//!
//! Run: `cargo bench -p smsdesk --bench desk` (after `bash scripts/build-plugins.sh`
//! and `bash scripts/synapse.sh install`).

#[path = "../tests/suite/common/mod.rs"]
mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::matrix::{Synapse, User};
use common::*;

const ROUNDS: usize = 30;
const PAGES: usize = 200;
const TARGET: f64 = 1.2;
const PAUSE: Duration = Duration::from_millis(250);

fn percentile(v: &mut [Duration], p: usize) -> f64 {
    v.sort();
    v[(v.len() * p / 100).min(v.len() - 1)].as_secs_f64() * 1e3
}

/// `n` OpenID tokens of `user` (one login, one token per sign-in: smsdesk
/// takes each token once).
async fn tokens(http: &reqwest::Client, hs: &str, user: &str, password: &str, n: usize) -> Vec<serde_json::Value> {
    let (access, id) = common::matrix::login(http, hs, user, password).await;
    let (access, id) = (access.as_str(), id.as_str());
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(
            http.post(format!("{hs}/_matrix/client/v3/user/{id}/openid/request_token"))
                .bearer_auth(access)
                .json(&serde_json::json!({}))
                .send()
                .await
                .expect("request_token")
                .json()
                .await
                .expect("token"),
        );
    }
    out
}

/// A signed-in page's cookie.
async fn sign_in(http: &reqwest::Client, server: &Server, token: &serde_json::Value) -> String {
    let r = http
        .post(server.url("/desk/openid"))
        .json(token)
        .send()
        .await
        .expect("sign-in");
    assert_eq!(r.status(), 200, "sign-in");
    let cookie = r.headers()["set-cookie"].to_str().expect("cookie").to_owned();
    cookie.split(';').next().expect("cookie").to_owned()
}

/// When each page first saw each conversation offered: (page, conversation) -> when.
type Seen = Arc<Mutex<HashMap<(usize, u64), Instant>>>;

/// Follows page `page`'s event stream, noting when it first shows an offer.
fn follow(http: reqwest::Client, url: String, cookie: String, page: usize, seen: Seen) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut r = http.get(url).header("cookie", cookie).send().await.expect("events");
        let mut buf = String::new();
        while let Ok(Some(chunk)) = r.chunk().await {
            let now = Instant::now();
            buf.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buf.find("\n\n") {
                let event: String = buf.drain(..end + 2).collect();
                let Some(data) = event.lines().find_map(|l| l.strip_prefix("data:")) else {
                    continue;
                };
                let Ok(view) = serde_json::from_str::<serde_json::Value>(data.trim()) else {
                    continue;
                };
                for c in view["conversations"].as_array().into_iter().flatten() {
                    if c["role"] == "offered" {
                        if let Some(id) = c["id"].as_u64() {
                            seen.lock().expect("seen").entry((page, id)).or_insert(now);
                        }
                    }
                }
            }
        }
    })
}

/// Resident memory of process `pid`, in KiB.
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// Waits until `pages` pages saw conversation `id` offered; their delays from `sent`.
async fn reached(seen: &Seen, pages: std::ops::Range<usize>, id: u64, sent: Instant) -> Vec<Duration> {
    let start = Instant::now();
    loop {
        {
            let seen = seen.lock().expect("seen");
            let got: Vec<Duration> = pages
                .clone()
                .filter_map(|p| seen.get(&(p, id)).map(|t| t.saturating_duration_since(sent)))
                .collect();
            if got.len() == pages.len() {
                return got;
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "conversation {id} never reached every page"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let tmp = tempfile::tempdir().expect("tmp");
    let synapse = Synapse::start(tmp.path().join("synapse"));
    synapse.register("smsdesk", "bot-password");
    synapse.register("alice", "alice-password");
    let (port, sim_port) = (free_port(), free_port());
    let sim = Sim::start(sim_port, port);
    let dir = tmp.path().join("desk");
    std::fs::create_dir_all(&dir).expect("dir");
    let server = Server::start_with_matrix(&dir, port, &format!("http://127.0.0.1:{sim_port}"), &synapse.url());
    let pid = server.child.as_ref().expect("running").id();
    let http = reqwest::Client::new();
    let hs = synapse.url();
    let alice = User::login(&hs, "alice", "alice-password").await;
    let desk = alice.wait_for("This is your smsdesk desk").await.room;
    alice.say(&desk, "!available").await;
    alice.wait_for("You are now available").await;

    let mut tokens = tokens(&http, &hs, "alice", "alice-password", PAGES + 1).await;
    let seen: Seen = Arc::default();
    let first = sign_in(&http, &server, &tokens.pop().expect("token")).await;
    let _page = follow(http.clone(), server.url("/desk/events"), first, 0, seen.clone());
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Offers: the page's stream and the Matrix card, from one webhook each round.
    let (mut page, mut matrix) = (Vec::new(), Vec::new());
    let mut id = 0;
    for i in 0..ROUNDS {
        tokio::time::sleep(PAUSE).await;
        id += 1;
        let customer = format!("+1555888{i:04}");
        let sent = Instant::now();
        sim.text(&http, &customer, "hello?").await;
        let card = alice.wait_for(&format!("Offer #{id}:")).await.at;
        matrix.push(card.saturating_duration_since(sent));
        page.push(reached(&seen, 0..1, id, sent).await[0]);
        // The customer gives up: the offer ends, Alice is free for the next.
        sim.text(&http, &customer, "STOP").await;
    }
    let (m50, m95) = (percentile(&mut matrix, 50), percentile(&mut matrix, 95));
    let (p50, p95) = (percentile(&mut page, 50), percentile(&mut page, 95));
    println!(
        "agent desktop, one smsdesk on a local Synapse, {ROUNDS} offers, {} ms apart:",
        PAUSE.as_millis()
    );
    println!("  webhook -> offer card in the Matrix desk (baseline): p50 {m50:7.1} ms  p95 {m95:7.1} ms");
    println!("  webhook -> offer in the page's stream:              p50 {p50:7.1} ms  p95 {p95:7.1} ms");
    let ratio = p50 / m50;
    println!(
        "desk: page {ratio:.2}x the Matrix desk at p50, {:.2}x at p95 (target <= {TARGET}: {})",
        p95 / m95,
        if ratio <= TARGET {
            "meets target"
        } else {
            "ABOVE TARGET"
        }
    );

    // 200 pages: memory, and how long one update takes to reach them all.
    let before = rss_kib(pid);
    let mut pages = Vec::new();
    for (n, token) in tokens.iter().enumerate() {
        let cookie = sign_in(&http, &server, token).await;
        pages.push(follow(
            http.clone(),
            server.url("/desk/events"),
            cookie,
            n + 1,
            seen.clone(),
        ));
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = rss_kib(pid);
    let mut all = Vec::new();
    for i in 0..5 {
        tokio::time::sleep(PAUSE).await;
        id += 1;
        let customer = format!("+1555999{i:04}");
        let sent = Instant::now();
        sim.text(&http, &customer, "hello?").await;
        all.extend(reached(&seen, 1..PAGES + 1, id, sent).await);
        sim.text(&http, &customer, "STOP").await;
    }
    let (a50, a99) = (percentile(&mut all, 50), percentile(&mut all, 99));
    println!("{PAGES} signed-in pages at once (5 updates, each to every page):");
    println!(
        "  smsdesk's resident memory: {:.1} MiB before, {:.1} MiB with them ({:+.1} MiB, {:.0} KiB a page)",
        before as f64 / 1024.0,
        after as f64 / 1024.0,
        (after as f64 - before as f64) / 1024.0,
        (after as f64 - before as f64) / PAGES as f64
    );
    println!(
        "  an update reaching every page: p50 {a50:7.1} ms  p99 {a99:7.1} ms (one page alone above: p50 {p50:.1} ms)"
    );
    for p in pages {
        p.abort();
    }
    drop(server);
}
