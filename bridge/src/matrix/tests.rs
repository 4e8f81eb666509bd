//! The Matrix desk's rules in-process, against a mocked homeserver
//! (`mock_homeserver`) and a real engine in a temporary directory: the
//! feed, offer cards and agents' messages, in seconds, without Synapse.
//! The end-to-end tests with a real Synapse are in `bridge/tests/`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use matrix_sdk::authentication::matrix::MatrixSession;
use matrix_sdk::config::SyncSettings;
use matrix_sdk::ruma::{owned_event_id, owned_room_id, owned_user_id, OwnedRoomId};
use matrix_sdk::Client;
use smsdesk_core::setup::{AgentSetup, EntryKind, EntryPoint, QueueSetup};
use smsdesk_core::{AgentId, Command, ConversationId, EntryNumber, InboundSms};
use tokio::task::JoinSet;

use super::inbound::Incoming;
use super::mock_homeserver::{MockHomeserver, Sent};
use super::offer_card::CardLocks;
use super::store::RoomRole;
use super::Bot;
use crate::app::AppState;
use crate::config::{
    AgentConfig, Config, EntryPointConfig, MatrixAuth, MatrixConfig, PluginLimitsConfig, QueueConfig, RouterChoice,
};

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
    }
}

fn alice() -> AgentId {
    AgentId::from("@alice:hs")
}

