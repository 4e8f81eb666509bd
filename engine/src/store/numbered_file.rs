//! An append-only file of numbered records beside sled (`<dir>/<name>/`):
//! the sled store keeps its events there (`events/`, `e/<seq>`: the
//! largest record, one per event) and its replies' outbox entries
//! (`outbox/`, `o/<message id>`), not in sled's tree.
//!
//! Why: sled 0.34 keeps several times the live bytes on disk (a leaf is
//! rewritten whole after ten changes; a segment is cleaned only once less
//! than half of it is live) and its page table grows with the number of
//! items. These records are written once, in number order, and never
//! changed: a file holds them at their own size, and sled keeps only the
//! records that change.
//!
//! - `<name>/log`: records `len: u32 LE | crc32(number LE, value): u32 LE
//!   | number: u64 LE | value`, appended. The top bit of `len` (`PACKED`)
//!   says the value is packed (`packing`: both files' are; `len` and the
//!   checksum are then the packed bytes', and the checksum covers the
//!   flag too, so a flipped flag is a damaged record, not a wrong value).
//! - `<name>/index`: a header (`MAGIC`, or `MAGIC_PACKED` once the file
//!   may hold packed records, which a version that cannot read them
//!   refuses at open; the first number the file holds,
//!   `base` (`u64::MAX` until the first record), and how far the log was
//!   synced at the last checkpoint), then one 32-byte entry per number
//!   from `base` on:
//!   `offset + 1: u64 LE` (0: none; the top bit: erased), `len: u32 LE`,
//!   `flags: u32 LE` (bit 0: in its conversation's history),
//!   `conversation: u64 LE`, `previous + 1: u64 LE` (the conversation's
//!   event before it; `event_history`, events only). A lookup is two
//!   `pread`s.
//!
//! Nothing here is synced by itself (but the header, once, when `base` is
//! set): the write-ahead log holds every write until a checkpoint, which
//! calls `sync` before emptying it. `sync` records how far the log is
//! durable; at open the log is cut back to there, so after a crash the
//! log's replay appends again, in the same order, everything written since
//! (no stray copy of a record stays behind for erasure to miss). Replaying
//! a put that already reached the file finds the same record and leaves
//! it. An erased record's bytes are overwritten with zeros and, where whole
//! blocks of erased records line up, given back to the file system (a hole
//! punched), so `storage.retention` bounds this file as it bounds sled.
//!
//! Numbers below `base` (written by a version before this file, or not in
//! order) stay in sled; the sled store looks in both.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use super::packing::Packer;
use super::{Result, StoreError};

const MAGIC: &[u8; 8] = b"smsdrec1";
/// The header of a file that may hold packed records.
const MAGIC_PACKED: &[u8; 8] = b"smsdrec2";
/// Hashed into a packed record's checksum (after its number).
const PACKED_TAG: &[u8] = b"zstd:events.dict";
const HEADER: u64 = 24;
const UNSET: u64 = u64::MAX;
const ENTRY: u64 = 32;
const RECORD_HEADER: u64 = 16;
/// In a record's `len`: its value is packed.
const PACKED: u32 = 1 << 31;
const ERASED: u64 = 1 << 63;
/// How far past the last entry a sequence number may jump and still be
/// kept here (a larger gap goes to sled rather than leave a hole of index).
const SLACK: u64 = 1 << 16;
/// Numbers at most this far past `base` are kept here (the index's
/// offsets stay far from overflowing).
const MAX_SPAN: u64 = 1 << 40;
/// How many erased neighbours on each side an erasure looks at for whole
/// blocks to give back.
const RUN: u64 = 64;
const BLOCK: u64 = 4096;
/// Index entries read at once by a scan.
const CHUNK: u64 = 128;

#[derive(Debug)]
pub(super) struct NumberedFile {
    /// The folder's name, for messages: `events` or `outbox`.
    name: &'static str,
    log: File,
    index: File,
    tail: Mutex<Tail>,
    /// The header's: `MAGIC_PACKED` once the file may hold packed records.
    magic: &'static [u8; 8],
    /// How values are packed, if they are; shared by the files (its
    /// contexts are large).
    packer: Option<Arc<Packer>>,
}

#[derive(Clone, Copy, Debug)]
struct Tail {
    /// The first sequence number kept here; `None` until the first event.
    base: Option<u64>,
    entries: u64,
    log_end: u64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Entry {
    /// Where the record starts, if there is one (erased or not).
    pub(super) offset: Option<u64>,
    pub(super) erased: bool,
    pub(super) len: u32,
    /// In the history of `conversation` (`event_history`).
    pub(super) linked: bool,
    pub(super) conversation: u64,
    /// The conversation's event before this one, linked or not.
    pub(super) previous: Option<u64>,
}

const LINKED: u32 = 1;

impl Entry {
    fn live(self) -> Option<(u64, u32)> {
        self.offset.filter(|_| !self.erased).map(|o| (o, self.len))
    }

