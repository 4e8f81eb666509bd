//! `smsdesk export` (docs/supervisor-guide.md): one record per conversation opened
//! in a time range — ids, customer, entry, queue, times (opened, first
//! accepted, ended, closed), owners, wrap-up reason, intake fields and the
//! transcript — as JSON lines or CSV (the `csv` crate: quoting is not ours
//! to get wrong). Customer numbers are never masked here.
//!
//! Read in pages (`page`) of conversation records in id order, so the
//! server can answer an export between engine batches without holding the
//! engine for the whole store; the CLI reads a stopped store the same way.

use serde::Serialize;
use smsdesk_core::{ConversationId, Event, QueueName, Timestamp};
use smsdesk_engine::store::{layout, KvStore, StoreError};

/// Conversation records read per page.
pub const PAGE: usize = 200;

/// One line of a transcript.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Line {
    pub at: String,
    /// `customer`, `smsdesk` (its own texts) or the agent's Matrix id.
    pub from: String,
    pub text: String,
    /// Attachments: the carrier's URLs for a customer's, the count for an agent's.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub media: Vec<String>,
    /// An internal note (never sent to the customer); `from` is its author.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub note: bool,
    /// The canned reply (`[[canned]]` name) an agent's line was sent from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canned: Option<String>,
}

/// One exported conversation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Record {
    pub id: u64,
    pub customer: String,
    pub entry: String,
    pub carrier: String,
    pub queue: String,
    pub state: String,
    pub opened_at: String,
    pub first_accepted_at: Option<String>,
    pub ended_at: Option<String>,
    pub closed_at: Option<String>,
    pub owners: Vec<String>,
    pub wrapup_reason: Option<String>,
    pub close_reason: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<(String, String)>,
    pub transcript: Vec<Line>,
}

/// RFC 3339 in UTC, e.g. `2026-12-01T10:00:50Z`.
pub fn time(at: Timestamp) -> String {
    i64::try_from(at.0)
        .ok()
        .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// Why a `--since`/`--until` text is not a time (the text as given).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BadTime {
    #[error("{0:?} is not a date like 2026-12-01 or a time like 2026-12-01T09:00:00Z")]
    NotATime(String),
    #[error("{0:?} is before 1970")]
    Before1970(String),
}

/// Why `write` could not write the records down.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{0}")]
    Json(#[from] serde_json::Error),
    #[error("{0}")]
    Csv(#[from] csv::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// A date (`2026-12-01`, midnight UTC) or an RFC 3339 time, as a timestamp.
pub fn parse_time(text: &str) -> Result<Timestamp, BadTime> {
    let t = text.trim();
    let ts = match t.parse::<jiff::Timestamp>() {
        Ok(ts) => ts,
        Err(_) => t
            .parse::<jiff::civil::Date>()
            .ok()
            .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC).ok())
            .map(|z| z.timestamp())
            .ok_or_else(|| BadTime::NotATime(text.to_owned()))?,
    };
    u64::try_from(ts.as_millisecond())
        .map(Timestamp)
        .map_err(|_| BadTime::Before1970(text.to_owned()))
}

/// The exported record of `c`, with its history.
fn record(store: &dyn KvStore, c: &smsdesk_core::model::Conversation) -> Result<Record, StoreError> {
    let mut r = Record {
        id: c.id.0,
        customer: c.customer.to_string(),
        entry: c.entry.to_string(),
        carrier: c.carrier.to_string(),
        queue: c.queue.to_string(),
        state: c.phase.label().to_owned(),
        opened_at: time(c.opened_at),
        first_accepted_at: c.first_accepted_at.map(time),
        ended_at: c.ended_at.map(time),
        closed_at: None,
        owners: Vec::new(),
        wrapup_reason: None,
        close_reason: None,
        fields: c.fields.clone(),
        transcript: Vec::new(),
    };
    if let smsdesk_core::model::Phase::Closed { reason, at } = &c.phase {
        r.closed_at = Some(time(*at));
        r.close_reason = Some(reason.clone());
    }
    for e in layout::history(store, c.id)? {
        let line = |from: String, text: &str, media: Vec<String>| Line {
            at: time(e.at),
            from,
            text: text.to_owned(),
            media,
            note: false,
            canned: None,
        };
        match &e.event {
            Event::MessageReceived { sms, .. } => {
                r.transcript.push(line("customer".into(), &sms.body, sms.media.clone()))
            }
            Event::ReplyAccepted {
                agent,
                body,
                media,
                canned,
                ..
            } => {
                let media = if media.is_empty() {
                    Vec::new()
                } else {
                    vec![format!("{} attachment(s) sent as MMS", media.len())]
                };
                r.transcript.push(Line {
                    canned: canned.clone(),
                    ..line(agent.to_string(), body, media)
                });
            }
            Event::AutoReplied { body, .. } => r.transcript.push(line("smsdesk".into(), body, Vec::new())),
            Event::NoteAdded { author, body, .. } => r.transcript.push(Line {
                note: true,
                ..line(author.to_string(), body, Vec::new())
            }),
            Event::OfferAccepted { agent, .. } if !r.owners.contains(&agent.to_string()) => {
                r.owners.push(agent.to_string());
            }
            Event::WrappedUp { reason, .. } => r.wrapup_reason = Some(reason.clone()),
            _ => {}
        }
    }
    Ok(r)
}

