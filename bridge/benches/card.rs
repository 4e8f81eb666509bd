//! What the message catalogs cost (issue #31): rendering an open offer
//! card (its plain text and HTML table, as the bot posts and edits it
//! every few seconds) from the catalogs, in English and in German, against
//! the English-only render smsdesk had before catalogs (kept here as it
//! was: `format!` and the same HTML helpers), measured in the same run.
//!
//! Prints p50 and p99 of each and the ratios to the baseline (target <= 1.2).
//! Run: `cargo bench -p smsdesk --bench card`.

use std::time::{Duration, Instant};

use smsdesk::i18n::Lang;
use smsdesk::matrix::texts::card::OfferCard;
use smsdesk::matrix::texts::rich::{self, Text};
use smsdesk_core::{ConversationId, Timestamp};

const ROUNDS: usize = 20_000;
const TARGET: f64 = 1.2;

fn card(lang: &str) -> OfferCard {
    OfferCard {
        id: ConversationId(4711),
        queue: "billing".into(),
        customer: "+15557770001".into(),
        entry: "+15550001111".into(),
        kind: "long code".into(),
        opened_at: Timestamp(1_000),
        deadline: Timestamp(61_000),
        via: Some("transfer from @alice:example.com".into()),
        fields: vec![("account".into(), "12345".into()), ("topic".into(), "refund".into())],
        lang: Lang::new(lang),
    }
}

/// The render before catalogs, as it was.
fn english_only(c: &OfferCard, now: Timestamp) -> Text {
    let waited = now.since(c.opened_at).as_secs();
    let left = c.deadline.since(now).as_secs();
    let id = c.id;
    let via = c.via.as_ref().map(|v| format!(" ({v})")).unwrap_or_default();
    let headline = format!(
        "Offer #{}{via}: queue {}, customer {}, to {} ({})",
        c.id, c.queue, c.customer, c.entry, c.kind
    );
    let fields = if c.fields.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = c.fields.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        format!("; {}", list.join(", "))
    };
    let plain = format!(
        "{headline}{fields}, waiting {}:{:02}. React ✅ to accept or ❌ to decline (or !accept {id} / !decline {id}) within {left} s.",
        waited / 60,
        waited % 60
    );
    let title_via = c
        .via
        .as_ref()
        .map(|v| format!(" ({})", rich::mention_users(&rich::escape(v))))
        .unwrap_or_default();
    let html = format!(
        "<p><b>Offer #{}</b>{title_via}</p>{}<p>React ✅ to accept or ❌ to decline (or <code>!accept {id}</code> / <code>!decline {id}</code>).</p>",
        c.id,
        rich::table(
            &[
                ("Queue", rich::escape(&c.queue)),
                ("Customer", rich::escape(&c.customer)),
                ("To", rich::escape(&format!("{} ({})", c.entry, c.kind))),
            ]
            .into_iter()
            .chain(c.fields.iter().map(|(k, v)| (k.as_str(), rich::escape(v))))
            .chain([
                ("Waiting", format!("{}:{:02}", waited / 60, waited % 60)),
                ("Answer within", format!("{left} s")),
            ])
            .collect::<Vec<_>>()
        )
    );
    Text::rich(plain, html)
}

fn percentiles(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    (us(v[v.len() / 2]), us(v[(v.len() * 99 / 100).min(v.len() - 1)]))
}

fn main() {
    let (en, de) = (card("en"), card("de"));
    let now = Timestamp(31_000);
    // Warm up: the catalogs are parsed once, at the first text.
    let sizes = (english_only(&en, now).plain.len(), en.open_text(now).plain.len());
    assert!(sizes.0 > 0 && sizes.1 > 0);
    assert_eq!(
        english_only(&en, now),
        en.open_text(now),
        "the English catalog renders the card as it was"
    );
    let (mut base, mut english, mut german) = (Vec::new(), Vec::new(), Vec::new());
    // Taking turns, so the machine's noise falls on all three alike.
    for _ in 0..ROUNDS {
        let t = Instant::now();
        std::hint::black_box(english_only(std::hint::black_box(&en), now));
        base.push(t.elapsed());
        let t = Instant::now();
        std::hint::black_box(std::hint::black_box(&en).open_text(now));
        english.push(t.elapsed());
        let t = Instant::now();
        std::hint::black_box(std::hint::black_box(&de).open_text(now));
        german.push(t.elapsed());
    }
    let (b50, b99) = percentiles(base);
    println!("offer card render, {ROUNDS} rounds, taking turns:");
    println!("  English-only (before catalogs, baseline): p50 {b50:6.2} µs  p99 {b99:6.2} µs");
    for (what, v) in [("catalog, English", english), ("catalog, German", german)] {
        let (p50, p99) = percentiles(v);
        let ratio = p50 / b50;
        println!(
            "  {what:<16}: p50 {p50:6.2} µs  p99 {p99:6.2} µs  {ratio:.2}x baseline p50 (target <= {TARGET}: {})",
            if ratio <= TARGET {
                "meets target"
            } else {
                "ABOVE TARGET"
            }
        );
    }
}
