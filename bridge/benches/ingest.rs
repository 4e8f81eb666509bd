//! Signed-webhook ingest through the real server, against baselines measured
//! in the same run on the same machine:
//! - a trivial axum handler (HTTP cost alone);
//! - raw `write` + `fdatasync` of 300-byte records (disk cost alone).
//!
//! Runs `smsdesk run` (release build) and sends Twilio-signed inbound
//! webhooks from 32 concurrent connections over loopback, for a bounded
//! time and count. Prints throughput, p50 and p99, and the ratios.
//!
//! Run: `cargo bench -p smsdesk --bench ingest` (after `bash scripts/build-plugins.sh`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use hmac::Mac;

const CONNECTIONS: usize = 32;
const RUN_FOR: Duration = Duration::from_secs(4);
const MAX_REQUESTS: usize = 200_000;
const TOKEN: &str = "bench-token";
const ENTRY: &str = "+15550001111";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

fn sign(url: &str, params: &[(String, String)]) -> String {
    let mut sorted = params.to_vec();
    sorted.sort();
    let mut data = url.to_owned();
    for (k, v) in &sorted {
        data.push_str(k);
        data.push_str(v);
    }
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(TOKEN.as_bytes()).expect("key");
    mac.update(data.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

struct Stats {
    per_sec: f64,
    p50: Duration,
    p99: Duration,
}

/// Drives `make(i)` requests from CONNECTIONS tasks until RUN_FOR or MAX_REQUESTS.
async fn load(make: Arc<dyn Fn(usize) -> reqwest::RequestBuilder + Send + Sync>) -> Stats {
    let counter = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CONNECTIONS {
        let (make, counter) = (make.clone(), counter.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= MAX_REQUESTS || start.elapsed() >= RUN_FOR {
                    break;
                }
                let t = Instant::now();
                let r = make(i).send().await.expect("request");
                assert!(r.status().is_success(), "status {}", r.status());
                let _ = r.bytes().await;
                latencies.push(t.elapsed());
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("task"));
    }
    let elapsed = start.elapsed();
    all.sort();
    let pct = |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)];
    Stats {
        per_sec: all.len() as f64 / elapsed.as_secs_f64(),
        p50: pct(0.50),
        p99: pct(0.99),
    }
}

fn raw_fdatasync(dir: &Path) -> f64 {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("raw.log"))
        .expect("open");
    let record = [b'x'; 300];
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_secs(2) {
        f.write_all(&record).expect("write");
        f.sync_data().expect("fdatasync");
        n += 1;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn start_smsdesk(dir: &Path, port: u16) -> Child {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let plugin = root.join("examples/plugins/dist/carrier-twilio.wasm");
    assert!(plugin.exists(), "run `bash scripts/build-plugins.sh` first");
    let config = dir.join("smsdesk.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[storage]
path = "data/smsdesk"
[http]
listen = "127.0.0.1:{port}"
public_url = "http://127.0.0.1:{port}"
[[carriers]]
name = "twilio"
plugin = "{plugin}"
allowed_hosts = ["127.0.0.1"]
[carriers.config]
account_sid = "AC00000000000000000000000000000000"
auth_token = "{TOKEN}"
[[entry_points]]
number = "{ENTRY}"
kind = "long-code"
carrier = "twilio"
queue = "billing"
[[queues]]
name = "billing"
"#,
            plugin = plugin.display()
        ),
    )
    .expect("config");
    let child = Command::new(env!("CARGO_BIN_EXE_smsdesk"))
        .args(["run", "--config"])
        .arg(&config)
        .env("SMSDESK_LOG", "error")
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn smsdesk");
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "smsdesk did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    child
}

fn main() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-ingest");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONNECTIONS)
        .build()
        .expect("client");

    // Baseline 1: a trivial axum handler on the same machine.
    let trivial = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let app = axum::Router::new().route("/", axum::routing::post(|| async { "ok" }));
            let _ = axum::serve(listener, app).await;
        });
        let url = format!("http://{addr}/");
        let client = client.clone();
        load(Arc::new(move |_| client.post(&url).body("x=1"))).await
    });

    // Baseline 2: raw write + fdatasync.
    let raw = raw_fdatasync(&dir);

    // smsdesk: signed inbound webhooks, each durably stored before the 200.
    let port = free_port();
    let mut child = start_smsdesk(&dir, port);
    let url = format!("http://127.0.0.1:{port}/webhooks/twilio/inbound");
    let ingest = runtime.block_on(async {
        let client = client.clone();
        load(Arc::new(move |i| {
            let params: Vec<(String, String)> = vec![
                ("AccountSid".into(), "AC00000000000000000000000000000000".into()),
                ("Body".into(), "Hi, I was charged twice for my October bill".into()),
                ("From".into(), format!("+1555{:07}", i % 5000)),
                ("MessageSid".into(), format!("SM{i:032}")),
                ("NumMedia".into(), "0".into()),
                ("To".into(), ENTRY.into()),
            ];
            let body = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(&params)
                .finish();
            client
                .post(&url)
                .header("content-type", "application/x-www-form-urlencoded")
                .header("x-twilio-signature", sign(&url, &params))
                .body(body)
        }))
        .await
    });
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);

    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "signed Twilio webhook ingest, {CONNECTIONS} connections over loopback, {} s:",
        RUN_FOR.as_secs()
    );
    println!(
        "  trivial axum handler:       {:>9.0} req/s  p50 {:.2} ms  p99 {:.2} ms",
        trivial.per_sec,
        ms(trivial.p50),
        ms(trivial.p99)
    );
    println!("  raw write+fdatasync:        {raw:>9.0} /s");
    println!("  smsdesk (verify, parse, durable commit, answer):");
    println!(
        "                              {:>9.0} req/s  p50 {:.2} ms  p99 {:.2} ms",
        ingest.per_sec,
        ms(ingest.p50),
        ms(ingest.p99)
    );
    println!(
        "ingest: {:.2}x raw write+fdatasync, {:.2}x a trivial axum handler",
        ingest.per_sec / raw,
        ingest.per_sec / trivial.per_sec
    );
}
