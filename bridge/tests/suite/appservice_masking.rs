//! Masking in appservice mode, against a real Synapse: with
//! `mask_customer_numbers` the customer's ghost has an opaque name, so no
//! member list, sender, room name or topic shows the number, and the
//! homeserver answers about `@sms_<number>` as about a number that never
//! texted. Switching masking on moves a live room to an opaque ghost
//! (also across a crash half-way) and deactivates the number's ghost; a
//! ghost silent past `storage.retention` is deactivated and the customer
//! gets a new one.

use crate::common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::config::server_config;
use common::matrix::{Synapse, User};
use common::*;
use matrix_sdk::ruma::OwnedRoomId;

use super::appservice::write_registration;

const CUSTOMER: &str = "+15557770001";
const NUMBER_GHOST: &str = "@sms_15557770001:localhost";
/// A number that never texted: its ghost's profile is the baseline.
const STRANGER: &str = "@sms_15550009999:localhost";
const MASKED: &str = "+1 555-***-0001";

/// Ways the number could be written where an agent reads.
fn shows_number(text: &str) -> bool {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    digits.contains("5557770001") || text.contains("777-0001")
}

/// An opaque ghost: `sms_` and 24 base32 characters.
fn is_opaque_ghost(user: &str) -> bool {
    let Some(rest) = user.strip_prefix("@sms_").and_then(|r| r.strip_suffix(":localhost")) else {
        return false;
    };
    rest.len() == 24
        && rest
            .bytes()
            .all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b))
}

/// Synapse with smsdesk registered as its appservice, Alice available.
struct Desk {
    _tmp: tempfile::TempDir,
    synapse: Synapse,
    sim: Sim,
    server: Server,
    alice: User,
    desk: OwnedRoomId,
    http: reqwest::Client,
}