async fn desk() -> Desk {
    let hs = MockHomeserver::start().await;
    let dir = tempfile::tempdir().expect("tmp");
    let mut queue = QueueSetup::new("billing");
    queue.wrapup_reasons = vec!["Resolved".into()];
    let config = Config {
        file: dir.path().join("smsdesk.toml"),
        storage: dir.path().join("data"),
        listen: "127.0.0.1:0".parse().expect("addr"),
        public_url: "http://127.0.0.1:9".into(),
        max_body: 4096,
        matrix: Some(MatrixConfig {
            homeserver: hs.url.clone(),
            user: owned_user_id!("@smsdesk:hs"),
            auth: MatrixAuth::AccessToken("token".into()),
        }),
        carriers: Vec::new(),
        entry_points: vec![EntryPointConfig {
            key: "entry_points[0]".into(),
            entry: EntryPoint {
                number: EntryNumber::parse(ENTRY).expect("entry"),
                kind: EntryKind::LongCode,
                carrier: "twilio".into(),
                queue: "billing".into(),
                skills: Default::default(),
            },
            send_rate: 1.0,
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
            cache_dir: Some(dir.path().join("cache")),
            ..PluginLimitsConfig::default()
        },
    };
    let app = tokio::task::spawn_blocking(move || crate::app::start(config))
        .await
        .expect("join")
        .expect("app");
    let store = super::open_store(&app).await.expect("bot store");
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
    store.set_desk_room(&alice(), &owned_room_id!("!desk-alice:hs"));
    store.set_desk_room(&AgentId::from("@bob:hs"), &owned_room_id!("!desk-bob:hs"));
    let bot = Arc::new(Bot {
        client,
        app: app.clone(),
        store,
        me: owned_user_id!("@smsdesk:hs"),
        cards: CardLocks::default(),
        tasks: Mutex::new(JoinSet::new()),
        missing_agents: Mutex::default(),
    });
    Desk {
        hs,
        app,
        bot,
        _dir: dir,
    }
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

    async fn next_seq(&self) -> u64 {
        self.app.read(|e| e.state().counters.next_seq).await.expect("engine")
    }
}

fn bodies(sent: &[Sent], room: &str) -> Vec<String> {
    sent.iter()
        .filter(|s| s.room == room && s.kind == "m.room.message")
        .map(|s| s.body().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_feed_shows_an_event_once_with_a_transaction_id_from_the_event() {
    let d = desk().await;
    d.run(Command::SetAvailable { agent: alice() }).await;
    d.start_feed();
    let sent =
        d.hs.wait_for("the status notice", |s| {
            bodies(s, ALICE_DESK).contains(&"You are now available.".to_owned())
        })
        .await;
    let notice = sent
        .iter()
        .find(|s| s.body() == "You are now available.")
        .expect("sent");
    let at = d
        .app
        .read(|e| smsdesk_core::store::layout::events_from(e.store(), 0, 1))
        .await
        .expect("engine")
        .expect("log")[0]
        .at;
    assert_eq!(
        notice.txn,
        format!("smsdesk.{}.0.{}.status", d.app.store_identity, at.0)
    );
    assert_eq!(notice.content["msgtype"], "m.notice");
    // The cursor is saved past it.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while d.bot.store.cursor().expect("cursor") < 1 {
        assert!(tokio::time::Instant::now() < deadline, "the cursor never moved");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Showing the same event again sends the same request.
    let record = d
        .app
        .read(|e| smsdesk_core::store::layout::events_from(e.store(), 0, 1))
        .await
        .expect("engine")
        .expect("log");
    d.bot.show(&record[0]).await.expect("shown");
    let again: Vec<Sent> =
        d.hs.sent()
            .into_iter()
            .filter(|s| s.body() == "You are now available.")
            .collect();
    assert_eq!(again.len(), 2);
    assert_eq!(again[0].txn, again[1].txn, "a repeat is the same request");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_post_is_retried_in_order_and_a_refused_one_skipped() {
    let d = desk().await;
    d.hs.fail_next_sends(&[502, 429]);
    d.run(Command::SetAvailable { agent: alice() }).await;
    d.run(Command::SetIdle {
        agent: alice(),
        code: Some("Lunch".into()),
    })
    .await;
    d.start_feed();
    let sent =
        d.hs.wait_for("both notices", |s| bodies(s, ALICE_DESK).len() == 2)
            .await;
    assert_eq!(bodies(&sent, ALICE_DESK)[0], "You are now available.", "kept in order");
    assert!(bodies(&sent, ALICE_DESK)[1].starts_with("You are now idle"));
    // Refused for good (403): skipped, and the feed goes on.
    d.hs.fail_next_sends(&[403]);
    d.run(Command::SetAvailable { agent: alice() }).await;
    d.run(Command::SetOffline { agent: alice() }).await;
    let sent =
        d.hs.wait_for("the notice after the refused one", |s| {
            bodies(s, ALICE_DESK)
                .iter()
                .any(|b| b.starts_with("You are now offline"))
        })
        .await;
    assert_eq!(bodies(&sent, ALICE_DESK).len(), 3, "{:#?}", bodies(&sent, ALICE_DESK));
    let next = d.next_seq().await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while d.bot.store.cursor().expect("cursor") < next {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the cursor did not pass the skipped event"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_offer_card_is_posted_and_edited_with_its_outcome_and_nothing_else() {
    let d = desk().await;
    d.run(Command::SetAvailable { agent: alice() }).await;
    d.start_feed();
    d.customer_texts("SM1", "refund please").await;
    let sent =
        d.hs.wait_for("the offer card", |s| {
            bodies(s, ALICE_DESK).iter().any(|b| b.starts_with("Offer #0"))
        })
        .await;
    let card = bodies(&sent, ALICE_DESK)
        .into_iter()
        .find(|b| b.starts_with("Offer #0"))
        .expect("card");
    for needle in [
        "queue billing",
        "customer +15557770001",
        "to +15550001111 (long code)",
        "!accept 0",
    ] {
        assert!(card.contains(needle), "{card}");
    }
    d.run(Command::Decline {
        agent: alice(),
        conversation: Some(ConversationId(0)),
    })
    .await;
    let sent =
        d.hs.wait_for("the closing edit", |s| {
            s.iter().any(|m| {
                m.content["m.new_content"]["body"]
                    .as_str()
                    .is_some_and(|b| b.ends_with("— declined."))
            })
        })
        .await;
    let edit = sent
        .iter()
        .find(|m| {
            m.content["m.new_content"]["body"]
                .as_str()
                .is_some_and(|b| b.ends_with("— declined."))
        })
        .expect("edit");
    assert_eq!(edit.room, ALICE_DESK);
    assert_eq!(edit.content["m.relates_to"]["rel_type"], "m.replace");
    let fallback = edit.content["body"].as_str().expect("body");
    assert!(
        fallback.starts_with("* Offer #0") && fallback.ends_with("— declined."),
        "{fallback}"
    );
    // The decline is answered by the edit alone: no further notice.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let notices = bodies(&d.hs.sent(), ALICE_DESK);
    assert!(
        notices
            .iter()
            .all(|b| b == "You are now available." || b.starts_with("Offer #0") || b.starts_with("* Offer #0")),
        "{notices:#?}"
    );
}

async fn conversation_room(d: &Desk) -> OwnedRoomId {
    let room = owned_room_id!("!conv:hs");
    d.hs.sync_joined(&["!conv:hs"]);
    d.bot
        .client
        .sync_once(SyncSettings::default().timeout(Duration::ZERO))
        .await
        .expect("sync");
    d.bot.store.set_conversation_room(ConversationId(0), &room);
    room
}

#[tokio::test(flavor = "multi_thread")]
async fn agents_messages_are_relayed_refused_or_left_to_the_feed() {
    let d = desk().await;
    d.customer_texts("SM1", "hello").await;
    d.run(Command::SetAvailable { agent: alice() }).await;
    d.run(Command::Accept {
        agent: alice(),
        conversation: Some(ConversationId(0)),
    })
    .await;
    let room = conversation_room(&d).await;
    assert_eq!(
        d.bot.store.role(&room).expect("role"),
        Some(RoomRole::Conversation(ConversationId(0)))
    );
    let joined = d.bot.room(&room).expect("joined");

    // Someone not on the roster: refused, nothing reaches the engine.
    let mallory = owned_user_id!("@mallory:hs");
    let ev = owned_event_id!("$m1");
    d.bot
        .handle(
            joined.clone(),
            &mallory,
            Incoming::Text("send money".into()),
            ev.clone(),
        )
        .await
        .expect("handled");
    let refusal = d.hs.messages_in("!conv:hs");
    assert_eq!(refusal.len(), 1);
    assert_eq!(
        refusal[0].body(),
        "@mallory:hs is not on the agent roster: nothing was sent."
    );
    assert_eq!(refusal[0].txn, "smsdesk.answer.$m1.answer");

    // Alice's plain text is a reply, carrying where it came from.
    let alice_user = owned_user_id!("@alice:hs");
    d.bot
        .handle(
            joined.clone(),
            &alice_user,
            Incoming::Text("Hi there".into()),
            owned_event_id!("$a1"),
        )
        .await
        .expect("handled");
    let history = d
        .app
        .read(|e| e.history(ConversationId(0)))
        .await
        .expect("engine")
        .expect("history");
    let reply = history.iter().find_map(|r| match &r.event {
        smsdesk_core::Event::ReplyAccepted { body, reference, .. } => Some((body.clone(), reference.clone())),
        _ => None,
    });
    assert_eq!(reply, Some(("Hi there".into(), Some("!conv:hs $a1".into()))));
    assert_eq!(d.hs.messages_in("!conv:hs").len(), 1, "a reply gets no notice");

    // A command that changes something is answered by the feed, not here.
    d.bot
        .handle(
            joined.clone(),
            &alice_user,
            Incoming::Text("!end".into()),
            owned_event_id!("$a2"),
        )
        .await
        .expect("handled");
    assert_eq!(d.hs.messages_in("!conv:hs").len(), 1, "no answer from the handler");
    // A refused one is answered, once per message.
    for _ in 0..2 {
        d.bot
            .handle(
                joined.clone(),
                &alice_user,
                Incoming::Text("!end".into()),
                owned_event_id!("$a3"),
            )
            .await
            .expect("handled");
    }
    let answers: Vec<Sent> = d.hs.messages_in("!conv:hs").into_iter().skip(1).collect();
    assert_eq!(answers.len(), 2);
    assert!(answers[0].body().starts_with("Refused: "), "{}", answers[0].body());
    assert_eq!(answers[0].txn, answers[1].txn, "the same answer to the same message");
    // An edit is refused with a notice.
    d.bot
        .handle(joined, &alice_user, Incoming::Edit, owned_event_id!("$a4"))
        .await
        .expect("handled");
    assert!(d
        .hs
        .messages_in("!conv:hs")
        .last()
        .expect("notice")
        .body()
        .contains("edits do not reach the customer"));
    assert!(
        d.hs.other_calls().is_empty(),
        "unexpected calls: {:?}",
        d.hs.other_calls()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_feed_saves_its_progress_once_per_batch_not_once_per_post() {
    let d = desk().await;
    for _ in 0..10 {
        d.run(Command::SetAvailable { agent: alice() }).await;
        d.run(Command::SetOffline { agent: alice() }).await;
    }
    let syncs_before = d.bot.store.syncs();
    d.start_feed();
    d.hs.wait_for("20 notices", |s| bodies(s, ALICE_DESK).len() == 20).await;
    let next = d.next_seq().await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while d.bot.store.cursor().expect("cursor") < next {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the cursor never reached the end"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let used = d.bot.store.syncs() - syncs_before;
    assert!(used <= 2, "20 posts took {used} durable writes of the bot's store");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_logins_tasks_stop_with_it() {
    struct Flag(Arc<std::sync::atomic::AtomicBool>);
    impl Drop for Flag {
        fn drop(&mut self) {
            self.0.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }
    let d = desk().await;
    let stopped = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = Flag(stopped.clone());
    // A task that would run forever, like an offer card's refresher.
    d.bot.spawn(async move {
        let _flag = flag;
        std::future::pending::<()>().await;
    });
    drop(super::StopOnDrop(d.bot.clone()));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !stopped.load(std::sync::atomic::Ordering::SeqCst) {
        assert!(tokio::time::Instant::now() < deadline, "the login's task outlived it");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_agent_without_an_account_gets_no_desk_room_and_a_warning_once() {
    let d = desk().await;
    for _ in 0..2 {
        d.bot.ensure_desk_rooms().await;
    }
    let missing: Vec<String> = d
        .bot
        .missing_agents
        .lock()
        .expect("lock")
        .iter()
        .map(|a| a.to_string())
        .collect();
    assert_eq!(missing, ["@ghost:hs"]);
    assert_eq!(d.bot.store.desk_room(&AgentId::from("@ghost:hs")).expect("read"), None);
    assert_eq!(d.hs.rooms_created(), 0, "a room for an account that does not exist");
}
