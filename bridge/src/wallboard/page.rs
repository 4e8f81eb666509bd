//! The wallboard's HTML (maud: escaped by construction), with its style
//! and script inline: nothing comes from anywhere but smsdesk, so it works
//! on a closed network. The script listens to `/supervisor/events`
//! (server-sent events) and rewrites the cells; it never reloads the page.

use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::view::Board;

const STYLE: &str = r#"
body { font-family: system-ui, sans-serif; margin: 2rem; background: #10141a; color: #e8ecf1; }
h1 { font-size: 1.4rem; margin: 0 0 1rem; }
table { border-collapse: collapse; margin-bottom: 1.5rem; }
th, td { padding: .45rem .9rem; border-bottom: 1px solid #2a323d; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { color: #9fb0c3; font-weight: 600; }
td.big { font-size: 1.6rem; font-weight: 700; }
#status { color: #9fb0c3; font-size: .9rem; }
#status.down { color: #ff8a80; }
form { display: flex; gap: .5rem; }
input { padding: .4rem; font-size: 1rem; }
.error { color: #ff8a80; }
"#;

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
const events = new EventSource("/supervisor/events");
events.addEventListener("board", (e) => show(JSON.parse(e.data)));
events.onerror = () => {
  const status = document.getElementById("status");
  status.textContent = "connection lost; reconnecting…";
  status.className = "down";
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

/// The wallboard with `board`'s figures (the script keeps them current).
pub fn wallboard(board: &Board) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "smsdesk wallboard" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { "smsdesk wallboard" }
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
                    tbody { tr { td { "all queues" } @for (s, n) in &board.agents { td data-agents=(s) { (n) } } } }
                }
                p #status { "connecting…" }
                script { (PreEscaped(SCRIPT)) }
            }
        }
    }
}

/// The login form (also the answer to a missing or wrong token: it shows
/// no figures at all).
pub fn login(wrong: bool) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { "smsdesk wallboard — sign in" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { "smsdesk wallboard" }
                @if wrong { p.error { "That token is not right." } }
                form method="post" action="/supervisor/login" {
                    input type="password" name="token" placeholder="supervisor token" autofocus required;
                    button type="submit" { "Sign in" }
                }
            }
        }
    }
}
