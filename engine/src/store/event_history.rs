//! Each conversation's history on the sled store (`h/<conversation><seq>`,
//! empty values) without a sled item per event: a chain through the event
//! file's index entries (each event names its conversation and the
//! conversation's event before it), and one head per conversation in
//! `<dir>/events/heads`.
//!
//! Why: sled keeps small items spread over many keys at many times their
//! size (measured in the scale bench: 18 live bytes of `h/` per event took
//! about 300 bytes of sled's file, and its page table grew with them).
//!
//! `events/heads`: a header (`MAGIC`, the first conversation id it holds),
//! then per conversation id `current + 1: u64 LE` and `durable + 1: u64
//! LE`: its newest linked event now, and as of the last checkpoint. Links
//! and heads are written without syncing, like the event file; a
//! checkpoint syncs the index first, then sets each changed head's
//! `durable` and syncs this file. After a crash, the write-ahead log's
//! conversations get their `durable` head back (`restore`) before the log
//! is replayed, so every link is made again from a state that was durable,
//! in the same order as before.
//!
//! What does not fit (a conversation id out of range, an event not in the
//! file, a link out of order) is left to sled as an ordinary key; the sled
//! store reads both.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

use super::numbered_file::{Entry, NumberedFile};
use super::{Result, StoreError};

const MAGIC: &[u8; 8] = b"smsdhds1";
const HEADER: u64 = 16;
const SLOT: u64 = 16;
/// How far past the last slot a conversation id may jump and still be kept here.
const SLACK: u64 = 1 << 16;
/// Conversation ids at most this far past the first slot are kept here.
const MAX_SPAN: u64 = 1 << 40;

#[derive(Debug)]
pub(super) struct History {
    file: File,
    state: Mutex<Heads>,
}

#[derive(Debug)]
struct Heads {
    base: Option<u64>,
    slots: u64,
    /// The slots written since the last checkpoint, `(current, durable)`,
    /// as in the file: read here without a `pread`, and made durable by
    /// the next checkpoint.
    written: BTreeMap<u64, (Option<u64>, Option<u64>)>,
}

fn corrupt(conversation: u64, message: &str) -> StoreError {
    StoreError::Corrupt {
        key: format!("events/heads (conversation {conversation})"),
        message: message.to_owned(),
    }
}

