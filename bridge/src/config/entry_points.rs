//! `[[entry_points]]`: the business numbers, each with its kind, carrier,
//! queue, routing skills, send rate, keyword mode and intake bot. That the carrier and queue exist is
//! checked in `check`, with the other cross-references.

use smsdesk_core::keywords::KeywordMode;
use smsdesk_core::setup::{EntryKind, EntryPoint};
use smsdesk_core::{CarrierName, EntryNumber, QueueName};
use toml::Value;

use super::reader::{join, type_name, Reader};

#[derive(Clone, Debug, PartialEq)]
pub struct EntryPointConfig {
    /// Where it is defined, e.g. `entry_points[0]` (for messages).
    pub key: String,
    pub entry: EntryPoint,
    /// Outbound messages per second from this number.
    pub send_rate: f64,
    /// The intake bot new conversations see first, if any.
    pub intake: Option<IntakeConfig>,
}

/// `intake = "menu.wasm"` with its `[entry_points.intake_config]` settings.
#[derive(Clone, Debug, PartialEq)]
pub struct IntakeConfig {
    pub plugin: std::path::PathBuf,
    pub settings: Vec<(String, String)>,
}

/// How long a customer may take to answer the intake bot (docs/configuration.md).
pub const DEFAULT_INTAKE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(600);

/// Default send rates by kind (messages per second): carriers limit long
/// codes to about 1/s and toll-free numbers to about 3/s.
pub fn default_send_rate(kind: EntryKind) -> f64 {
    match kind {
        EntryKind::LongCode => 1.0,
        EntryKind::TollFree => 3.0,
        EntryKind::ShortCode => 30.0,
    }
}

pub fn read(r: &mut Reader, root: &toml::Table) -> Vec<EntryPointConfig> {
    let mut entry_points: Vec<EntryPointConfig> = Vec::new();
    for (path, v) in r.array_of_tables(root, "entry_points") {
        let Some(t) = r.table(
            v,
            &path,
            &[
                "number",
                "kind",
                "carrier",
                "queue",
                "skills",
                "send_rate",
                "keywords",
                "intake",
                "intake_timeout",
                "intake_config",
            ],
        ) else {
            continue;
        };
        let number = r
            .string(t, &path, "number", true)
            .and_then(|n| match EntryNumber::parse(&n) {
                Ok(n) => Some(n),
                Err(e) => {
                    r.err(&join(&path, "number"), e.to_string());
                    None
                }
            });
        let kind = r.string(t, &path, "kind", true).and_then(|k| kind(r, &path, &k));
        if let (Some(n), Some(k)) = (&number, kind) {
            if let Some(why) = kind_mismatch(n.as_str(), n.is_short_code(), k) {
                r.err(&join(&path, "kind"), why);
            }
        }
        let carrier = r.string(t, &path, "carrier", true);
        let queue = r.string(t, &path, "queue", true);
        let skills = r.strings(t, &path, "skills").into_iter().collect();
        let send_rate = send_rate(r, t, &path);
        let keywords = r
            .string(t, &path, "keywords", false)
            .and_then(|k| keyword_mode(r, &path, &k));
        let intake = r.string(t, &path, "intake", false).map(|p| IntakeConfig {
            plugin: r.path_of(&join(&path, "intake"), &p, true),
            settings: r.settings(t, &path, "intake_config"),
        });
        let intake_timeout = r.duration(t, &path, "intake_timeout", false).flatten();
        if intake.is_none() {
            for key in ["intake_timeout", "intake_config"] {
                if t.contains_key(key) {
                    r.err(
                        &join(&path, key),
                        "only means something with an intake bot; add intake = \"path/to/bot.wasm\"",
                    );
                }
            }
        }
        let (Some(number), Some(kind), Some(carrier), Some(queue)) = (number, kind, carrier, queue) else {
            continue;
        };
        if entry_points.iter().any(|e| e.entry.number == number) {
            r.err(
                &join(&path, "number"),
                format!("entry number {number} is defined twice"),
            );
            continue;
        }
        entry_points.push(EntryPointConfig {
            key: path,
            send_rate: send_rate.unwrap_or_else(|| default_send_rate(kind)),
            entry: EntryPoint {
                intake_timeout: intake
                    .as_ref()
                    .map(|_| intake_timeout.unwrap_or(DEFAULT_INTAKE_TIMEOUT)),
                number,
                kind,
                carrier: CarrierName::new(carrier),
                queue: QueueName::new(queue),
                skills,
                keywords: keywords.unwrap_or_else(|| kind.default_keywords()),
            },
            intake,
        });
    }
    entry_points
}

/// `keywords = "carrier" | "smsdesk"`: who answers STOP / START / HELP.
fn keyword_mode(r: &mut Reader, path: &str, value: &str) -> Option<KeywordMode> {
    match value {
        "carrier" => Some(KeywordMode::Carrier),
        "smsdesk" => Some(KeywordMode::Smsdesk),
        other => {
            r.err(
                &join(path, "keywords"),
                format!("{other:?} is not a keyword mode; expected \"carrier\" (the carrier answers STOP/HELP) or \"smsdesk\""),
            );
            None
        }
    }
}

/// NANP toll-free area codes (+1 8XX).
const TOLL_FREE_NPA: &[&str] = &["800", "833", "844", "855", "866", "877", "888"];

/// Why `kind` cannot be right for this number, if it cannot: a short code
/// must be `short-code`; in the North American Numbering Plan (+1) the
/// toll-free area codes must be `toll-free` and no other may be. Other
/// countries' toll-free ranges are not checked (they differ by country).
fn kind_mismatch(number: &str, short_code: bool, kind: EntryKind) -> Option<String> {
    if short_code != (kind == EntryKind::ShortCode) {
        let is = if short_code { "a short code" } else { "an E.164 number" };
        return Some(format!("{number} is {is}, but kind is {}", kind.label()));
    }
    let npa = number
        .strip_prefix("+1")
        .filter(|rest| rest.len() == 10)
        .map(|rest| &rest[..3])?;
    let toll_free = TOLL_FREE_NPA.contains(&npa);
    match (toll_free, kind) {
        (true, EntryKind::LongCode) => Some(format!(
            "{number} is a toll-free number (+1 {npa}), but kind is long code; write kind = \"toll-free\""
        )),
        (false, EntryKind::TollFree) => Some(format!(
            "{number} is not a toll-free number (toll-free area codes are {}), but kind is toll-free; write kind = \"long-code\"",
            TOLL_FREE_NPA.join(", ")
        )),
        _ => None,
    }
}

fn kind(r: &mut Reader, path: &str, text: &str) -> Option<EntryKind> {
    match text {
        "long-code" => Some(EntryKind::LongCode),
        "short-code" => Some(EntryKind::ShortCode),
        "toll-free" => Some(EntryKind::TollFree),
        other => {
            r.err(
                &join(path, "kind"),
                format!("{other:?} is not one of long-code, short-code, toll-free"),
            );
            None
        }
    }
}

fn send_rate(r: &mut Reader, t: &toml::Table, path: &str) -> Option<f64> {
    match t.get("send_rate")? {
        Value::Float(f) if *f > 0.0 => Some(*f),
        Value::Integer(n) if *n > 0 => Some(*n as f64),
        other => {
            let found = match other {
                Value::Float(_) | Value::Integer(_) => "zero or less",
                v => type_name(v),
            };
            r.err(
                &join(path, "send_rate"),
                format!("expected messages per second (a positive number), found {found}"),
            );
            None
        }
    }
}
