//! What the sled store keeps beside sled rather than in its tree: the
//! events and the replies' outbox entries (`numbered_file`: `events/`,
//! `outbox/`) and each conversation's history (`event_history`). `apply` sends each write to its place (what does not
//! fit goes to sled as before); reads look here first; scans here come in
//! key order, to be merged with sled's (`merge`).

use std::collections::BTreeSet;
use std::path::Path;

use super::event_history::History;
use super::keys::{first_number_from, history_parts, numbered, numbered_key};
use super::numbered_file::NumberedFile;
use super::packing::Packer;
use super::{Result, WriteSet};

type Pairs = Vec<(Vec<u8>, Vec<u8>)>;

/// The numbered records kept in files, by key prefix, with their folders.
const FILES: [(&[u8], &str); 2] = [(b"e/", "events"), (b"o/", "outbox")];
const EVENTS: usize = 0;

#[derive(Debug)]
pub(super) struct Beside {
    /// In the order of `FILES`.
    files: [NumberedFile; 2],
    history: History,
}

impl Beside {
    /// Opens `<dir>/events/` and `<dir>/outbox/`. `pending`: the write sets the write-ahead log
    /// still holds (a crash): the conversations they touch get their heads
    /// of the last checkpoint back before the sets are applied again.
    pub(super) fn open(dir: &Path, pending: &[WriteSet]) -> Result<Self> {
        // Both files' records are JSON of the same words: one packer.
        let packer = std::sync::Arc::new(Packer::events()?);
        let files = [
            NumberedFile::open(dir, FILES[0].1, Some(packer.clone()))?,
            NumberedFile::open(dir, FILES[1].1, Some(packer))?,
        ];
        let history = History::open(dir)?;
        let touched: BTreeSet<u64> = pending
            .iter()
            .flat_map(|set| set.writes.keys())
            .filter_map(|k| history_parts(k).map(|(c, _)| c))
            .collect();
        history.restore(&touched)?;
        Ok(Self { files, history })
    }

    /// Which file keeps `key`, if any, and its number there.
    fn file_of(&self, key: &[u8]) -> Option<(usize, u64)> {
        FILES
            .iter()
            .enumerate()
            .find_map(|(i, (prefix, _))| Some((i, numbered(prefix, key)?)))
    }

    /// Applies `writes`: numbered records and history links here, the rest to `db`.
    pub(super) fn apply(&self, db: &sled::Db, writes: &WriteSet) -> Result<()> {
        let mut puts: [Vec<(u64, &[u8])>; 2] = Default::default();
        let mut rest = Vec::new();
        for (k, v) in &writes.writes {
            match (self.file_of(k), v) {
                (Some((i, n)), Some(v)) if self.files[i].takes(n) => puts[i].push((n, v.as_slice())),
                // Erased here, and from sled too: a record an older version
                // wrote there may have been written here again (its log
                // replayed by this version).
                (Some((i, n)), None) if self.files[i].erase(n)? => drop(db.remove(k.as_slice())?),
                _ => rest.push((k, v)),
            }
        }
        // Events first: a history links only events already here.
        for (file, puts) in self.files.iter().zip(&puts) {
            file.put_many(puts)?;
        }
        let events = &self.files[EVENTS];
        for (k, v) in rest {
            let here = match (history_parts(k), v) {
                (Some((c, seq)), Some(v)) if v.is_empty() => self.history.link(events, c, seq)?,
                (Some((c, seq)), None) => self.history.unlink(events, c, seq)?,
                _ => false,
            };
            match v {
                Some(v) if !here => drop(db.insert(k.as_slice(), v.as_slice())?),
                Some(_) => {}
                // As for records: a copy in sled goes too.
                None => drop(db.remove(k.as_slice())?),
            }
        }
        Ok(())
    }

    /// The value of `key` if it is kept here (else: look in sled).
    pub(super) fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        if let Some((i, n)) = self.file_of(key) {
            return self.files[i].get(n);
        }
        if let Some((c, seq)) = history_parts(key) {
            let e = self.files[EVENTS].entry_of(seq)?;
            if e.offset.is_some() && e.linked && e.conversation == c {
                return Ok(Some(Vec::new()));
            }
        }
        Ok(None)
    }

    /// Up to `limit` pairs kept here with `from <= key < to` (`to`: `None`
    /// for no end), in key order.
    pub(super) fn pairs(&self, from: &[u8], to: Option<&[u8]>, limit: usize) -> Result<Pairs> {
        // In key order: events (`e/`), histories (`h/`), the outbox (`o/`).
        let mut out = Vec::new();
        self.numbered_pairs(EVENTS, from, to, limit, &mut out)?;
        self.history_pairs(from, to, limit, &mut out)?;
        self.numbered_pairs(1, from, to, limit, &mut out)?;
        Ok(out)
    }

    fn numbered_pairs(&self, i: usize, from: &[u8], to: Option<&[u8]>, limit: usize, out: &mut Pairs) -> Result<()> {
        let prefix = FILES[i].0;
        let Some(first) = first_number_from(prefix, from) else {
            return Ok(());
        };
        let below = |n: u64| to.is_none_or(|to| numbered_key(prefix, n).as_slice() < to);
        let wanted = limit.saturating_sub(out.len()).saturating_add(1);
        for (n, v) in self.files[i].range(first, wanted, below)? {
            let k = numbered_key(prefix, n);
            if k.as_slice() >= from && out.len() < limit {
                out.push((k, v));
            }
        }
        Ok(())
    }

    fn history_pairs(&self, from: &[u8], to: Option<&[u8]>, limit: usize, out: &mut Pairs) -> Result<()> {
        let Some(first) = first_number_from(b"h/", from) else {
            return Ok(());
        };
        let within = |k: &[u8]| k >= from && to.is_none_or(|to| k < to);
        let (start, end) = self.history.span();
        for c in first.max(start)..end {
            let mut prefix = b"h/".to_vec();
            prefix.extend_from_slice(&c.to_be_bytes());
            if to.is_some_and(|to| prefix.as_slice() >= to) || out.len() >= limit {
                break;
            }
            for seq in self.history.chain(&self.files[EVENTS], c)? {
                let mut k = prefix.clone();
                k.extend_from_slice(&seq.to_be_bytes());
                if within(&k) && out.len() < limit {
                    out.push((k, Vec::new()));
                }
            }
        }
        Ok(())
    }

    /// Makes everything here durable (a checkpoint, before the log is emptied).
    pub(super) fn sync(&self) -> Result<()> {
        for file in &self.files {
            file.sync()?;
        }
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
