//! Matrix latency in both modes, bot (a sync loop) and appservice (pushed
//! transactions, customers as ghosts), each on its own local Synapse and
//! against a baseline measured on that Synapse in the same run; and both
//! again with every room encrypted (Synapse's
//! `encryption_enabled_by_default_for_room_type: all`), the unencrypted
//! figures printed beside them:
//! - baseline: a bare Matrix client sends, a second client receives (in
//!   encrypted rooms, both clients encrypting);
//! - a signed SMS webhook, until the agent's client receives it;
//! - an agent's message, until the carrier simulator has the SMS (the
//!   simulator's own stamp of the request's arrival, not a poll's).
//!
//! The six series take turns, round by round, and every message waits
//! `PAUSE` before it is sent (as people type), so each meets a quiet room and
//! the machine's noise falls on all three alike. A last, informational series
//! sends the agent's messages back to back: each then queues in Synapse
//! behind the bot's delivery reactions to the previous one (Synapse writes a
//! room's events one at a time).
//!
//! Prints p50 and p95 of each and the ratios to the baseline (target <= 1.2).
//! Run: `cargo bench -p smsdesk --bench matrix` (after `bash scripts/build-plugins.sh`
//! and `bash scripts/synapse.sh install`).

#[path = "../tests/suite/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::config::server_config;
use common::matrix::{Synapse, User};
use common::*;
use matrix_sdk::ruma::OwnedRoomId;

const ROUNDS: usize = 40;
/// The ratio to the baseline's p50 each mode must stay within.
const TARGET: f64 = 1.2;
const PAUSE: Duration = Duration::from_millis(250);
/// How often the simulator is asked whether the SMS arrived.
const SIM_POLL: Duration = Duration::from_millis(2);

fn percentiles(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    (ms(v[v.len() / 2]), ms(v[(v.len() * 95 / 100).min(v.len() - 1)]))
}

/// Agent's message until the simulator has it: until the send request
/// arrived there (its wall-clock stamp), not until a poll found it.
async fn agent_to_sms(alice: &User, room: &OwnedRoomId, sim: &Sim, http: &reqwest::Client, text: &str) -> Duration {
    let micros = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_micros()
    };
    let sent = u64::try_from(micros()).expect("micros");
    alice.say(room, text).await;
    let arrived = sim.wait_for_body(http, text, SIM_POLL).await;
    Duration::from_micros(arrived.saturating_sub(sent))
}

/// One mode's Synapse, smsdesk and users, with Alice in a conversation.
struct Desk {
    synapse: Synapse,
    server: Server,
    sim: Sim,
    alice: User,
    echo: User,
    /// Alice's conversation room, and the baseline's room (echo → alice).
    conv: OwnedRoomId,
    room: OwnedRoomId,
    /// What the agent sees of a customer's `text`.
    shown: fn(&str) -> String,
}

impl Desk {
    /// `encrypted`: Synapse encrypts every room (the baseline's too: a
    /// bare encrypted send between two encrypting clients).
    async fn start(tmp: &std::path::Path, appservice: bool, encrypted: bool) -> Self {
        let mut synapse = Synapse::unstarted(tmp.join("synapse"), false);
        if encrypted {
            synapse.encrypt_every_room();
        }
        let (port, sim_port) = (free_port(), free_port());
        let sim = Sim::start(sim_port, port);
        let dir = tmp.join("desk");
        std::fs::create_dir_all(&dir).expect("dir");
        let login = if appservice {
            "mode = \"appservice\""
        } else {
            "password = \"smsdesk-password\""
        };
        let config = server_config(
            port,
            &format!("http://127.0.0.1:{sim_port}"),
            Some((&synapse.url(), login)),
        );
        std::fs::write(dir.join("smsdesk.toml"), &config).expect("config");
        if appservice {
            let out = std::process::Command::new(bin())
                .args(["appservice-registration", "--config"])
                .arg(dir.join("smsdesk.toml"))
                .env("SMSDESK_TEST_TOKEN", TOKEN)
                .output()
                .expect("appservice-registration");
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            synapse.load_appservice(dir.join("appservice.yaml"));
        }
        synapse.boot();
        let users: &[&str] = if appservice {
            &["alice", "echo"]
        } else {
            &["smsdesk", "alice", "echo"]
        };
        for user in users {
            synapse.register(user, &format!("{user}-password"));
        }
        let hs = synapse.url();
        let alice = User::login(&hs, "alice", "alice-password").await;
        let echo = User::login(&hs, "echo", "echo-password").await;
        let server = Server::start_with_config(&dir, port, &config, None);
        let desk = alice.wait_for("This is your smsdesk desk").await.room;
        alice.say(&desk, "!available").await;
        alice.wait_for("You are now available").await;
        let http = reqwest::Client::new();
        sim.text(&http, "+15557770001", "hello").await;
        alice.wait_for("Offer #1").await;
        alice.say(&desk, "!accept 1").await;
        let conv = alice.wait_for("history so far").await.room;
        alice.joined(&conv).await;
        let mut request = matrix_sdk::ruma::api::client::room::create_room::v3::Request::new();
        request.invite = vec![alice.client.user_id().expect("id").to_owned()];
        let room = echo.client.create_room(request).await.expect("room");
        let room = room.room_id().to_owned();
        alice.joined(&room).await;
        Self {
            synapse,
            server,
            sim,
            alice,
            echo,
            conv,
            room,
            // A quote by the bot (or its twin, in encrypted rooms), or the ghost's own message.
            shown: if appservice && !encrypted {
                |t| t.to_owned()
            } else {
                |t| format!("customer: {t}")
            },
        }
    }
}

