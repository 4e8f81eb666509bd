//! The write-ahead log that makes sled commits durable.
//!
//! Each commit is appended as one record and `fdatasync`ed before `commit`
//! returns; sled gets the same writes afterwards without waiting for its own
//! flush. At open, every record still in the log is applied to sled again
//! (records hold whole values, so replaying is idempotent), then sled is
//! flushed and synced and the log is emptied: a checkpoint. A torn last
//! record (the process died mid-append) was never acknowledged, so it is cut.
//!
//! Record: `len: u32 LE | crc32(payload): u32 LE | payload`.
//! Payload: `count: u32`, then per write `op: u8 (1 put, 0 delete) | klen:
//! u32 | key | [vlen: u32 | value]`.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use super::{Result, StoreError, WriteSet};

#[derive(Debug)]
pub struct Wal {
    file: File,
    len: u64,
}

impl Wal {
    /// Opens (or creates) the log; returns it and the write sets it still holds, oldest first.
    pub fn open(path: &Path) -> Result<(Self, Vec<WriteSet>)> {
        let mut file = OpenOptions::new().read(true).append(true).create(true).open(path)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        let mut sets = Vec::new();
        let mut at = 0usize;
        while let Some((set, next)) = read_record(&bytes, at) {
            sets.push(set);
            at = next;
        }
        if at < bytes.len() {
            tracing::warn!(
                path = %path.display(),
                dropped_bytes = bytes.len() - at,
                "write-ahead log ends in a torn record (never acknowledged); cutting it"
            );
            file.set_len(at as u64)?;
            file.sync_all()?;
        }
        file.seek(SeekFrom::End(0))?;
        Ok((Self { file, len: at as u64 }, sets))
    }

    /// Appends one write set and returns once it is on disk.
    pub fn append(&mut self, writes: &WriteSet) -> Result<()> {
        let payload = encode(writes);
        let len = u32::try_from(payload.len()).map_err(|_| StoreError::Corrupt {
            key: "wal".into(),
            message: "a single commit larger than 4 GiB".into(),
        })?;
        let mut record = Vec::with_capacity(payload.len() + 8);
        record.extend_from_slice(&len.to_le_bytes());
        record.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
        record.extend_from_slice(&payload);
        self.file.write_all(&record)?;
        self.file.sync_data()?;
        self.len += record.len() as u64;
        Ok(())
    }

    /// Empties the log; call only once everything in it is durable elsewhere.
    pub fn reset(&mut self) -> Result<()> {
        self.file.set_len(0)?;
        self.file.sync_all()?;
        self.len = 0;
        Ok(())
    }

    pub fn len(&self) -> u64 {
        self.len
    }
}

fn encode(writes: &WriteSet) -> Vec<u8> {
    let size: usize = writes
        .writes
        .iter()
        .map(|(k, v)| 9 + k.len() + v.as_ref().map_or(0, Vec::len))
        .sum();
    let mut out = Vec::with_capacity(4 + size);
    out.extend_from_slice(&(writes.writes.len() as u32).to_le_bytes());
    for (k, v) in &writes.writes {
        out.push(u8::from(v.is_some()));
        out.extend_from_slice(&(k.len() as u32).to_le_bytes());
        out.extend_from_slice(k);
        if let Some(v) = v {
            out.extend_from_slice(&(v.len() as u32).to_le_bytes());
            out.extend_from_slice(v);
        }
    }
    out
}

fn read_record(bytes: &[u8], at: usize) -> Option<(WriteSet, usize)> {
    let header = bytes.get(at..at + 8)?;
    let len = u32::from_le_bytes(header[..4].try_into().ok()?) as usize;
    let crc = u32::from_le_bytes(header[4..].try_into().ok()?);
    let payload = bytes.get(at + 8..at + 8 + len)?;
    if crc32fast::hash(payload) != crc {
        return None;
    }
    Some((decode(payload)?, at + 8 + len))
}

fn decode(mut p: &[u8]) -> Option<WriteSet> {
    fn take<'a>(p: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
        let (head, tail) = (p.get(..n)?, p.get(n..)?);
        *p = tail;
        Some(head)
    }
    fn u32_at(p: &mut &[u8]) -> Option<usize> {
        Some(u32::from_le_bytes(take(p, 4)?.try_into().ok()?) as usize)
    }
    let count = u32_at(&mut p)?;
    let mut set = WriteSet::default();
    for _ in 0..count {
        let op = *take(&mut p, 1)?.first()?;
        let klen = u32_at(&mut p)?;
        let key = take(&mut p, klen)?.to_vec();
        if op == 1 {
            let vlen = u32_at(&mut p)?;
            set.put(key, take(&mut p, vlen)?.to_vec());
        } else {
            set.delete(key);
        }
    }
    Some(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_a_torn_tail_is_cut() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wal");
        let mut one = WriteSet::default();
        one.put(b"a".to_vec(), b"1".to_vec());
        one.delete(b"b".to_vec());
        let mut two = WriteSet::default();
        two.put(b"c".to_vec(), vec![7; 5000]);
        {
            let (mut wal, sets) = Wal::open(&path).unwrap();
            assert!(sets.is_empty());
            wal.append(&one).unwrap();
            wal.append(&two).unwrap();
        }
        // A crash in the middle of a third append leaves half a record.
        let full = std::fs::read(&path).unwrap();
        let mut torn = full.clone();
        torn.extend_from_slice(&[200, 0, 0, 0, 1, 2, 3]);
        std::fs::write(&path, &torn).unwrap();
        let (wal, sets) = Wal::open(&path).unwrap();
        assert_eq!(sets, vec![one.clone(), two]);
        assert_eq!(wal.len(), full.len() as u64);
        assert_eq!(std::fs::read(&path).unwrap(), full, "the torn tail is cut");
        // A corrupted record ends the log there.
        let mut bad = full.clone();
        let last = bad.len() - 1;
        bad[last] ^= 0xff;
        std::fs::write(&path, &bad).unwrap();
        let (_, sets) = Wal::open(&path).unwrap();
        assert_eq!(sets, vec![one]);
    }
}