    fn encode(self) -> [u8; ENTRY as usize] {
        let mut raw = [0u8; ENTRY as usize];
        let word = self
            .offset
            .map_or(0, |o| (o + 1) | if self.erased { ERASED } else { 0 });
        raw[..8].copy_from_slice(&word.to_le_bytes());
        raw[8..12].copy_from_slice(&self.len.to_le_bytes());
        raw[12..16].copy_from_slice(&(if self.linked { LINKED } else { 0 }).to_le_bytes());
        raw[16..24].copy_from_slice(&self.conversation.to_le_bytes());
        raw[24..32].copy_from_slice(&self.previous.map_or(0, |p| p + 1).to_le_bytes());
        raw
    }

    fn decode(raw: &[u8]) -> Self {
        let word = |r: std::ops::Range<usize>| u64::from_le_bytes(raw[r].try_into().unwrap_or_default());
        let half = |r: std::ops::Range<usize>| u32::from_le_bytes(raw[r].try_into().unwrap_or_default());
        Self {
            offset: (word(0..8) & !ERASED).checked_sub(1),
            erased: word(0..8) & ERASED != 0,
            len: half(8..12),
            linked: half(12..16) & LINKED != 0,
            conversation: word(16..24),
            previous: word(24..32).checked_sub(1),
        }
    }
}

fn corrupt(name: &str, seq: u64, message: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        key: format!("{name}/log (record {seq})"),
        message: message.into(),
    }
}

fn header(magic: &[u8; 8], base: u64, durable_end: u64) -> Vec<u8> {
    let mut header = magic.to_vec();
    header.extend_from_slice(&base.to_le_bytes());
    header.extend_from_slice(&durable_end.to_le_bytes());
    header
}

fn checksum(seq: u64, value: &[u8], packed: bool) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(&seq.to_le_bytes());
    if packed {
        h.update(PACKED_TAG);
    }
    h.update(value);
    h.finalize()
}

impl NumberedFile {
    /// Opens (or creates) `<dir>/<name>/`; `packer`: how new values are
    /// packed (and packed records read), if at all.
    pub(super) fn open(dir: &Path, name: &'static str, packer: Option<Arc<Packer>>) -> Result<Self> {
        let dir = dir.join(name);
        std::fs::create_dir_all(&dir)?;
        let open = |name: &str| {
            OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(dir.join(name))
        };
        let (log, index) = (open("log")?, open("index")?);
        let index_len = index.metadata()?.len();
        let (found, base, durable_end) = if index_len >= HEADER {
            let mut header = [0u8; HEADER as usize];
            index.read_exact_at(&mut header, 0)?;
            let magic = match &header[..8] {
                m if m == MAGIC => MAGIC,
                m if m == MAGIC_PACKED => MAGIC_PACKED,
                _ => {
                    return Err(StoreError::Corrupt {
                        key: dir.join("index").display().to_string(),
                        message: "not an smsdesk record index (its header is wrong)".to_owned(),
                    })
                }
            };
            let word = |r: std::ops::Range<usize>| u64::from_le_bytes(header[r].try_into().unwrap_or_default());
            (Some(magic), Some(word(8..16)).filter(|b| *b != UNSET), word(16..24))
        } else {
            (None, None, 0)
        };
        // The header first, durable, before any record: new, or now packing.
        let magic = match (found, &packer) {
            (_, Some(_)) => MAGIC_PACKED,
            (Some(magic), None) => magic,
            (None, None) => MAGIC,
        };
        if Some(magic) != found {
            index.write_all_at(&header(magic, base.unwrap_or(UNSET), durable_end), 0)?;
            index.sync_data()?;
        }
        // What was written after the last checkpoint is in the write-ahead
        // log, which is replayed next: cut it, to be appended again.
        if log.metadata()?.len() > durable_end {
            log.set_len(durable_end)?;
            log.sync_data()?;
        }
        let tail = Tail {
            base,
            entries: index_len.saturating_sub(HEADER) / ENTRY,
            log_end: durable_end,
        };
        File::open(&dir)?.sync_all()?;
        Ok(Self {
            name,
            log,
            index,
            tail: Mutex::new(tail),
            magic,
            packer,
        })
    }

