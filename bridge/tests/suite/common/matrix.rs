//! Matrix side of the tests and the Matrix benchmark: a local Synapse
//! (scripts/synapse.sh) and users driven as plain matrix-sdk clients.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use matrix_sdk::config::SyncSettings;
use matrix_sdk::room::Room;
use matrix_sdk::ruma::events::reaction::OriginalSyncReactionEvent;
use matrix_sdk::ruma::events::room::member::StrippedRoomMemberEvent;
use matrix_sdk::ruma::events::room::message::{MessageType, OriginalSyncRoomMessageEvent, RoomMessageEventContent};
use matrix_sdk::ruma::{OwnedEventId, OwnedRoomId};
use matrix_sdk::{Client, RoomState};

use super::{free_port, root};

/// A Synapse from the project's .venv, on 127.0.0.1. Stopped on drop (also
/// when the test fails) by its process id, which does not depend on its
/// directory still existing.
pub struct Synapse {
    dir: PathBuf,
    pub port: u16,
    persistent: bool,
    pid: Mutex<Option<u32>>,
    /// An appservice registration Synapse loads at (every) start.
    appservice: Mutex<Option<PathBuf>>,
    /// Every new room encrypted (`encryption_enabled_by_default_for_room_type: all`).
    encrypted: bool,
    /// More settings, appended to its config (e.g. single sign-on).
    extra: Option<String>,
}

impl Synapse {
    /// In-memory database: fastest, gone when it stops.
    pub fn start(dir: PathBuf) -> Self {
        Self::boot_new(dir, false)
    }

    /// File database, so it can be stopped (`halt`) and started again (`boot`).
    pub fn start_persistent(dir: PathBuf) -> Self {
        Self::boot_new(dir, true)
    }

    /// Like `start_persistent`, with every new room encrypted, as
    /// organisations configure Synapse
    /// (`encryption_enabled_by_default_for_room_type: all`).
    pub fn start_encrypted(dir: PathBuf) -> Self {
        let mut s = Self::unstarted(dir, true);
        s.encrypt_every_room();
        s.boot();
        s
    }

    /// Every room made from its next start on is encrypted
    /// (`encryption_enabled_by_default_for_room_type: all`).
    pub fn encrypt_every_room(&mut self) {
        self.encrypted = true;
    }

    fn boot_new(dir: PathBuf, persistent: bool) -> Self {
        let s = Self::unstarted(dir, persistent);
        s.boot();
        s
    }

    /// Its port chosen, not started yet (`boot` starts it): for a config
    /// that must name its URL before it runs.
    pub fn unstarted(dir: PathBuf, persistent: bool) -> Self {
        Self {
            dir,
            port: free_port(),
            persistent,
            pid: Mutex::new(None),
            appservice: Mutex::new(None),
            encrypted: false,
            extra: None,
        }
    }

    /// These settings (YAML) too, from its next start on.
    pub fn configure(&mut self, yaml: &str) {
        self.extra = Some(yaml.to_owned());
    }

    /// Loads this appservice registration from its next start on.
    pub fn load_appservice(&self, registration: PathBuf) {
        *self.appservice.lock().expect("appservice") = Some(registration);
    }

    fn script(&self, args: &[&str]) -> std::process::Output {
        let mut command = std::process::Command::new("bash");
        if let Some(registration) = &*self.appservice.lock().expect("appservice") {
            command.env("SYNAPSE_APP_SERVICE", registration);
        }
        if self.encrypted {
            command.env("SYNAPSE_ENCRYPTION", "all");
        }
        // No user directory or room statistics: unused here, and costly.
        command.env("SYNAPSE_FOR_TESTS", "1");
        if let Some(yaml) = &self.extra {
            std::fs::create_dir_all(&self.dir).expect("synapse dir");
            let file = self.dir.join("extra.yaml");
            std::fs::write(&file, yaml).expect("extra settings");
            command.env("SYNAPSE_EXTRA", file);
        }
        command
            .arg(root().join("scripts/synapse.sh"))
            .args(args)
            .env(super::process::MARK, super::process::mark())
            .output()
            .expect("running scripts/synapse.sh")
    }