impl History {
    /// Opens (or creates) `<dir>/events/heads`.
    pub(super) fn open(dir: &Path) -> Result<Self> {
        let path = dir.join("events").join("heads");
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)?;
        let mut len = file.metadata()?.len();
        if len < HEADER {
            // New: the header first, durable, and the file's name in its folder.
            let mut header = MAGIC.to_vec();
            header.extend_from_slice(&0u64.to_le_bytes());
            file.write_all_at(&header, 0)?;
            file.sync_data()?;
            File::open(dir.join("events"))?.sync_all()?;
            len = HEADER;
        }
        let base = if len >= HEADER {
            let mut header = [0u8; HEADER as usize];
            file.read_exact_at(&mut header, 0)?;
            if &header[..8] != MAGIC {
                return Err(StoreError::Corrupt {
                    key: path.display().to_string(),
                    message: "not an smsdesk history file (its header is wrong)".to_owned(),
                });
            }
            Some(u64::from_le_bytes(header[8..].try_into().unwrap_or_default()))
        } else {
            None
        };
        let heads = Heads {
            base,
            slots: len.saturating_sub(HEADER) / SLOT,
            written: BTreeMap::new(),
        };
        Ok(Self {
            file,
            state: Mutex::new(heads),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Heads> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `(current, durable)` of `conversation`.
    fn slot(&self, h: &Heads, conversation: u64) -> Result<(Option<u64>, Option<u64>)> {
        if let Some(slot) = h.written.get(&conversation) {
            return Ok(*slot);
        }
        let Some(i) = h
            .base
            .and_then(|b| conversation.checked_sub(b))
            .filter(|i| *i < h.slots)
        else {
            return Ok((None, None));
        };
        let mut raw = [0u8; SLOT as usize];
        self.file.read_exact_at(&mut raw, HEADER + i * SLOT)?;
        let word = |r: std::ops::Range<usize>| u64::from_le_bytes(raw[r].try_into().unwrap_or_default()).checked_sub(1);
        Ok((word(0..8), word(8..16)))
    }

    fn write_slot(&self, h: &mut Heads, conversation: u64, current: Option<u64>, durable: Option<u64>) -> Result<()> {
        // Slots from conversation 0 on (the header says so): a store that
        // began before this file has older conversations still open. An
        // unused stretch is a hole in the file, not disk.
        let base = h.base.unwrap_or(0);
        let i = conversation
            .checked_sub(base)
            .filter(|i| *i < MAX_SPAN)
            .ok_or_else(|| corrupt(conversation, "out of the file's range"))?;
        let mut raw = [0u8; SLOT as usize];
        raw[..8].copy_from_slice(&current.map_or(0, |c| c + 1).to_le_bytes());
        raw[8..].copy_from_slice(&durable.map_or(0, |d| d + 1).to_le_bytes());
        self.file.write_all_at(&raw, HEADER + i * SLOT)?;
        h.slots = h.slots.max(i + 1);
        h.written.insert(conversation, (current, durable));
        Ok(())
    }

    fn set_current(&self, h: &mut Heads, conversation: u64, current: Option<u64>) -> Result<()> {
        let (_, durable) = self.slot(h, conversation)?;
        self.write_slot(h, conversation, current, durable)
    }

    fn takes(h: &Heads, conversation: u64) -> bool {
        let base = h.base.unwrap_or(0);
        conversation >= base
            && conversation - base < MAX_SPAN
            && (h.slots == 0 || conversation - base <= h.slots.saturating_add(SLACK))
    }

    /// Adds event `seq` to `conversation`'s history; false when it does
    /// not fit here (the caller keeps the key in sled).
    pub(super) fn link(&self, events: &NumberedFile, conversation: u64, seq: u64) -> Result<bool> {
        let mut h = self.lock();
        let entry = events.entry_of(seq)?;
        if !Self::takes(&h, conversation) || entry.offset.is_none() {
            return Ok(false);
        }
        let (head, _) = self.slot(&h, conversation)?;
        if head.is_some_and(|head| head >= seq) {
            // Already linked (a replayed commit), or out of order.
            return Ok(entry.linked && entry.conversation == conversation);
        }
        let linked = Entry {
            linked: true,
            conversation,
            previous: head,
            ..entry
        };
        events.set_link(seq, linked)?;
        self.set_current(&mut h, conversation, Some(seq))?;
        Ok(true)
    }

    /// Takes event `seq` out of `conversation`'s history; false when it
    /// was not linked here (the caller removes the key from sled).
    pub(super) fn unlink(&self, events: &NumberedFile, conversation: u64, seq: u64) -> Result<bool> {
        let mut h = self.lock();
        let entry = events.entry_of(seq)?;
        if !(entry.offset.is_some() && entry.linked && entry.conversation == conversation) {
            return Ok(false);
        }
        events.set_link(seq, Entry { linked: false, ..entry })?;
        let (head, _) = self.slot(&h, conversation)?;
        if head == Some(seq) {
            // The head moves back to the newest event still linked.
            let mut at = entry.previous;
            while let Some(s) = at {
                let e = events.entry_of(s)?;
                if e.linked && e.conversation == conversation {
                    break;
                }
                at = e.previous.filter(|p| *p < s);
            }
            self.set_current(&mut h, conversation, at)?;
        }
        Ok(true)
    }

    /// The events linked into `conversation`'s history, oldest first.
    pub(super) fn chain(&self, events: &NumberedFile, conversation: u64) -> Result<Vec<u64>> {
        let (head, _) = {
            let h = self.lock();
            self.slot(&h, conversation)?
        };
        let mut seqs = Vec::new();
        let mut at = head;
        while let Some(s) = at {
            let e = events.entry_of(s)?;
            if e.conversation != conversation || e.offset.is_none() {
                return Err(corrupt(
                    conversation,
                    "its history leads to another conversation's event",
                ));
            }
            if e.linked {
                seqs.push(s);
            }
            at = match e.previous {
                Some(p) if p >= s => return Err(corrupt(conversation, "its history runs in a circle")),
                p => p,
            };
        }
        seqs.reverse();
        Ok(seqs)
    }

    /// The conversation ids this file has slots for: `[first, end)`.
    pub(super) fn span(&self) -> (u64, u64) {
        let h = self.lock();
        h.base.map_or((0, 0), |b| (b, b + h.slots))
    }

    /// After a crash: `conversations` (those the write-ahead log touches)
    /// get the head they had at the last checkpoint, so the log's replay
    /// links their events again from there.
    pub(super) fn restore(&self, conversations: &BTreeSet<u64>) -> Result<()> {
        let mut h = self.lock();
        for c in conversations {
            let (current, durable) = self.slot(&h, *c)?;
            if current != durable {
                self.write_slot(&mut h, *c, durable, durable)?;
            }
        }
        Ok(())
    }

    /// Marks the heads that moved as durable and syncs. Call after the
    /// event file is synced, before the write-ahead log is emptied.
    pub(super) fn checkpoint(&self) -> Result<()> {
        let mut h = self.lock();
        // Forgotten only once durable: after a failure here, the next
        // checkpoint writes them all again.
        let written: Vec<_> = h.written.iter().map(|(c, slot)| (*c, *slot)).collect();
        for (c, (current, durable)) in written {
            if current != durable {
                self.write_slot(&mut h, c, current, current)?;
            }
        }
        self.file.sync_data()?;
        h.written.clear();
        Ok(())
    }
}

#[cfg(test)]
#[path = "event_history_tests.rs"]
mod tests;