    fn tail(&self) -> Tail {
        *self.tail.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether event `seq` belongs here (else in sled).
    pub(super) fn takes(&self, seq: u64) -> bool {
        let t = self.tail();
        t.base.map_or(seq < UNSET, |b| {
            seq >= b && seq - b <= t.entries.saturating_add(SLACK) && seq - b < MAX_SPAN
        })
    }

    fn entry(&self, t: &Tail, seq: u64) -> Result<Entry> {
        let Some(i) = t.base.and_then(|b| seq.checked_sub(b)).filter(|i| *i < t.entries) else {
            return Ok(Entry::default());
        };
        let mut raw = [0u8; ENTRY as usize];
        self.index.read_exact_at(&mut raw, HEADER + i * ENTRY)?;
        Ok(Entry::decode(&raw))
    }

    fn write_entry(&self, t: &mut Tail, seq: u64, entry: Entry) -> Result<()> {
        let base = match t.base {
            Some(base) => base,
            None => {
                // Once: the entries mean nothing without their base.
                self.index.write_all_at(&header(self.magic, seq, 0), 0)?;
                self.index.sync_data()?;
                *t.base.insert(seq)
            }
        };
        let i = seq
            .checked_sub(base)
            .filter(|i| *i < MAX_SPAN)
            .ok_or_else(|| corrupt(self.name, seq, "a number this file cannot index"))?;
        self.index.write_all_at(&entry.encode(), HEADER + i * ENTRY)?;
        t.entries = t.entries.max(i + 1);
        Ok(())
    }

    /// Appends the events (in sequence order, as a write set holds them),
    /// skipping any already here with the same value (a replayed commit).
    pub(super) fn put_many(&self, events: &[(u64, &[u8])]) -> Result<()> {
        // Packed before the lock: readers wait only for the writes.
        let packed: Vec<Option<Vec<u8>>> = events
            .iter()
            .map(|(_, value)| self.packer.as_ref().and_then(|p| p.pack(value)))
            .collect();
        let mut t = self.tail.lock().unwrap_or_else(PoisonError::into_inner);
        let mut buf = Vec::new();
        let mut entries = Vec::new();
        for ((seq, value), packed) in events.iter().zip(&packed) {
            // A replayed commit finds its record; a record a power cut tore
            // (it fails its checksum) is written again.
            if let Ok(Some(existing)) = self.read_live(&t, *seq) {
                if existing == *value {
                    continue;
                }
            }
            let stored: &[u8] = packed.as_deref().unwrap_or(value);
            let len = u32::try_from(stored.len())
                .ok()
                .filter(|len| *len < PACKED)
                .ok_or_else(|| corrupt(self.name, *seq, "a record larger than 2 GiB"))?;
            let flag = if packed.is_some() { PACKED } else { 0 };
            let offset = t.log_end + buf.len() as u64;
            buf.extend_from_slice(&(len | flag).to_le_bytes());
            buf.extend_from_slice(&checksum(*seq, stored, packed.is_some()).to_le_bytes());
            buf.extend_from_slice(&seq.to_le_bytes());
            buf.extend_from_slice(stored);
            // A record written again keeps its place in the history.
            let old = self.entry(&t, *seq)?;
            entries.push((
                *seq,
                Entry {
                    offset: Some(offset),
                    erased: false,
                    len,
                    ..old
                },
            ));
        }
        if buf.is_empty() {
            return Ok(());
        }
        self.log.write_all_at(&buf, t.log_end)?;
        t.log_end += buf.len() as u64;
        for (seq, entry) in entries {
            self.write_entry(&mut t, seq, entry)?;
        }
        Ok(())
    }

    fn read_live(&self, t: &Tail, seq: u64) -> Result<Option<Vec<u8>>> {
        match self.entry(t, seq)?.live() {
            Some((offset, len)) => self.read_record(seq, offset, len).map(Some),
            None => Ok(None),
        }
    }

    fn read_record(&self, seq: u64, offset: u64, len: u32) -> Result<Vec<u8>> {
        let mut record = vec![0u8; RECORD_HEADER as usize + len as usize];
        self.log
            .read_exact_at(&mut record, offset)
            .map_err(|e| corrupt(self.name, seq, format!("the index points past the log's end ({e})")))?;
        let (header, value) = record.split_at(RECORD_HEADER as usize);
        let word = u32::from_le_bytes(header[..4].try_into().unwrap_or_default());
        let crc = u32::from_le_bytes(header[4..8].try_into().unwrap_or_default());
        let stored_seq = u64::from_le_bytes(header[8..16].try_into().unwrap_or_default());
        if word & !PACKED != len {
            return Err(corrupt(self.name, seq, "the record's length does not match the index"));
        }
        if stored_seq != seq || crc != checksum(seq, value, word & PACKED != 0) {
            return Err(corrupt(self.name, seq, "the record does not match its checksum"));
        }
        if word & PACKED == 0 {
            record.drain(..RECORD_HEADER as usize);
            return Ok(record);
        }
        match &self.packer {
            Some(packer) => packer.unpack(value).map_err(|e| corrupt(self.name, seq, e)),
            None => Err(corrupt(self.name, seq, "a packed record in a file that packs none")),
        }
    }

    /// Event `seq`'s index entry (the default one if there is none).
    pub(super) fn entry_of(&self, seq: u64) -> Result<Entry> {
        let t = self.tail();
        self.entry(&t, seq)
    }

    /// Writes event `seq`'s entry as read with `entry_of`, its place in a
    /// history changed (`event_history`); the record must be here.
    pub(super) fn set_link(&self, seq: u64, entry: Entry) -> Result<()> {
        if entry.offset.is_none() {
            return Err(corrupt(self.name, seq, "linked into a history without a record"));
        }
        let mut t = self.tail.lock().unwrap_or_else(PoisonError::into_inner);
        self.write_entry(&mut t, seq, entry)
    }

    /// Event `seq`, if this file holds it.
    pub(super) fn get(&self, seq: u64) -> Result<Option<Vec<u8>>> {
        let t = self.tail();
        self.read_live(&t, seq)
    }

    /// Up to `limit` events with `from <= seq`, in order, while `below(seq)`.
    pub(super) fn range(&self, from: u64, limit: usize, below: impl Fn(u64) -> bool) -> Result<Vec<(u64, Vec<u8>)>> {
        let t = self.tail();
        let Some(base) = t.base else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        let mut seq = from.max(base);
        // The index in chunks: erased stretches cost one read per chunk.
        let mut chunk = vec![0u8; (CHUNK * ENTRY) as usize];
        while out.len() < limit && seq - base < t.entries && below(seq) {
            let count = CHUNK.min(t.entries - (seq - base));
            let bytes = &mut chunk[..(count * ENTRY) as usize];
            self.index.read_exact_at(bytes, HEADER + (seq - base) * ENTRY)?;
            for raw in bytes.chunks_exact(ENTRY as usize) {
                if out.len() >= limit || !below(seq) {
                    break;
                }
                if let Some((offset, len)) = Entry::decode(raw).live() {
                    out.push((seq, self.read_record(seq, offset, len)?));
                }
                seq += 1;
            }
        }
        Ok(out)
    }

    /// Erases event `seq`: zeros over its record, the entry marked, and
    /// whole blocks of erased records given back. Whether it was here.
    pub(super) fn erase(&self, seq: u64) -> Result<bool> {
        let mut t = self.tail.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = self.entry(&t, seq)?;
        let Some(offset) = entry.offset else {
            return Ok(false);
        };
        // Zeros again even if marked erased already: a replayed erasure
        // after a power cut that kept the mark but not the zeros. Not past
        // the log's end (a record cut at open is appended again first).
        let end = (offset + RECORD_HEADER + u64::from(entry.len)).min(t.log_end);
        if end > offset {
            self.log.write_all_at(&vec![0u8; (end - offset) as usize], offset)?;
        }
        if !entry.erased {
            self.write_entry(&mut t, seq, Entry { erased: true, ..entry })?;
        }
        self.give_back(&t, seq, offset, offset + RECORD_HEADER + u64::from(entry.len))
    }

    /// Punches a hole over the whole blocks of the run of erased records
    /// around `seq` (at most `RUN` on each side, contiguous in the log).
    fn give_back(&self, t: &Tail, seq: u64, mut start: u64, mut end: u64) -> Result<bool> {
        for s in (seq.saturating_sub(RUN)..seq).rev() {
            match self.entry(t, s)? {
                Entry {
                    offset: Some(o),
                    erased: true,
                    len,
                    ..
                } if o + RECORD_HEADER + u64::from(len) == start => start = o,
                _ => break,
            }
        }
        for s in seq + 1..=seq.saturating_add(RUN) {
            match self.entry(t, s)? {
                Entry {
                    offset: Some(o),
                    erased: true,
                    len,
                    ..
                } if o == end => end = o + RECORD_HEADER + u64::from(len),
                _ => break,
            }
        }
        let (from, to) = (start.div_ceil(BLOCK) * BLOCK, end / BLOCK * BLOCK);
        if to > from {
            use rustix::fs::{fallocate, FallocateFlags};
            // A file system without holes keeps the zeros: erased all the same.
            if let Err(e) = fallocate(
                &self.log,
                FallocateFlags::PUNCH_HOLE | FallocateFlags::KEEP_SIZE,
                from,
                to - from,
            ) {
                tracing::debug!(error = %e, "could not punch a hole in a record log; its zeros stay");
            }
        }
        Ok(true)
    }

    /// Makes everything written so far durable, and records how far the
    /// log is (where the next open cuts it back to).
    pub(super) fn sync(&self) -> Result<()> {
        let t = self.tail.lock().unwrap_or_else(PoisonError::into_inner);
        self.log.sync_data()?;
        self.index
            .write_all_at(&header(self.magic, t.base.unwrap_or(UNSET), t.log_end), 0)?;
        self.index.sync_data()?;
        Ok(())
    }
}

#[cfg(test)]
#[path = "numbered_file_tests.rs"]
mod tests;
