//! The Matrix desk's rules in-process, against a mocked homeserver
//! (`mock_homeserver`) and a real engine in a temporary directory, in
//! seconds, without Synapse: `feed` (showing events, retries, saving
//! progress, a login's tasks) and `rooms` (offer cards, agents' messages,
//! desk rooms). This file is the set-up they share. The end-to-end tests
//! with a real Synapse are in `bridge/tests/`.

mod feed;
mod media;
mod mock_homeserver;
mod rooms;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use matrix_sdk::authentication::matrix::MatrixSession;
use matrix_sdk::config::SyncSettings;
use matrix_sdk::ruma::{owned_event_id, owned_room_id, owned_user_id, OwnedRoomId};
use matrix_sdk::Client;
use smsdesk_core::setup::{AgentSetup, EntryKind, EntryPoint, QueueSetup};
use smsdesk_core::{AgentId, Command, ConversationId, EntryNumber, InboundSms};
use tokio::task::JoinSet;

use super::incoming::inbound::Incoming;
use super::store::RoomRole;
use super::texts::offer_card::CardLocks;
use super::Bot;
use crate::app::AppState;
use crate::config::{
    AgentConfig, Config, EntryPointConfig, MatrixAuth, MatrixConfig, PluginLimitsConfig, QueueConfig, RouterChoice,
};
use mock_homeserver::{MockHomeserver, Sent};

const ENTRY: &str = "+15550001111";
const ALICE_DESK: &str = "!desk-alice:hs";
const BOB_DESK: &str = "!desk-bob:hs";

struct Desk {
    hs: MockHomeserver,
    app: Arc<AppState>,
    bot: Arc<Bot>,
    _dir: tempfile::TempDir,
}

fn agent(id: &str, name: &str) -> AgentConfig {
    let mut setup = AgentSetup::new(id, &["billing"]);
    setup.name = name.to_owned();
    AgentConfig {
        key: format!("agents.roster[{name}]"),
        user: id.try_into().expect("user id"),
        queues: setup.queues.iter().cloned().collect(),
        setup,
        language: None,
    }
}

fn alice() -> AgentId {
    AgentId::from("@alice:hs")
}

async fn desk() -> Desk {
    desk_with(Vec::new()).await
}

/// A desk whose entry point's carrier "twilio" is the example Twilio
/// plugin (it can send pictures).
async fn desk_with_twilio() -> Desk {
    let plugin = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/plugins/dist/carrier-twilio.wasm");
    assert!(
        plugin.exists(),
        "{} missing: run `bash scripts/build-plugins.sh`",
        plugin.display()
    );
    desk_with(vec![crate::config::CarrierConfig {
        key: "carriers[0]".into(),
        name: "twilio".into(),
        plugin,
        allowed_hosts: vec!["127.0.0.1".into()],
        settings: vec![
            ("account_sid".into(), "AC00000000000000000000000000000000".into()),
            ("api_base".into(), "http://127.0.0.1:9".into()),
        ],
        secrets: vec![("auth_token".into(), "token".into())],
        media_auth: None,
    }])
    .await
}

async fn desk_with(carriers: Vec<crate::config::CarrierConfig>) -> Desk {
    let hs = MockHomeserver::start().await;
    let dir = tempfile::tempdir().expect("tmp");
    let config = desk_config(dir.path(), &hs.url, carriers);
    let app = tokio::task::spawn_blocking(move || crate::app::start(config))
        .await
        .expect("join")
        .expect("app");
    let store = super::open_store(&app).await.expect("bot store");
    let client = signed_in(&hs).await;
    store.set_desk_room(&alice(), &owned_room_id!("!desk-alice:hs"));
    store.set_desk_room(&AgentId::from("@bob:hs"), &owned_room_id!("!desk-bob:hs"));
    let bot = Arc::new(Bot {
        client,
        twin: None,
        app: app.clone(),
        store,
        me: owned_user_id!("@smsdesk:hs"),
        cards: CardLocks::default(),
        tasks: Mutex::new(JoinSet::new()),
        missing_agents: Mutex::default(),
        http: crate::media::fetch::client(),
        adoption: Mutex::default(),
        made: Mutex::default(),
    });
    Desk {
        hs,
        app,
        bot,
        _dir: dir,
    }
}

