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

use smsdesk_core::figures::AGENT_STATES;

use super::auth::{Scope, Viewer, Who};
use super::style::{head, STYLE};
use super::view::Board;
use crate::format::{agent_counts, state_name};
use crate::i18n::Lang;
use crate::tr;

/// The page's script (`script.js`), inline and allowed by its hash.
const SCRIPT: &str = include_str!("script.js");

fn dur(lang: &Lang, s: Option<u64>) -> String {
    crate::format::duration(lang, s.map(std::time::Duration::from_secs))
}

/// The words the page's script writes as figures change, in `lang`: the
/// catalog's messages with `{name}` where the script puts a value.
fn words(lang: &Lang) -> String {
    let states: serde_json::Map<String, serde_json::Value> = AGENT_STATES
        .iter()
        .map(|s| ((*s).to_owned(), state_name(lang, s).into()))
        .collect();
    serde_json::json!({
        "seconds": tr!(lang, "duration-seconds", s = "{s}"),
        "minutes": tr!(lang, "duration-minutes", m = "{m}", s = "{s}"),
        "hours": tr!(lang, "duration-hours", h = "{h}", m = "{m}"),
        "percent": tr!(lang, "percent", p = "{p}"),
        "count": tr!(lang, "agents-count", count = "{count}", state = "{state}"),
        "none": lang.t("agents-none-in-state"),
        "states": states,
        "live": tr!(lang, "wallboard-live", time = "{time}"),
        "signed_out": lang.t("wallboard-signed-out"),
        "disconnected": lang.t("wallboard-disconnected"),
        "reconnecting": lang.t("wallboard-reconnecting"),
        "series": {
            "offered": lang.t("series-offered"),
            "answered_in_sla": lang.t("series-answered-in-sla"),
            "abandoned": lang.t("series-abandoned"),
            "waiting": lang.t("series-waiting"),
        },
    })
    .to_string()
}

/// Who is signed in, for the page.
fn who(lang: &Lang, viewer: &Viewer) -> String {
    match &viewer.who {
        Who::Operator => lang.t("wallboard-operator"),
        Who::Supervisor(user) => user.to_string(),
    }
}

/// The wallboard with `board`'s figures for `viewer`, showing `scope`
/// (`only`: the `?queue=` asked for, kept for the live updates), in `lang`.
pub fn wallboard(board: &Board, viewer: &Viewer, scope: &Scope, only: Option<&str>, lang: &Lang) -> Markup {
    let mut query = form_urlencoded::Serializer::new(String::new());
    if let Some(q) = only {
        query.append_pair("queue", q);
    }
    query.append_pair("lang", lang.as_str());
    let events = format!("/supervisor/events?{}", query.finish());
    let scope_label = match scope {
        Scope::All => lang.t("wallboard-all-queues"),
        Scope::Queues(_) => scope.label(),
    };
    let agents_label = match scope {
        Scope::All => lang.t("wallboard-all-queues"),
        Scope::Queues(_) => tr!(lang, "wallboard-agents-of", queues = scope.label()),
    };
    let columns = [
        "col-queue",
        "col-waiting",
        "col-longest-wait",
        "col-agents",
        "col-accepted",
        "col-abandoned",
        "col-service-level",
        "col-asa",
        "col-aht",
    ];
    html! {
        (DOCTYPE)
        html lang=(lang.as_str()) {
            (head(&lang.t("wallboard-title")))
            body data-events=(events) data-words=(words(lang)) {
                h1 { (lang.t("wallboard-title")) }
                div.who {
                    span #who { (tr!(lang, "wallboard-signed-in-as", who = who(lang, viewer), scope = scope_label)) }
                    @if viewer.session.is_some() {
                        form method="post" action="/supervisor/logout" {
                            button #signout type="submit" { (lang.t("wallboard-sign-out")) }
                        }
                    }
                }
                table #queues {
                    thead { tr { @for c in columns { th { (lang.t(c)) } } } }
                    tbody {
                        @for q in &board.queues {
                            tr data-queue=(q.queue) {
                                td { (q.queue) br; small { (today(lang, q)) } }
                                td.big data-k="waiting" { (q.waiting) }
                                td data-k="longest" { (dur(lang, q.longest_wait_s)) }
                                td data-k="agents" { (agent_counts(lang, &q.agents)) }
                                td data-k="accepted" { (q.accepted) }
                                td data-k="abandoned" { (q.abandoned) }
                                td data-k="sl" { (crate::format::percent(lang, q.service_level)) }
                                td data-k="asa" { (dur(lang, q.asa_s)) }
                                td data-k="aht" { (dur(lang, q.aht_s)) }
                            }
                        }
                    }
                }
                table #agents {
                    thead { tr { th { (lang.t("col-agents")) } @for s in board.agents.keys() { th { (state_name(lang, s)) } } } }
                    tbody { tr { td { (agents_label) } @for (s, n) in &board.agents { td data-agents=(s) { (n) } } } }
                }
                h2 { (lang.t("wallboard-team-title")) }
                table #team {
                    thead { tr {
                        th { (lang.t("col-agent")) } th { (lang.t("col-state")) } th { (lang.t("col-for")) }
                        th { (lang.t("col-conversations")) } th { (lang.t("col-load")) }
                    } }
                    tbody {}
                }
                @for q in &board.queues {
                    h2 { (tr!(lang, "wallboard-curve-title", queue = q.queue.as_str(), zone = q.timezone.as_str())) }
                    p.legend {
                        @for (class, id) in SERIES {
                            span class=(format!("key {class}")) { (lang.t(id)) }
                        }
                    }
                    svg.curve data-curve=(q.queue) viewBox="0 0 1000 150" role="img" aria-label=(lang.t("wallboard-curve-label")) {}
                }
                p #status { (lang.t("wallboard-connecting")) }
                script { (PreEscaped(SCRIPT)) }
            }
        }
    }
}

/// "today (2026-12-05, Europe/Berlin), SLA 1m 00s", the day in a cell
/// the script keeps current.
fn today(lang: &Lang, q: &super::view::QueueView) -> Markup {
    // The day is a placeable of its own: the script rewrites it at midnight.
    let marker = "\u{1}";
    let text = tr!(
        lang,
        "wallboard-today",
        day = marker,
        zone = q.timezone.as_str(),
        sla = dur(lang, Some(q.sla_s))
    );
    let (before, after) = text.split_once(marker).unwrap_or((text.as_str(), ""));
    html! { (before) span data-k="day" { (q.day) } (after) }
}

/// The curve's series: (CSS class, catalog id of its name).
const SERIES: [(&str, &str); 4] = [
    ("offered", "series-offered"),
    ("answered_in_sla", "series-answered-in-sla"),
    ("abandoned", "series-abandoned"),
    ("waiting", "series-waiting"),
];

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
