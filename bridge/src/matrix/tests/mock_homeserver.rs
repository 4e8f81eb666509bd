//! A mocked homeserver for the Matrix desk's in-process tests (axum, on
//! 127.0.0.1:0): it answers the client-server calls the bot makes, records
//! every event sent (room, type, transaction id, content), answers a
//! repeated transaction id with the first event id (as Synapse does), can
//! fail the next sends with given statuses, serves scripted syncs, and
//! serves files at the media download endpoints (slowly, without a declared
//! length, counting every byte it streamed).
//! Unknown calls get 404 `M_UNRECOGNIZED` and are recorded.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde_json::{json, Value};

/// One event the bot sent.
#[derive(Clone, Debug)]
pub struct Sent {
    pub room: String,
    pub kind: String,
    pub txn: String,
    pub content: Value,
}

impl Sent {
    pub fn body(&self) -> &str {
        self.content["body"].as_str().unwrap_or_default()
    }
}

#[derive(Debug, Default)]
struct Inner {
    /// Every send request that was answered 200, repeats included.
    sent: Vec<Sent>,
    event_ids: BTreeMap<(String, String), String>,
    fail_sends: VecDeque<u16>,
    syncs: VecDeque<Value>,
    next: u64,
    rooms_created: usize,
    other: Vec<String>,
    /// Files served for download: media id → size.
    media: BTreeMap<String, u64>,
    /// Media ids asked for, in order.
    downloads: Vec<String>,
    /// Bytes of files streamed so far.
    streamed: Arc<AtomicU64>,
}

#[derive(Clone, Debug)]
pub struct MockHomeserver {
    pub url: String,
    inner: Arc<Mutex<Inner>>,
}

type Shared = Arc<Mutex<Inner>>;

fn lock(inner: &Shared) -> std::sync::MutexGuard<'_, Inner> {
    inner.lock().unwrap_or_else(PoisonError::into_inner)
}

impl MockHomeserver {
    pub async fn start() -> Self {
        let inner: Shared = Arc::default();
        let app = Router::new()
            .route("/_matrix/client/versions", get(versions))
            // The mocked rooms are not encrypted (asked before every send).
            .route(
                "/_matrix/client/v3/rooms/{room}/state/m.room.encryption/",
                get(not_encrypted),
            )
            .route(
                "/_matrix/client/v3/rooms/{room}/state/m.room.encryption",
                get(not_encrypted),
            )
            // What a bot with end-to-end encryption asks at start: its
            // keys taken, nobody else's known, no secret storage.
            .route("/_matrix/client/v3/keys/upload", post(keys_upload))
            .route("/_matrix/client/v3/keys/query", post(keys_query))
            .route("/_matrix/client/v3/user/{user}/account_data/{kind}", get(not_encrypted))
            .route("/_matrix/client/v3/sync", get(sync))
            .route("/_matrix/client/v3/rooms/{room}/send/{kind}/{txn}", put(send))
            .route("/_matrix/client/v3/createRoom", post(create_room))
            .route("/_matrix/client/v3/rooms/{room}/invite", post(empty))
            .route("/_matrix/client/v3/rooms/{room}/kick", post(empty))
            .route("/_matrix/client/v3/rooms/{room}/leave", post(empty))
            // Every user has an account except those named @ghost….
            .route("/_matrix/client/v3/profile/{user}", get(profile))
            .route("/_matrix/client/v1/media/download/{server}/{id}", get(download))
            .route("/_matrix/media/v3/download/{server}/{id}", get(download))
            .fallback(unknown)
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { url, inner }
    }

    /// Serves `mxc://hs/<id>`: `size` bytes, with no declared length.
    pub fn serve_media(&self, id: &str, size: u64) {
        lock(&self.inner).media.insert(id.to_owned(), size);
    }

    /// The media ids downloaded so far (asked for), in order.
    pub fn downloads(&self) -> Vec<String> {
        lock(&self.inner).downloads.clone()
    }

    /// Bytes of files streamed so far.
    pub fn streamed(&self) -> u64 {
        lock(&self.inner).streamed.load(Ordering::SeqCst)
    }

    /// Everything sent so far.
    pub fn sent(&self) -> Vec<Sent> {
        lock(&self.inner).sent.clone()
    }

    /// Sent messages (not reactions) in `room`.
    pub fn messages_in(&self, room: &str) -> Vec<Sent> {
        self.sent()
            .into_iter()
            .filter(|s| s.room == room && s.kind == "m.room.message")
            .collect()
    }

    /// The next sends are answered with these statuses, one each.
    pub fn fail_next_sends(&self, statuses: &[u16]) {
        lock(&self.inner).fail_sends.extend(statuses);
    }

    /// The next sync answers with the bot joined to `rooms`.
    pub fn sync_joined(&self, rooms: &[&str]) {
        let join: serde_json::Map<String, Value> = rooms
            .iter()
            .map(|r| {
                (
                    (*r).to_owned(),
                    json!({"timeline": {"events": []}, "state": {"events": []}}),
                )
            })
            .collect();
        self.push_sync(json!({"rooms": {"join": join}}));
    }