/// One entry point to queue "billing" (wrap-up "Resolved"), Alice, Bob and
/// Ghost on the roster, the bot at the mock homeserver `hs_url`.
fn desk_config(dir: &std::path::Path, hs_url: &str, carriers: Vec<crate::config::CarrierConfig>) -> Config {
    let mut queue = QueueSetup::new("billing");
    queue.wrapup_reasons = vec!["Resolved".into()];
    Config {
        file: dir.join("smsdesk.toml"),
        storage: dir.join("data"),
        backend: crate::storage::Backend::Sled { cache_mib: 8 },
        compliance: Default::default(),
        supervisors: Vec::new(),
        supervisor: Default::default(),
        canned: Vec::new(),
        desk: Default::default(),
        retention: None,
        dead_letters_max_mib: 256,
        listen: "127.0.0.1:0".parse().expect("addr"),
        public_url: "http://127.0.0.1:9".into(),
        max_body: 4096,
        media_lifetime: std::time::Duration::from_secs(3600),
        matrix: Some(MatrixConfig {
            homeserver: hs_url.to_owned(),
            user: owned_user_id!("@smsdesk:hs"),
            auth: MatrixAuth::AccessToken("token".into()),
            adopt_account: false,
            encryption: false,
            recovery_key: None,
            language: Default::default(),
        }),
        carriers,
        entry_points: vec![EntryPointConfig {
            key: "entry_points[0]".into(),
            entry: EntryPoint {
                number: EntryNumber::parse(ENTRY).expect("entry"),
                kind: EntryKind::LongCode,
                carrier: "twilio".into(),
                queue: "billing".into(),
                skills: Default::default(),
                keywords: smsdesk_core::keywords::KeywordMode::Carrier,
                intake_timeout: None,
            },
            send_rate: 1.0,
            intake: None,
        }],
        queues: vec![QueueConfig {
            key: "queues[0]".into(),
            setup: queue,
            router: RouterChoice::LongestAvailable,
            router_settings: Vec::new(),
        }],
        idle_codes: vec!["Lunch".into()],
        roster: vec![
            agent("@alice:hs", "Alice"),
            agent("@bob:hs", "Bob"),
            agent("@ghost:hs", "Ghost"),
        ],
        plugins: PluginLimitsConfig {
            // Shared by every run: a plugin is compiled once.
            cache_dir: Some(std::env::temp_dir().join("smsdesk-matrix-tests-plugin-cache")),
            ..PluginLimitsConfig::default()
        },
    }
}

/// The bot's client, signed in at `hs` and synced once (Alice's and Bob's
/// desks joined).
async fn signed_in(hs: &MockHomeserver) -> Client {
    let client = Client::builder().homeserver_url(&hs.url).build().await.expect("client");
    let session = MatrixSession {
        meta: matrix_sdk::SessionMeta {
            user_id: owned_user_id!("@smsdesk:hs"),
            device_id: "BOT".into(),
        },
        tokens: matrix_sdk::SessionTokens {
            access_token: "token".into(),
            refresh_token: None,
        },
    };
    client
        .matrix_auth()
        .restore_session(session, Default::default())
        .await
        .expect("session");
    hs.sync_joined(&[ALICE_DESK, BOB_DESK]);
    client
        .sync_once(SyncSettings::default().timeout(Duration::ZERO))
        .await
        .expect("sync");
    client
}

impl Desk {
    async fn run(&self, command: Command) {
        self.app
            .execute(command)
            .await
            .expect("engine")
            .unwrap_or_else(|r| panic!("refused: {r}"));
    }

    async fn customer_texts(&self, sid: &str, body: &str) {
        self.run(Command::ReceiveSms(InboundSms {
            carrier: "twilio".into(),
            carrier_message_id: sid.into(),
            from: "+15557770001".into(),
            to: EntryNumber::parse(ENTRY).expect("entry"),
            body: body.into(),
            media: Vec::new(),
        }))
        .await;
    }

    fn start_feed(&self) {
        self.bot.spawn(self.bot.clone().feed());
    }

    /// Waits (up to 5 s) until the feed's cursor is at least `seq`.
    async fn wait_cursor(&self, seq: u64, what: &str) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while self.bot.store.cursor().expect("cursor") < seq {
            assert!(tokio::time::Instant::now() < deadline, "{what}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    async fn next_seq(&self) -> u64 {
        self.app.read(|e| e.state().counters.next_seq).await.expect("engine")
    }
}

/// Conversation #1's room (`!conv:hs`), joined by the bot after a sync,
/// as the bot's store knows it.
async fn conversation_room(d: &Desk) -> OwnedRoomId {
    let room = owned_room_id!("!conv:hs");
    d.hs.sync_joined(&["!conv:hs"]);
    d.bot
        .client
        .sync_once(SyncSettings::default().timeout(Duration::ZERO))
        .await
        .expect("sync");
    d.bot.store.set_conversation_room(ConversationId(1), &room);
    room
}

fn bodies(sent: &[Sent], room: &str) -> Vec<String> {
    sent.iter()
        .filter(|s| s.room == room && s.kind == "m.room.message")
        .map(|s| s.body().to_owned())
        .collect()
}