impl Desk {
    async fn start(edit: impl Fn(String) -> String) -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let synapse = Synapse::unstarted(tmp.path().join("synapse"), false);
        let (port, sim_port) = (free_port(), free_port());
        let sim = Sim::start(sim_port, port);
        let dir = tmp.path().join("desk");
        std::fs::create_dir_all(&dir).unwrap();
        let api = format!("http://127.0.0.1:{sim_port}");
        let config = edit(server_config(
            port,
            &api,
            Some((&synapse.url(), "mode = \"appservice\"")),
        ));
        std::fs::write(dir.join("smsdesk.toml"), &config).unwrap();
        write_registration(&dir.join("smsdesk.toml"));
        synapse.load_appservice(dir.join("appservice.yaml"));
        synapse.boot();
        synapse.register("alice", "alice-password");
        let server = Server::start_with_config(&dir, port, &config, None);
        let alice = User::login(&synapse.url(), "alice", "alice-password").await;
        let desk = alice.wait_for("This is your smsdesk desk").await.room;
        alice.say(&desk, "!available").await;
        alice.wait_for("You are now available").await;
        Self {
            _tmp: tmp,
            synapse,
            sim,
            server,
            alice,
            desk,
            http: reqwest::Client::new(),
        }
    }

    /// The customer texts, Alice accepts offer `n`: the conversation room.
    async fn conversation(&self, first: &str, n: usize) -> OwnedRoomId {
        self.sim.text(&self.http, CUSTOMER, first).await;
        self.alice.wait_for(&format!("Offer #{n}")).await;
        self.alice.say(&self.desk, &format!("!accept {n}")).await;
        let room = self.alice.wait_for("history so far").await.room;
        self.alice.joined(&room).await;
        room
    }

    /// A client-server GET as Alice.
    async fn get(&self, path: &str) -> (u16, serde_json::Value) {
        let token = self.alice.client.access_token().expect("token");
        let r = self
            .http
            .get(format!("{}{path}", self.synapse.url()))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or_default())
    }

    /// The room's joined members: id → display name.
    async fn members(&self, room: &OwnedRoomId) -> serde_json::Map<String, serde_json::Value> {
        let (status, body) = self
            .get(&format!("/_matrix/client/v3/rooms/{room}/joined_members"))
            .await;
        assert_eq!(status, 200, "{body}");
        body["joined"].as_object().cloned().unwrap_or_default()
    }

    /// What anyone, unauthenticated, learns of `user`'s profile.
    async fn profile(&self, user: &str) -> (u16, serde_json::Value) {
        let r = self
            .http
            .get(format!("{}/_matrix/client/v3/profile/{user}", self.synapse.url()))
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or_default())
    }

    /// What anyone, unauthenticated, learns of whether `localpart` is free.
    async fn available(&self, localpart: &str) -> (u16, serde_json::Value) {
        let r = self
            .http
            .get(format!(
                "{}/_matrix/client/v3/register/available?username={localpart}",
                self.synapse.url()
            ))
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or_default())
    }

    /// Waits (up to 40 s) until the number's ghost's profile reads as a stranger's.
    async fn wait_number_ghost_erased(&self) {
        let deadline = Instant::now() + Duration::from_secs(40);
        loop {
            let (ghost, stranger) = (self.profile(NUMBER_GHOST).await, self.profile(STRANGER).await);
            if ghost == stranger {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the number's ghost still tells: {ghost:?} vs a stranger's {stranger:?}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Waits (up to 40 s) until `ghost` is not a joined member of `room`.
    async fn wait_gone(&self, room: &OwnedRoomId, ghost: &str) {
        let deadline = Instant::now() + Duration::from_secs(40);
        while self.members(room).await.contains_key(ghost) {
            assert!(Instant::now() < deadline, "{ghost} is still in {room}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

fn masking(config: String) -> String {
    config.replace("[supervisor]\n", "[supervisor]\nmask_customer_numbers = true\n")
}

#[tokio::test(flavor = "multi_thread")]
async fn with_masking_no_agent_sees_the_number_and_its_profile_tells_nobody_it_texted() {
    let d = Desk::start(masking).await;
    let room = d.conversation("hello, call me at (555) 777-0001", 1).await;
    d.sim.text(&d.http, CUSTOMER, "it is order 42").await;
    let line = d.alice.wait_for("it is order 42").await;
    assert!(is_opaque_ghost(&line.sender), "{}", line.sender);

    // Nothing Alice saw (card, history, the ghost's lines) names the
    // number, by text or by sender; the card shows it masked.
    assert!(d.alice.wait_for("Offer #1").await.body.contains(MASKED));
    for seen in d.alice.seen() {
        assert!(!shows_number(&seen.body) && !shows_number(&seen.sender), "{seen:?}");
    }
    // The member list: ids and display names.
    let members = d.members(&room).await;
    assert!(members.contains_key(&line.sender), "{members:?}");
    assert!(!members.contains_key(NUMBER_GHOST), "{members:?}");
    for (id, member) in &members {
        assert!(
            !shows_number(id) && !shows_number(&member.to_string()),
            "{id}: {member}"
        );
    }
    assert_eq!(members[&line.sender]["display_name"], MASKED, "{members:?}");
    // The room's name and topic.
    let (_, name) = d
        .get(&format!("/_matrix/client/v3/rooms/{room}/state/m.room.name/"))
        .await;
    assert_eq!(name["name"], format!("{MASKED} · billing"), "{name}");
    let (_, topic) = d
        .get(&format!("/_matrix/client/v3/rooms/{room}/state/m.room.topic/"))
        .await;
    assert!(!shows_number(&topic.to_string()), "{topic}");

    // Anyone may ask the homeserver about @sms_<number>: the answer is
    // the one about a number that never texted.
    let (ghost, stranger) = (d.profile(NUMBER_GHOST).await, d.profile(STRANGER).await);
    assert_eq!(ghost, stranger);
    assert_eq!(ghost.0, 404, "{ghost:?}");
    assert_eq!(
        d.available("sms_15557770001").await,
        d.available("sms_15550009999").await
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn switching_masking_on_moves_the_room_to_an_opaque_ghost_and_deactivates_the_number_one() {
    let mut d = Desk::start(|c| c).await;
    let room = d.conversation("before masking", 1).await;
    d.sim.text(&d.http, CUSTOMER, "still unmasked").await;
    assert_eq!(d.alice.wait_for("still unmasked").await.sender, NUMBER_GHOST);
    assert_eq!(d.profile(NUMBER_GHOST).await.0, 200, "the number's ghost exists");

    // Masking on; smsdesk is killed right after the opaque ghost joined.
    d.server.stop();
    let config = std::fs::read_to_string(&d.server.config).unwrap();
    std::fs::write(&d.server.config, masking(config)).unwrap();
    d.server
        .env
        .push(("SMSDESK_FAILPOINT".into(), "ghost-migration-exit-after-join".into()));
    d.server.spawn();
    assert_eq!(
        d.server.wait_exit(Duration::from_secs(40)),
        Some(137),
        "the failpoint ends smsdesk once the opaque ghost joined"
    );
    d.server.env.clear();
    d.server.spawn();

    // The move is finished: the history again, masked, by the bot …
    let again = d.alice.wait_for("posted again with the customer's number masked").await;
    assert_eq!(again.room, room);
    assert!(again.body.contains("customer: before masking"), "{}", again.body);
    assert_eq!(d.alice.count("posted again with the customer's number masked"), 1);
    // … the number's ghost left; the opaque one is there, named masked.
    d.wait_gone(&room, NUMBER_GHOST).await;
    let members = d.members(&room).await;
    let opaque: Vec<_> = members.keys().filter(|m| is_opaque_ghost(m)).cloned().collect();
    assert_eq!(opaque.len(), 1, "{members:?}");
    assert_eq!(members[&opaque[0]]["display_name"], MASKED);
    // The customer now speaks as the opaque ghost, in the same room.
    d.sim.text(&d.http, CUSTOMER, "after masking").await;
    let line = d.alice.wait_for("after masking").await;
    assert_eq!((&line.sender, &line.room), (&opaque[0], &room));
    // And the number's ghost is deactivated and erased: a stranger's profile.
    d.wait_number_ghost_erased().await;
    assert_eq!(
        d.available("sms_15557770001").await,
        d.available("sms_15550009999").await
    );
    // The room's name, which said the number, says it masked.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let name = d
            .alice
            .client
            .get_room(&room)
            .and_then(|r| r.name())
            .unwrap_or_default();
        if name.starts_with(MASKED) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the room is still named {name:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Replies still reach the customer.
    d.alice.say(&room, "all masked now").await;
    d.sim
        .wait_for_body(&d.http, "all masked now", Duration::from_millis(100))
        .await;
}

/// Sets back when the bot's store (of a stopped server) says `ghost` last spoke.
fn age_ghost(storage: &Path, ghost: &str, by: Duration) {
    use smsdesk_engine::store::{KvStore as _, SledStore, WriteSet};
    let store = SledStore::open(storage.join("matrix")).unwrap();
    let key = format!("ghost-seen/{ghost}");
    let mut record: serde_json::Value =
        serde_json::from_slice(&store.get(key.as_bytes()).unwrap().expect("the ghost's record")).unwrap();
    let last = record["last_active"].as_u64().unwrap();
    record["last_active"] = (last - by.as_millis() as u64).into();
    let mut w = WriteSet::default();
    w.put(key.into_bytes(), serde_json::to_vec(&record).unwrap());
    store.commit(&w).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_ghost_silent_past_the_retention_is_deactivated_and_the_customer_gets_a_new_one() {
    let mut d = Desk::start(|c| {
        masking(c).replace(
            "path = \"data/smsdesk\"\n",
            "path = \"data/smsdesk\"\nretention = \"1d\"\n",
        )
    })
    .await;
    let room = d.conversation("first words", 1).await;
    d.sim.text(&d.http, CUSTOMER, "then silence").await;
    let first = d.alice.wait_for("then silence").await.sender;
    assert!(is_opaque_ghost(&first), "{first}");
    assert_eq!(d.profile(&first).await.0, 200, "the ghost exists");

    // Two days of silence (the retention is one).
    d.server.stop();
    age_ghost(&d.server.storage(), &first, Duration::from_secs(2 * 86_400));
    d.server.spawn();

    // Deactivated and erased: its profile is a stranger's, it left the room.
    let deadline = Instant::now() + Duration::from_secs(40);
    while d.profile(&first).await != d.profile(STRANGER).await {
        assert!(Instant::now() < deadline, "{first} still has a profile");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    d.wait_gone(&room, &first).await;
    // The customer writes again: a new ghost, also opaque, in the same room.
    d.sim.text(&d.http, CUSTOMER, "back again").await;
    let line = d.alice.wait_for("back again").await;
    assert!(is_opaque_ghost(&line.sender) && line.sender != first, "{}", line.sender);
    assert_eq!(line.room, room);
    assert_eq!(d.members(&room).await[&line.sender]["display_name"], MASKED);
}
