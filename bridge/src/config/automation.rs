//! What smsdesk answers by itself (docs/configuration.md): the `[compliance]`
//! texts and keyword lists, and each queue's business hours, greeting,
//! closed and busy replies and inactivity. Time zones and hour ranges are
//! checked by `smsdesk_core::hours` (jiff); placeholders by name.

use smsdesk_core::hours::Hours;
use smsdesk_core::keywords::{Keywords, DEFAULT_HELP, DEFAULT_OPT_IN, DEFAULT_OPT_OUT};
use smsdesk_core::setup::{Compliance, QueueSetup};

use super::reader::{join, Reader};

/// The keys a queue may add for automation.
pub const QUEUE_KEYS: &[&str] = &[
    "hours",
    "timezone",
    "holidays",
    "closed_reply",
    "greeting",
    "busy_reply",
    "busy_after",
    "inactivity",
    "sla",
];

const COMPLIANCE_KEYS: &[&str] = &[
    "help_reply",
    "opt_out_reply",
    "opt_in_reply",
    "opt_out_keywords",
    "opt_in_keywords",
    "help_keywords",
];

/// A text with only the `{placeholders}` in `allowed`; an error names the key.
pub(super) fn text(r: &mut Reader, t: &toml::Table, path: &str, key: &str, allowed: &[&str]) -> Option<String> {
    let value = r.string(t, path, key, false)?;
    let full = join(path, key);
    if value.trim().is_empty() {
        r.err(&full, "is empty; leave it out to send nothing");
        return None;
    }
    let mut rest = value.as_str();
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        let name = &after[..close];
        if !allowed.contains(&name) {
            let known = if allowed.is_empty() {
                "this text has no placeholders".to_owned()
            } else {
                format!(
                    "placeholders here: {}",
                    allowed
                        .iter()
                        .map(|a| format!("{{{a}}}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            r.err(&full, format!("unknown placeholder {{{name}}}; {known}"));
            return None;
        }
        rest = &after[close + 1..];
    }
    Some(value)
}

/// `[compliance]`.
pub fn compliance(r: &mut Reader, root: &toml::Table) -> Compliance {
    let mut out = Compliance::default();
    let Some(v) = root.get("compliance") else {
        return out;
    };
    let Some(t) = r.table(v, "compliance", COMPLIANCE_KEYS) else {
        return out;
    };
    out.help_reply = text(r, t, "compliance", "help_reply", &[]);
    out.opt_out_reply = text(r, t, "compliance", "opt_out_reply", &[]);
    out.opt_in_reply = text(r, t, "compliance", "opt_in_reply", &[]);
    let list = |r: &mut Reader, key: &str, default: &[&str]| -> Vec<String> {
        if !t.contains_key(key) {
            return default.iter().map(|s| (*s).to_owned()).collect();
        }
        let words = r.strings(t, "compliance", key);
        if words.is_empty() {
            r.err(&join("compliance", key), "is empty; leave it out for the defaults");
        }
        for w in &words {
            if w.trim().is_empty() || w.trim().contains(char::is_whitespace) {
                r.err(&join("compliance", key), format!("{w:?} is not one word"));
            }
        }
        words
    };
    let opt_out = list(r, "opt_out_keywords", DEFAULT_OPT_OUT);
    let opt_in = list(r, "opt_in_keywords", DEFAULT_OPT_IN);
    let help = list(r, "help_keywords", DEFAULT_HELP);
    out.keywords = Keywords::new(opt_out, opt_in, help);
    let k = &out.keywords;
    for (a, b, name_a, name_b) in [
        (&k.opt_out, &k.opt_in, "opt_out_keywords", "opt_in_keywords"),
        (&k.opt_out, &k.help, "opt_out_keywords", "help_keywords"),
        (&k.opt_in, &k.help, "opt_in_keywords", "help_keywords"),
    ] {
        if let Some(both) = a.iter().find(|w| b.contains(w)) {
            r.err(
                &join("compliance", name_b),
                format!("{both} is also in {name_a}; a keyword can mean one thing only"),
            );
        }
    }
    out
}

/// A queue's automation keys into `setup`.
pub fn queue(r: &mut Reader, t: &toml::Table, path: &str, setup: &mut QueueSetup) {
    let hours = t.contains_key("hours").then(|| r.strings(t, path, "hours"));
    let timezone = r.string(t, path, "timezone", false);
    let holidays = r.strings(t, path, "holidays");
    match hours {
        Some(hours) => {
            let zone = timezone.clone().unwrap_or_else(|| "UTC".to_owned());
            if hours.is_empty() {
                r.err(
                    &join(path, "hours"),
                    "is empty, so the queue would never open; leave it out to be always open",
                );
            }
            match Hours::parse(&hours, &zone, &holidays) {
                Ok(h) => setup.hours = Some(h),
                Err(problems) => {
                    for (key, message) in problems {
                        // The zone was named above already.
                        if key != "timezone" {
                            r.err(&join(path, key), message);
                        }
                    }
                }
            }
        }
        None => {
            for key in ["holidays", "closed_reply"] {
                if t.contains_key(key) {
                    r.err(
                        &join(path, key),
                        "has no effect without hours (the queue is always open)",
                    );
                }
            }
        }
    }
    // The zone also says where the queue's day starts (supervisor figures),
    // so it is read with or without hours.
    if let Some(zone) = &timezone {
        match smsdesk_core::hours::tzdb().get(zone) {
            Ok(tz) => setup.timezone = tz,
            Err(_) => r.err(
                &join(path, "timezone"),
                match nearest_zone(zone) {
                    Some(near) => format!("{zone:?} is not an IANA time zone; did you mean {near:?}?"),
                    None => {
                        format!("{zone:?} is not an IANA time zone (like \"America/New_York\" or \"Europe/Paris\")")
                    }
                },
            ),
        }
    }
    if let Some(sla) = r.duration(t, path, "sla", false).flatten() {
        setup.sla = sla;
    }
    setup.closed_reply = text(r, t, path, "closed_reply", &["opens"]);
    setup.greeting = text(r, t, path, "greeting", &[]);
    setup.busy_reply = text(r, t, path, "busy_reply", &["position"]);
    setup.busy_after = r.duration(t, path, "busy_after", false).flatten();
    match (&setup.busy_reply, setup.busy_after) {
        (Some(_), None) if !t.contains_key("busy_after") => r.err(
            &join(path, "busy_reply"),
            "needs busy_after: how long a conversation waits before it is sent (e.g. \"2m\")",
        ),
        (None, Some(_)) if !t.contains_key("busy_reply") => {
            r.err(&join(path, "busy_after"), "has no effect without busy_reply")
        }
        _ => {}
    }
    setup.inactivity = r.duration(t, path, "inactivity", true).flatten();
}

/// Entry points where smsdesk answers keywords need the texts it sends.
pub fn check_keyword_texts(r: &mut Reader, compliance: &Compliance, entry_points: &[super::EntryPointConfig]) {
    use smsdesk_core::keywords::KeywordMode;
    // (A number declared a short code that is not one is reported elsewhere.)
    let kind_ok = |e: &&super::EntryPointConfig| {
        e.entry.kind != smsdesk_core::setup::EntryKind::ShortCode || e.entry.number.is_short_code()
    };
    let Some(e) = entry_points
        .iter()
        .filter(kind_ok)
        .find(|e| e.entry.keywords == KeywordMode::Smsdesk)
    else {
        return;
    };
    let why = if e.entry.kind == smsdesk_core::setup::EntryKind::ShortCode {
        format!(
            "{} ({}) is a short code, so smsdesk answers STOP, START and HELP there (keywords = \"smsdesk\" by default)",
            e.entry.number, e.key
        )
    } else {
        format!("{} ({}) has keywords = \"smsdesk\"", e.entry.number, e.key)
    };
    for (key, value) in [
        ("opt_out_reply", &compliance.opt_out_reply),
        ("opt_in_reply", &compliance.opt_in_reply),
        ("help_reply", &compliance.help_reply),
    ] {
        if value.is_none() {
            r.err(&join("compliance", key), format!("is required: {why}"));
        }
    }
}

/// The known time zone name closest to a misspelt `zone` (case, a letter
/// or two, `Europe/Berln`), if one is close enough to be a likely meaning.
fn nearest_zone(zone: &str) -> Option<String> {
    let wanted = zone.to_ascii_lowercase().replace(' ', "_");
    smsdesk_core::hours::tzdb()
        .available()
        .map(|name| {
            let name = name.as_str().to_owned();
            (strsim::jaro_winkler(&wanted, &name.to_ascii_lowercase()), name)
        })
        .filter(|(score, _)| *score >= 0.9)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, name)| name)
}