    pub fn boot(&self) {
        let (dir, port) = (self.dir.to_str().expect("dir"), self.port.to_string());
        let mut args = vec!["start", dir, &port];
        if self.persistent {
            args.push("sqlite");
        }
        let out = self.script(&args);
        assert!(
            out.status.success(),
            "synapse did not start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let pid = String::from_utf8_lossy(&out.stdout).trim().parse().ok();
        *self.pid.lock().expect("pid") = pid;
    }

    /// Stops it and waits until the process is gone and the port is free.
    pub fn halt(&self) {
        if let Some(pid) = self.pid.lock().expect("pid").take() {
            super::process::terminate(pid);
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Registers `user` with the shared-secret admin API.
    pub fn register(&self, user: &str, password: &str) {
        let port = self.port.to_string();
        let out = self.script(&["register", self.dir.to_str().expect("dir"), &port, user, password]);
        assert!(
            out.status.success(),
            "register {user}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Synapse {
    fn drop(&mut self) {
        self.halt();
    }
}

/// Something a user saw: a message (text or notice), or a reaction, whose
/// `body` is `reaction <key> on <event id>`.
#[derive(Clone, Debug)]
pub struct Seen {
    pub room: OwnedRoomId,
    pub sender: String,
    pub event_id: OwnedEventId,
    pub body: String,
    /// The HTML body (`formatted_body`), when the message has one.
    pub html: Option<String>,
    pub at: Instant,
}

/// An unencrypted attachment's `mxc://` URI.
fn mxc(source: &matrix_sdk::ruma::events::room::MediaSource) -> String {
    match source {
        matrix_sdk::ruma::events::room::MediaSource::Plain(uri) => uri.to_string(),
        matrix_sdk::ruma::events::room::MediaSource::Encrypted(file) => file.url.to_string(),
    }
}

/// A Matrix user driven by a test: joins every invitation, records
/// everything it sees, syncs in its own loop.
#[derive(Clone)]
pub struct User {
    pub client: Client,
    seen: Arc<Mutex<Vec<Seen>>>,
    /// Whether invitations are joined at once (on by default).
    pub auto_join: Arc<std::sync::atomic::AtomicBool>,
}

impl User {
    pub async fn login(homeserver: &str, user: &str, password: &str) -> Self {
        let client = Client::builder()
            .homeserver_url(homeserver)
            .build()
            .await
            .expect("client");
        client
            .matrix_auth()
            .login_username(user, password)
            .send()
            .await
            .expect("login");
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let record = |seen: &Arc<Mutex<Vec<Seen>>>,
                      room: &Room,
                      sender: String,
                      event_id: OwnedEventId,
                      body: String,
                      html: Option<String>| {
            seen.lock().expect("seen").push(Seen {
                room: room.room_id().to_owned(),
                sender,
                event_id,
                body,
                html,
                at: Instant::now(),
            });
        };
        let s = seen.clone();
        client.add_event_handler(move |ev: OriginalSyncRoomMessageEvent, room: Room| {
            let body = match &ev.content.msgtype {
                MessageType::Text(t) => Some((t.body.clone(), t.formatted.as_ref().map(|f| f.body.clone()))),
                MessageType::Notice(n) => Some((n.body.clone(), n.formatted.as_ref().map(|f| f.body.clone()))),
                // Attachments as "m.image <file name> <mxc>" (the same for m.file).
                MessageType::Image(i) => Some((format!("m.image {} {}", i.filename(), mxc(&i.source)), None)),
                MessageType::File(f) => Some((format!("m.file {} {}", f.filename(), mxc(&f.source)), None)),
                _ => None,
            };
            if let Some((body, html)) = body {
                record(&s, &room, ev.sender.to_string(), ev.event_id.clone(), body, html);
            }
            async {}
        });
        let s = seen.clone();
        client.add_event_handler(move |ev: OriginalSyncReactionEvent, room: Room| {
            let r = &ev.content.relates_to;
            record(
                &s,
                &room,
                ev.sender.to_string(),
                ev.event_id.clone(),
                format!("reaction {} on {}", r.key, r.event_id),
                None,
            );
            async {}
        });
        let auto_join = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let join = auto_join.clone();
        client.add_event_handler(move |ev: StrippedRoomMemberEvent, room: Room, client: Client| {
            let join = join.load(std::sync::atomic::Ordering::SeqCst);
            async move {
                if join && Some(ev.state_key.as_ref()) == client.user_id() {
                    tokio::spawn(async move {
                        for _ in 0..50 {
                            if room.join().await.is_ok() {
                                return;
                            }
                            tokio::time::sleep(Duration::from_millis(100)).await;
                        }
                    });
                }
            }
        });
        let c = client.clone();
        tokio::spawn(async move {
            let mut settings = SyncSettings::default().timeout(Duration::from_secs(2));
            loop {
                match c.sync_once(settings.clone()).await {
                    Ok(r) => settings = settings.token(r.next_batch),
                    Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
                }
            }
        });
        Self {
            client,
            seen,
            auto_join,
        }
    }

    /// Everything seen so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("seen").clone()
    }

    /// How many things seen so far contain `needle`.
    pub fn count(&self, needle: &str) -> usize {
        self.seen
            .lock()
            .expect("seen")
            .iter()
            .filter(|s| s.body.contains(needle))
            .count()
    }

    /// Waits (up to 40 s) for something containing `needle`.
    pub async fn wait_for(&self, needle: &str) -> Seen {
        self.wait_for_nth(needle, 1).await
    }

    /// Waits (up to 40 s) for the `n`th thing containing `needle`.
    pub async fn wait_for_nth(&self, needle: &str, n: usize) -> Seen {
        let deadline = Instant::now() + Duration::from_secs(40);
        loop {
            if let Some(s) = self
                .seen
                .lock()
                .expect("seen")
                .iter()
                .filter(|s| s.body.contains(needle))
                .nth(n - 1)
            {
                return s.clone();
            }
            assert!(
                Instant::now() < deadline,
                "{} saw nothing containing {needle:?}; saw: {:#?}",
                self.client.user_id().map(ToString::to_string).unwrap_or_default(),
                self.seen()
            );
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }

    /// Waits (up to 30 s) until the room's state here is one of `wanted`
    /// (`None`: unknown to the client); returns the room if known.
    async fn wait_state(&self, room: &OwnedRoomId, wanted: &[Option<RoomState>], what: &str) -> Option<Room> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let r = self.client.get_room(room);
            let state = r.as_ref().map(|r| r.state());
            if wanted.contains(&state) {
                return r;
            }
            assert!(
                Instant::now() < deadline,
                "{what} {room}: {state:?}; saw {:#?}",
                self.seen()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The room, once this user has joined it (up to 30 s).
    pub async fn joined(&self, room: &OwnedRoomId) -> Room {
        let r = self.wait_state(room, &[Some(RoomState::Joined)], "never joined").await;
        r.expect("a joined room is known")
    }

    /// Waits (up to 30 s) until this user is invited to the room.
    pub async fn wait_invited(&self, room: &OwnedRoomId) -> Room {
        let r = self
            .wait_state(room, &[Some(RoomState::Invited)], "never invited to")
            .await;
        r.expect("an invited room is known")
    }

    /// Waits (up to 30 s) until this user is out of the room (left or removed).
    pub async fn wait_out_of(&self, room: &OwnedRoomId) {
        // matrix-sdk forgets a room whose invitation was rejected: None is out too.
        self.wait_state(room, &[None, Some(RoomState::Left)], "still in").await;
    }

    /// Sends plain text once joined; returns the event id.
    pub async fn say(&self, room: &OwnedRoomId, text: &str) -> OwnedEventId {
        self.send(room, RoomMessageEventContent::text_plain(text)).await
    }

    /// Reacts to `event` with `key` once joined; returns the reaction's event id.
    pub async fn react(&self, room: &OwnedRoomId, event: &OwnedEventId, key: &str) -> OwnedEventId {
        use matrix_sdk::ruma::events::reaction::ReactionEventContent;
        use matrix_sdk::ruma::events::relation::Annotation;
        let content = ReactionEventContent::new(Annotation::new(event.clone(), key.to_owned()));
        self.joined(room)
            .await
            .send(content)
            .await
            .expect("react")
            .response
            .event_id
    }

    /// Sends any message once joined; returns the event id.
    pub async fn send(&self, room: &OwnedRoomId, content: RoomMessageEventContent) -> OwnedEventId {
        self.joined(room)
            .await
            .send(content)
            .await
            .expect("send")
            .response
            .event_id
    }
}

/// The display names of `user`'s devices (sessions; "" for none), the
/// one this logs in with (and out again) included.
pub async fn devices(homeserver: &str, user: &str, password: &str) -> Vec<String> {
    let http = reqwest::Client::new();
    let access = login(&http, homeserver, user, password).await.0;
    let devices: serde_json::Value = http
        .get(format!("{homeserver}/_matrix/client/v3/devices"))
        .bearer_auth(&access)
        .send()
        .await
        .expect("devices")
        .json()
        .await
        .expect("devices answer");
    logout(&http, homeserver, &access).await;
    devices["devices"]
        .as_array()
        .expect("a device list")
        .iter()
        .map(|d| d["display_name"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Logs `user` in with the client API: (access token, user id).
pub async fn login(http: &reqwest::Client, homeserver: &str, user: &str, password: &str) -> (String, String) {
    let login: serde_json::Value = http
        .post(format!("{homeserver}/_matrix/client/v3/login"))
        .json(&serde_json::json!({
            "type": "m.login.password",
            "identifier": {"type": "m.id.user", "user": user},
            "password": password,
        }))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("login answer");
    (
        login["access_token"].as_str().expect("an access token").to_owned(),
        login["user_id"].as_str().expect("a user id").to_owned(),
    )
}

async fn logout(http: &reqwest::Client, homeserver: &str, access: &str) {
    let out = http
        .post(format!("{homeserver}/_matrix/client/v3/logout"))
        .bearer_auth(access)
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("logout");
    assert_eq!(out.status(), 200, "logout");
}

/// An OpenID token of `user`, got as the wallboard's sign-in page gets
/// one: log in to the client API, ask for the token, log out again. The
/// homeserver's answer (`access_token`, `matrix_server_name`, …).
pub async fn openid_token(homeserver: &str, user: &str, password: &str) -> serde_json::Value {
    let http = reqwest::Client::new();
    let (access, user_id) = login(&http, homeserver, user, password).await;
    let token: serde_json::Value = http
        .post(format!(
            "{homeserver}/_matrix/client/v3/user/{user_id}/openid/request_token"
        ))
        .bearer_auth(&access)
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("request_token")
        .json()
        .await
        .expect("request_token answer");
    assert!(token["access_token"].is_string(), "no OpenID token: {token}");
    logout(&http, homeserver, &access).await;
    token
}