/// Up to `PAGE` conversations after `after` (by id), those opened in
/// `[since, until)` and now in one of `queues` (every queue if `None`)
/// exported; and where the next page starts (`None`: done). A
/// conversation belongs to the queue it is in now (or closed in), as
/// for a supervisor's `!history`.
pub fn page(
    store: &dyn KvStore,
    after: Option<ConversationId>,
    since: Timestamp,
    until: Option<Timestamp>,
    queues: Option<&[QueueName]>,
) -> Result<(Vec<Record>, Option<ConversationId>), StoreError> {
    let (page, more) = layout::conversations_after(store, after, PAGE)?;
    let mut out = Vec::new();
    for c in &page {
        let in_range = c.opened_at >= since && until.is_none_or(|u| c.opened_at < u);
        if in_range && queues.is_none_or(|q| q.contains(&c.queue)) {
            out.push(record(store, c)?);
        }
    }
    let next = if more { page.last().map(|c| c.id) } else { None };
    Ok((out, next))
}

/// Conversation `id` exported, if it exists and is in one of `queues`
/// (every queue if `None`): the link a returning customer's summary gives.
pub fn one(
    store: &dyn KvStore,
    id: ConversationId,
    queues: Option<&[QueueName]>,
) -> Result<Option<Record>, StoreError> {
    match layout::conversation(store, id)? {
        Some(c) if queues.is_none_or(|q| q.contains(&c.queue)) => Ok(Some(record(store, &c)?)),
        _ => Ok(None),
    }
}

/// Conversation `id` with its whole history and its queue's time zone (if
/// the queue is still configured), read on the engine thread: what the
/// supervisor room's `!history` and the wallboard's read-only view show.
pub type Transcript = (
    Option<smsdesk_core::model::Conversation>,
    Vec<smsdesk_core::EventRecord>,
    Option<jiff::tz::TimeZone>,
);

pub fn transcript(e: &crate::app::SmsEngine, id: ConversationId) -> Result<Transcript, StoreError> {
    let c = layout::conversation(e.store(), id)?;
    let records = layout::history(e.store(), id)?;
    let zone = c
        .as_ref()
        .and_then(|c| e.state().setup.queue(&c.queue))
        .map(|q| q.timezone.clone());
    Ok((c, records, zone))
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Jsonl,
    Csv,
}

/// Writes records; `header` says whether a CSV gets its header row.
pub fn write(records: &[Record], format: Format, header: bool, out: &mut Vec<u8>) -> Result<(), WriteError> {
    match format {
        Format::Jsonl => {
            for r in records {
                serde_json::to_writer(&mut *out, r)?;
                out.push(b'\n');
            }
        }
        Format::Csv => {
            let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(&mut *out);
            if header {
                w.write_record(CSV_HEADER)?;
            }
            for r in records {
                let transcript: Vec<String> = r
                    .transcript
                    .iter()
                    .map(|l| {
                        let media = if l.media.is_empty() {
                            String::new()
                        } else {
                            format!(" [{}]", l.media.join(" "))
                        };
                        let note = match (&l.canned, l.note) {
                            (_, true) => " (note)".to_owned(),
                            (Some(name), _) => format!(" (canned {name})"),
                            (None, false) => String::new(),
                        };
                        format!("{} {}{note}: {}{media}", l.at, l.from, l.text)
                    })
                    .collect();
                w.write_record([
                    r.id.to_string(),
                    r.customer.clone(),
                    r.entry.clone(),
                    r.carrier.clone(),
                    r.queue.clone(),
                    r.state.clone(),
                    r.opened_at.clone(),
                    r.first_accepted_at.clone().unwrap_or_default(),
                    r.ended_at.clone().unwrap_or_default(),
                    r.closed_at.clone().unwrap_or_default(),
                    r.owners.join(" "),
                    r.wrapup_reason.clone().unwrap_or_default(),
                    r.close_reason.clone().unwrap_or_default(),
                    transcript.join("\n"),
                ])?;
            }
            w.flush()?;
        }
    }
    Ok(())
}

const CSV_HEADER: [&str; 14] = [
    "id",
    "customer",
    "entry",
    "carrier",
    "queue",
    "state",
    "opened_at",
    "first_accepted_at",
    "ended_at",
    "closed_at",
    "owners",
    "wrapup_reason",
    "close_reason",
    "transcript",
];