    fn push_sync(&self, mut body: Value) {
        let mut inner = lock(&self.inner);
        inner.next += 1;
        body["next_batch"] = json!(format!("s{}", inner.next));
        inner.syncs.push_back(body);
    }

    /// How many rooms the bot created.
    pub fn rooms_created(&self) -> usize {
        lock(&self.inner).rooms_created
    }

    /// Calls the mock does not know, as `METHOD path`.
    pub fn other_calls(&self) -> Vec<String> {
        lock(&self.inner).other.clone()
    }

    /// Waits (up to 10 s) until `check` holds for what was sent.
    pub async fn wait_for(&self, what: &str, check: impl Fn(&[Sent]) -> bool) -> Vec<Sent> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let sent = self.sent();
            if check(&sent) {
                return sent;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "never sent {what}; sent: {sent:#?}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

async fn versions() -> Json<Value> {
    Json(
        json!({"versions": ["v1.1", "v1.2", "v1.3", "v1.4", "v1.5", "v1.6", "v1.7", "v1.8", "v1.9", "v1.10", "v1.11"]}),
    )
}

async fn sync(State(inner): State<Shared>) -> Json<Value> {
    let scripted = lock(&inner).syncs.pop_front();
    match scripted {
        Some(body) => Json(body),
        None => {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let mut inner = lock(&inner);
            inner.next += 1;
            Json(json!({"next_batch": format!("s{}", inner.next)}))
        }
    }
}

async fn send(
    State(inner): State<Shared>,
    Path((room, kind, txn)): Path<(String, String, String)>,
    Json(content): Json<Value>,
) -> Response {
    let mut inner = lock(&inner);
    if let Some(status) = inner.fail_sends.pop_front() {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let errcode = if status == StatusCode::FORBIDDEN {
            "M_FORBIDDEN"
        } else {
            "M_UNKNOWN"
        };
        return (status, Json(json!({"errcode": errcode, "error": "mock refusal"}))).into_response();
    }
    inner.next += 1;
    let fresh = format!("$ev{}", inner.next);
    let event_id = inner
        .event_ids
        .entry((room.clone(), txn.clone()))
        .or_insert(fresh)
        .clone();
    inner.sent.push(Sent {
        room,
        kind,
        txn,
        content,
    });
    Json(json!({"event_id": event_id})).into_response()
}

async fn create_room(State(inner): State<Shared>) -> Json<Value> {
    let mut inner = lock(&inner);
    inner.next += 1;
    inner.rooms_created += 1;
    Json(json!({"room_id": format!("!room{}:hs", inner.next)}))
}

async fn profile(Path(user): Path<String>) -> Response {
    if user.starts_with("@ghost") {
        let body = json!({"errcode": "M_NOT_FOUND", "error": "Profile was not found"});
        return (StatusCode::NOT_FOUND, Json(body)).into_response();
    }
    Json(json!({"displayname": user})).into_response()
}

/// A file in 64 KiB chunks, one every millisecond, with no declared length.
async fn download(State(inner): State<Shared>, Path((_server, id)): Path<(String, String)>) -> Response {
    let (size, streamed) = {
        let mut inner = lock(&inner);
        inner.downloads.push(id.clone());
        (inner.media.get(&id).copied(), inner.streamed.clone())
    };
    let Some(size) = size else {
        let body = json!({"errcode": "M_NOT_FOUND", "error": "no such file"});
        return (StatusCode::NOT_FOUND, Json(body)).into_response();
    };
    const CHUNK: u64 = 64 * 1024;
    let chunks = futures_util::stream::unfold(0u64, move |sent| {
        let streamed = streamed.clone();
        async move {
            if sent >= size {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
            let n = CHUNK.min(size - sent);
            streamed.fetch_add(n, Ordering::SeqCst);
            Some((Ok::<_, std::io::Error>(vec![0u8; n as usize]), sent + n))
        }
    });
    axum::body::Body::from_stream(chunks).into_response()
}

async fn empty() -> Json<Value> {
    Json(json!({}))
}

async fn keys_upload() -> Json<Value> {
    Json(json!({"one_time_key_counts": {"signed_curve25519": 50}}))
}

async fn keys_query() -> Json<Value> {
    Json(json!({"device_keys": {}, "failures": {}}))
}

/// Not found: an unencrypted room's encryption state, account data never set.
async fn not_encrypted() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({"errcode": "M_NOT_FOUND", "error": "Event not found."})),
    )
        .into_response()
}

async fn unknown(State(inner): State<Shared>, method: axum::http::Method, uri: Uri) -> Response {
    lock(&inner).other.push(format!("{method} {}", uri.path()));
    (
        StatusCode::NOT_FOUND,
        Json(json!({"errcode": "M_UNRECOGNIZED", "error": "not mocked"})),
    )
        .into_response()
}
