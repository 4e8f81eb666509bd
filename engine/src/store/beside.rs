//! What the sled store keeps beside sled rather than in its tree: the
//! events (`event_file`) and each conversation's history
//! (`event_history`). `apply` sends each write to its place (what does not
//! fit goes to sled as before); reads look here first; scans here come in
//! key order, to be merged with sled's (`merge`).

use std::collections::BTreeSet;
use std::path::Path;

use super::event_file::EventFile;
use super::event_history::History;
use super::keys::{event_key, event_seq, first_number_from, history_parts};
use super::{Result, WriteSet};

type Pairs = Vec<(Vec<u8>, Vec<u8>)>;

#[derive(Debug)]
pub(super) struct Beside {
    events: EventFile,
    history: History,
}

impl Beside {
    /// Opens `<dir>/events/`. `pending`: the write sets the write-ahead log
    /// still holds (a crash): the conversations they touch get their heads
    /// of the last checkpoint back before the sets are applied again.
    pub(super) fn open(dir: &Path, pending: &[WriteSet]) -> Result<Self> {
        let events = EventFile::open(dir)?;
        let history = History::open(dir)?;
        let touched: BTreeSet<u64> = pending
            .iter()
            .flat_map(|set| set.writes.keys())
            .filter_map(|k| history_parts(k).map(|(c, _)| c))
            .collect();
        history.restore(&touched)?;
        Ok(Self { events, history })
    }

    /// Applies `writes`: events and history links here, the rest to `db`.
    pub(super) fn apply(&self, db: &sled::Db, writes: &WriteSet) -> Result<()> {
        let mut events = Vec::new();
        let mut rest = Vec::new();
        for (k, v) in &writes.writes {
            match (event_seq(k), v) {
                (Some(seq), Some(v)) if self.events.takes(seq) => events.push((seq, v.as_slice())),
                (Some(seq), None) if self.events.erase(seq)? => {}
                _ => rest.push((k, v)),
            }
        }
        // Events first: a history links only events already here.
        self.events.put_many(&events)?;
        for (k, v) in rest {
            let here = match (history_parts(k), v) {
                (Some((c, seq)), Some(v)) if v.is_empty() => self.history.link(&self.events, c, seq)?,
                (Some((c, seq)), None) => self.history.unlink(&self.events, c, seq)?,
                _ => false,
            };
            if !here {
                match v {
                    Some(v) => drop(db.insert(k.as_slice(), v.as_slice())?),
                    None => drop(db.remove(k.as_slice())?),
                }
            }
        }
        Ok(())
    }

    /// The value of `key` if it is kept here (else: look in sled).
    pub(super) fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        if let Some(seq) = event_seq(key) {
            return self.events.get(seq);
        }
        if let Some((c, seq)) = history_parts(key) {
            let e = self.events.entry_of(seq)?;
            if e.offset.is_some() && e.linked && e.conversation == c {
                return Ok(Some(Vec::new()));
            }
        }
        Ok(None)
    }

    /// Up to `limit` pairs kept here with `from <= key < to` (`to`: `None`
    /// for no end), in key order.
    pub(super) fn pairs(&self, from: &[u8], to: Option<&[u8]>, limit: usize) -> Result<Pairs> {
        let within = |k: &[u8]| k >= from && to.is_none_or(|to| k < to);
        let mut out = Vec::new();
        if let Some(first) = first_number_from(b"e/", from) {
            let below = |seq: u64| to.is_none_or(|to| event_key(seq).as_slice() < to);
            for (seq, v) in self.events.range(first, limit.saturating_add(1), below)? {
                let k = event_key(seq);
                if within(&k) && out.len() < limit {
                    out.push((k, v));
                }
            }
        }
        // Every event key sorts before every history key.
        let Some(first) = first_number_from(b"h/", from) else {
            return Ok(out);
        };
        let (start, end) = self.history.span();
        for c in first.max(start)..end {
            let mut prefix = b"h/".to_vec();
            prefix.extend_from_slice(&c.to_be_bytes());
            if to.is_some_and(|to| prefix.as_slice() >= to) || out.len() >= limit {
                break;
            }
            for seq in self.history.chain(&self.events, c)? {
                let mut k = prefix.clone();
                k.extend_from_slice(&seq.to_be_bytes());
                if within(&k) && out.len() < limit {
                    out.push((k, Vec::new()));
                }
            }
        }
        Ok(out)
    }

    /// Makes everything here durable (a checkpoint, before the log is emptied).
    pub(super) fn sync(&self) -> Result<()> {
        self.events.sync()?;
        self.history.checkpoint()
    }
}

/// The first key after every key that starts with `prefix` (`None`: no end).
pub(super) fn successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// Sled's pairs and those kept beside it as one key-ordered list, at most
/// `limit` long. A key in both (an event an older version wrote into sled
/// and written here again) is read from here, as `get` does.
pub(super) fn merge(sled: Pairs, beside: Pairs, limit: usize) -> Pairs {
    if beside.is_empty() {
        return sled;
    }
    let mut out = Vec::with_capacity((sled.len() + beside.len()).min(limit));
    let (mut a, mut b) = (sled.into_iter().peekable(), beside.into_iter().peekable());
    while out.len() < limit {
        let next = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) if x.0 == y.0 => a.next().and(b.next()),
            (Some(x), Some(y)) if x.0 < y.0 => a.next(),
            (Some(_), Some(_)) | (None, Some(_)) => b.next(),
            (Some(_), None) => a.next(),
            (None, None) => None,
        };
        let Some(next) = next else { break };
        out.push(next);
    }
    out
}
