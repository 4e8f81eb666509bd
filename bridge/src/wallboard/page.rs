//! The wallboard's HTML (maud: escaped by construction), with its style
//! and script inline: nothing comes from anywhere but smsdesk, so it works
//! on a closed network. The script listens to `/supervisor/events`
//! (server-sent events) and rewrites the cells; it never reloads the page.
//! The page says who is signed in and which queues they see, and has the
//! sign-out button. `harden` sets the headers every page of ours gets: a
//! Content-Security-Policy that runs only our own inline script and style
//! (by their SHA-256), no framing, no caching, no referrer to other sites
//! (`same-origin`: with `no-referrer` a browser posts forms with `Origin:
//! null`, which `auth::cross_site` refuses).

use axum::http::{header, HeaderMap, HeaderValue};
use base64::Engine as _;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use sha2::{Digest as _, Sha256};

use super::auth::{Scope, Viewer};
use super::style::{head, STYLE};
use super::view::Board;

const SCRIPT: &str = r#"
function dur(s) {
  if (s === null || s === undefined) return "—";
  if (s < 60) return s + "s";
  if (s < 3600) return Math.floor(s / 60) + "m " + String(s % 60).padStart(2, "0") + "s";
  return Math.floor(s / 3600) + "h " + String(Math.floor((s % 3600) / 60)).padStart(2, "0") + "m";
}
function pct(p) { return p === null || p === undefined ? "—" : Math.round(p * 100) + "%"; }
function agents(a) {
  const parts = Object.entries(a).filter(([, n]) => n > 0).map(([s, n]) => n + " " + s);
  return parts.length ? parts.join(", ") : "none";
}
function cell(row, key, text) {
  const c = row.querySelector('[data-k="' + key + '"]');
  if (c && c.textContent !== text) c.textContent = text;
}
function show(board) {
  for (const q of board.queues) {
    const row = document.querySelector('tr[data-queue="' + CSS.escape(q.queue) + '"]');
    if (!row) continue;
    cell(row, "day", q.day);
    cell(row, "waiting", String(q.waiting));
    cell(row, "longest", dur(q.longest_wait_s));
    cell(row, "agents", agents(q.agents));
    cell(row, "accepted", String(q.accepted));
    cell(row, "abandoned", String(q.abandoned));
    cell(row, "sl", pct(q.service_level));
    cell(row, "asa", dur(q.asa_s));
    cell(row, "aht", dur(q.aht_s));
  }
  for (const [s, n] of Object.entries(board.agents)) {
    const c = document.querySelector('[data-agents="' + s + '"]');
    if (c) c.textContent = String(n);
  }
  const status = document.getElementById("status");
  status.textContent = "live · updated " + new Date(board.at).toLocaleTimeString();
  status.className = "";
}
function down(text) {
  const status = document.getElementById("status");
  status.textContent = text;
  status.className = "down";
}
const events = new EventSource(document.body.dataset.events);
events.addEventListener("board", (e) => show(JSON.parse(e.data)));
events.addEventListener("signed-out", () => {
  events.close();
  down("signed out; reload the page to sign in again");
});
events.onerror = () => {
  if (events.readyState === EventSource.CLOSED) down("disconnected; reload the page to sign in again");
  else down("connection lost; reconnecting…");
};
"#;

fn dur(s: Option<u64>) -> String {
    crate::format::duration(s.map(std::time::Duration::from_secs))
}

fn agents(a: &std::collections::BTreeMap<&'static str, u32>) -> String {
    let parts: Vec<String> = a
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    if parts.is_empty() {
        "none".to_owned()
    } else {
        parts.join(", ")
    }
}

/// The wallboard with `board`'s figures for `viewer`, showing `scope`
/// (`only`: the `?queue=` asked for, kept for the live updates).
pub fn wallboard(board: &Board, viewer: &Viewer, scope: &Scope, only: Option<&str>) -> Markup {
    let events = match only {
        Some(q) => format!(
            "/supervisor/events?queue={}",
            form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
        ),
        None => "/supervisor/events".to_owned(),
    };
    let agents_label = match scope {
        Scope::All => "all queues".to_owned(),
        Scope::Queues(_) => format!("agents of {}", scope.label()),
    };
    html! {
        (DOCTYPE)
        html lang="en" {
            (head("smsdesk wallboard"))
            body data-events=(events) {
                h1 { "smsdesk wallboard" }
                div.who {
                    span #who { "Signed in as " (viewer.who) " · " (scope.label()) }
                    @if viewer.session.is_some() {
                        form method="post" action="/supervisor/logout" {
                            button #signout type="submit" { "Sign out" }
                        }
                    }
                }
                table #queues {
                    thead { tr {
                        th { "queue" } th { "waiting" } th { "longest wait" } th { "agents" }
                        th { "accepted" } th { "abandoned" } th { "service level" } th { "ASA" } th { "AHT" }
                    } }
                    tbody {
                        @for q in &board.queues {
                            tr data-queue=(q.queue) {
                                td { (q.queue) br; small { "today (" span data-k="day" { (q.day) } ", " (q.timezone) "), SLA " (dur(Some(q.sla_s))) } }
                                td.big data-k="waiting" { (q.waiting) }
                                td data-k="longest" { (dur(q.longest_wait_s)) }
                                td data-k="agents" { (agents(&q.agents)) }
                                td data-k="accepted" { (q.accepted) }
                                td data-k="abandoned" { (q.abandoned) }
                                td data-k="sl" { (crate::format::percent(q.service_level)) }
                                td data-k="asa" { (dur(q.asa_s)) }
                                td data-k="aht" { (dur(q.aht_s)) }
                            }
                        }
                    }
                }
                table #agents {
                    thead { tr { th { "agents" } @for s in board.agents.keys() { th { (s) } } } }
                    tbody { tr { td { (agents_label) } @for (s, n) in &board.agents { td data-agents=(s) { (n) } } } }
                }
                p #status { "connecting…" }
                script { (PreEscaped(SCRIPT)) }
            }
        }
    }
}

/// The headers every page of ours gets (see the module's doc).
pub fn harden(headers: &mut HeaderMap) {
    let policy = format!(
        "default-src 'none'; script-src {}; style-src {}; connect-src 'self' https: http:; \
         form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        hashes(&[SCRIPT, super::signin_page::SCRIPT]),
        hashes(&[STYLE]),
    );
    if let Ok(v) = HeaderValue::from_str(&policy) {
        headers.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
}

/// CSP sources for these inline texts: `'sha256-…'` each.
fn hashes(texts: &[&str]) -> String {
    texts
        .iter()
        .map(|t| {
            format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(Sha256::digest(t.as_bytes()))
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}