/// One mode's series.
#[derive(Default)]
struct Series {
    baseline: Vec<Duration>,
    sms_to_agent: Vec<Duration>,
    agent_to_sms: Vec<Duration>,
}

impl Series {
    /// One round: each of the three, `PAUSE` apart.
    async fn round(&mut self, d: &Desk, http: &reqwest::Client, i: usize) {
        tokio::time::sleep(PAUSE).await;
        let text = format!("baseline {i}.");
        let sent = Instant::now();
        d.echo.say(&d.room, &text).await;
        self.baseline.push(d.alice.wait_for(&text).await.at - sent);

        tokio::time::sleep(PAUSE).await;
        let text = format!("customer message {i}.");
        let sent = Instant::now();
        d.sim.text(http, "+15557770001", &text).await;
        self.sms_to_agent
            .push(d.alice.wait_for(&(d.shown)(&text)).await.at - sent);

        tokio::time::sleep(PAUSE).await;
        let text = format!("agent reply {i}.");
        self.agent_to_sms
            .push(agent_to_sms(&d.alice, &d.conv, &d.sim, http, &text).await);
    }

    /// Prints the figures and ratios; the two ratios at p50.
    fn report(self, mode: &str) -> (f64, f64) {
        let (b50, b95) = percentiles(self.baseline);
        let (s50, s95) = percentiles(self.sms_to_agent);
        let (a50, a95) = percentiles(self.agent_to_sms);
        println!("{mode} mode:");
        println!("  baseline client -> client:        p50 {b50:7.1} ms  p95 {b95:7.1} ms");
        println!("  SMS webhook -> agent's client:    p50 {s50:7.1} ms  p95 {s95:7.1} ms");
        println!(
            "  agent's message -> carrier:       p50 {a50:7.1} ms  p95 {a95:7.1} ms  (until the send request reached the simulator)"
        );
        let verdict = |r: f64| if r <= TARGET { "meets target" } else { "ABOVE TARGET" };
        for (what, p50, p95) in [("sms->agent", s50, s95), ("agent->sms", a50, a95)] {
            println!(
                "matrix {mode}: {what} {:.2}x baseline p50, {:.2}x p95 (target <= {TARGET}: {})",
                p50 / b50,
                p95 / b95,
                verdict(p50 / b50)
            );
        }
        (s50 / b50, a50 / b50)
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let tmp = tempfile::tempdir().expect("tmp");
    let bot = Desk::start(&tmp.path().join("bot"), false, false).await;
    let appservice = Desk::start(&tmp.path().join("appservice"), true, false).await;
    let bot_e2e = Desk::start(&tmp.path().join("bot-e2e"), false, true).await;
    let as_e2e = Desk::start(&tmp.path().join("appservice-e2e"), true, true).await;
    let http = reqwest::Client::new();

    // Round by round, every mode in turn, so the machine's noise falls on each alike.
    let (mut bot_series, mut as_series) = (Series::default(), Series::default());
    let (mut bot_e2e_series, mut as_e2e_series) = (Series::default(), Series::default());
    for i in 0..ROUNDS {
        bot_series.round(&bot, &http, i).await;
        as_series.round(&appservice, &http, i).await;
        bot_e2e_series.round(&bot_e2e, &http, i).await;
        as_e2e_series.round(&as_e2e, &http, i).await;
    }
    // Informational: the bot mode's replies back to back, each queued in
    // Synapse behind the bot's delivery reactions to the previous one.
    let mut back_to_back = Vec::new();
    for i in 0..ROUNDS {
        let text = format!("agent reply, back to back {i}.");
        back_to_back.push(agent_to_sms(&bot.alice, &bot.conv, &bot.sim, &http, &text).await);
    }
    for mut d in [bot, appservice, bot_e2e, as_e2e] {
        d.server.stop();
        d.synapse.halt();
    }

    println!(
        "Matrix latency, each mode on its own local Synapse, {ROUNDS} rounds, taking turns, {} ms apart:",
        PAUSE.as_millis()
    );
    let (bot_in, bot_out) = bot_series.report("bot");
    let (as_in, as_out) = as_series.report("appservice");
    // Encrypted rooms: each against a bare encrypted send on its Synapse.
    bot_e2e_series.report("bot (encrypted rooms)");
    as_e2e_series.report("appservice (encrypted rooms)");
    let (c50, c95) = percentiles(back_to_back);
    println!("bot mode, agent's messages back to back (info): p50 {c50:7.1} ms  p95 {c95:7.1} ms");
    let faster = |what: &str, bot: f64, appservice: f64| {
        let (winner, ratio) = if appservice < bot {
            ("appservice", bot / appservice)
        } else {
            ("bot", appservice / bot)
        };
        println!("matrix: {what}: {winner} mode is faster ({ratio:.2}x, as ratios to each baseline)");
    };
    faster("sms->agent", bot_in, as_in);
    faster("agent->sms", bot_out, as_out);
}
