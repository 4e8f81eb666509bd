//! A real headless browser for the page tests (the wallboard, the desk):
//! Debian's chromium driven through chromedriver, on loopback, stopped
//! when dropped.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::free_port;
use super::process::{kill_child, wait_listening};
use fantoccini::{ClientBuilder, Locator};

/// chromedriver on a free loopback port; stopped when dropped.
pub struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    pub fn start() -> Self {
        let port = free_port();
        let mut child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian package chromium-driver; scripts/test.sh installs it)");
        wait_listening(&mut child, port, Duration::from_secs(20), "chromedriver");
        Self { child, port }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        kill_child(&mut self.child);
    }
}

pub async fn browser(driver: &Driver, profile: &std::path::Path) -> fantoccini::Client {
    let args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,560",
    ]
    .iter()
    .map(|a| (*a).to_owned())
    .chain([format!("--user-data-dir={}", profile.display())])
    .collect::<Vec<_>>();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({ "binary": "/usr/bin/chromium", "args": args }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a chromium session")
}

/// The text of the first element matching `css`, waiting up to `limit` for it to be `want`.
pub async fn wait_text(c: &fantoccini::Client, css: &str, want: &str, limit: Duration) -> Duration {
    let start = Instant::now();
    let what = format!("{css} showing {want:?}");
    super::poll::until(&what, limit, Duration::from_millis(20), async || {
        let text = text_of(c, css).await;
        if text == want {
            return Ok(());
        }
        Err(format!("{text:?}; page: {}", c.source().await.unwrap_or_default()))
    })
    .await;
    start.elapsed()
}

/// The text of the first element matching `css` once `wanted` holds for it
/// (`what`: what the test waits for), within `limit`.
pub async fn wait_text_where(
    c: &fantoccini::Client,
    css: &str,
    what: &str,
    limit: Duration,
    wanted: impl Fn(&str) -> bool,
) -> String {
    super::poll::until(what, limit, Duration::from_millis(50), async || {
        let text = text_of(c, css).await;
        if wanted(&text) {
            Ok(text)
        } else {
            Err(format!("{css} shows {text:?}"))
        }
    })
    .await
}

/// The property `name` of the element `css` selects (it must be there).
pub async fn prop_of(c: &fantoccini::Client, css: &str, name: &str) -> Option<String> {
    c.find(Locator::Css(css)).await.unwrap().prop(name).await.unwrap()
}

/// The attribute `name` of the element `css` selects (it must be there).
pub async fn attr_of(c: &fantoccini::Client, css: &str, name: &str) -> Option<String> {
    c.find(Locator::Css(css)).await.unwrap().attr(name).await.unwrap()
}

/// The text of the first element matching `css` ("" if there is none).
pub async fn text_of(c: &fantoccini::Client, css: &str) -> String {
    match c.find(Locator::Css(css)).await {
        Ok(e) => e.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}
