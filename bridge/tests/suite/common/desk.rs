//! One agent at work, for end-to-end tests: Synapse, the simulator and
//! `smsdesk run`, with Alice available and (optionally) in a conversation
//! with +15557770001.

use std::path::Path;

use super::matrix::{Synapse, User};
use super::{free_port, Server, Sim};

/// Synapse, the simulator and smsdesk, with Alice (alone on the roster's
/// Matrix accounts) available and in a conversation with +15557770001.
pub struct AliceAtWork {
    pub _tmp: tempfile::TempDir,
    pub _synapse: Synapse,
    pub sim: Sim,
    pub server: Server,
    pub alice: User,
    pub desk: matrix_sdk::ruma::OwnedRoomId,
    pub room: matrix_sdk::ruma::OwnedRoomId,
    pub http: reqwest::Client,
}

impl AliceAtWork {
    pub async fn start() -> Self {
        Self::boot("8s", true).await
    }

    /// Only up to the offer (not accepted; `room` is then her desk room),
    /// with this offer timeout.
    pub async fn offered(offer_timeout: &str) -> Self {
        Self::boot(offer_timeout, false).await
    }

    pub async fn boot(offer_timeout: &str, accept: bool) -> Self {
        let timeout = offer_timeout.to_owned();
        Self::boot_with(
            move |config| config.replace("offer_timeout = \"8s\"", &format!("offer_timeout = \"{timeout}\"")),
            offer_timeout != "8s",
            accept,
            &[],
        )
        .await
    }

    /// Boots with the config changed by `edit` (when `edited`), before
    /// Alice is available, and these `users` registered too (name, password);
    /// `accept` as in `boot`.
    pub async fn boot_with(
        edit: impl Fn(String) -> String,
        edited: bool,
        accept: bool,
        users: &[(&str, &str)],
    ) -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let synapse = Synapse::start(tmp.path().join("synapse"));
        synapse.register("smsdesk", "bot-password");
        synapse.register("alice", "alice-password");
        for (user, password) in users {
            synapse.register(user, password);
        }
        let (port, sim_port) = (free_port(), free_port());
        let sim = Sim::start(sim_port, port);
        let dir = tmp.path().join("desk");
        std::fs::create_dir_all(&dir).unwrap();
        let mut server = Server::start_with_matrix(&dir, port, &format!("http://127.0.0.1:{sim_port}"), &synapse.url());
        if edited {
            server.stop();
            let config = std::fs::read_to_string(&server.config).unwrap();
            std::fs::write(&server.config, edit(config)).unwrap();
            server.spawn();
        }
        let alice = User::login(&synapse.url(), "alice", "alice-password").await;
        let desk = alice.wait_for("This is your smsdesk desk").await.room;
        alice.say(&desk, "!available").await;
        let http = reqwest::Client::new();
        sim.text(&http, "+15557770001", "hi").await;
        alice.wait_for("Offer #1").await;
        let room = if accept {
            alice.say(&desk, "!accept 1").await;
            let room = alice.wait_for("history so far").await.room;
            alice.joined(&room).await;
            room
        } else {
            desk.clone()
        };
        Self {
            _tmp: tmp,
            _synapse: synapse,
            sim,
            server,
            alice,
            desk,
            room,
            http,
        }
    }
}

impl AliceAtWork {
    /// Restarts smsdesk with its config changed by `edit` (e.g. more wrap-up reasons).
    pub fn reconfigure(&mut self, edit: impl Fn(String) -> String) {
        self.server.stop();
        let config = std::fs::read_to_string(&self.server.config).unwrap();
        std::fs::write(&self.server.config, edit(config)).unwrap();
        self.server.spawn();
    }

    pub fn dir(&self) -> &Path {
        self._tmp.path()
    }
}
