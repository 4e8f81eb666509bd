//! Packing: the event and outbox files' records compressed one by one
//! with zstd against a fixed dictionary (`events.dict`), so an event costs
//! about 110 bytes on disk rather than its 260 of JSON (a reply waiting
//! for the carrier is JSON of the same words, and shares the dictionary).
//!
//! Why a dictionary: an event is short and mostly field names and tags
//! (`"actor":{"kind":"system"},"event":{"event":"sms-sent"…`); alone it
//! barely compresses (to about 185 bytes), but against a dictionary of
//! those shapes only its values remain. Why one record at a time: a
//! lookup reads one record, and an erased record's bytes go (no block of
//! neighbours to rewrite). The dictionary holds field names, tags and the
//! carriers' id prefixes only, never anyone's data.
//!
//! `events.dict` must never change: records packed with it could no longer
//! be read. A better dictionary would come with a new record flag, the old
//! one kept for reading. A test pins it.
//!
//! A value that does not shrink (or is over `MAX`) is stored as is; a
//! record says which it is (`numbered_file`).

use std::sync::{Mutex, PoisonError};

use zstd::bulk::{Compressor, Decompressor};

/// The dictionary, as raw content (zstd's "raw content" dictionaries).
const DICTIONARY: &[u8] = include_bytes!("events.dict");
/// zstd's default level: 2 µs per event; higher levels save about 10
/// bytes more for twice the time.
const LEVEL: i32 = 3;
/// The largest value packed (and so the largest a packed record may claim
/// to unpack to).
const MAX: usize = 64 << 20;

pub(super) struct Packer {
    compressor: Mutex<Compressor<'static>>,
    decompressor: Mutex<Decompressor<'static>>,
}

impl std::fmt::Debug for Packer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Packer(zstd, events.dict)")
    }
}

impl Packer {
    /// The packer of the event and outbox files (JSON, `events.dict`).
    pub(super) fn events() -> std::io::Result<Self> {
        let mut compressor = Compressor::with_dictionary(LEVEL, DICTIONARY)?;
        // The record has its own checksum, and the dictionary is known.
        compressor.include_checksum(false)?;
        compressor.include_dictid(false)?;
        compressor.include_contentsize(true)?;
        Ok(Self {
            compressor: Mutex::new(compressor),
            decompressor: Mutex::new(Decompressor::with_dictionary(DICTIONARY)?),
        })
    }

    /// `value` packed, if that makes it smaller.
    pub(super) fn pack(&self, value: &[u8]) -> Option<Vec<u8>> {
        if value.len() > MAX {
            return None;
        }
        let mut compressor = self.compressor.lock().unwrap_or_else(PoisonError::into_inner);
        compressor.compress(value).ok().filter(|p| p.len() < value.len())
    }

    /// A packed value back; the error says what is wrong with it.
    pub(super) fn unpack(&self, packed: &[u8]) -> Result<Vec<u8>, String> {
        let size = match zstd::zstd_safe::get_frame_content_size(packed) {
            Ok(Some(size)) if size <= MAX as u64 => size as usize,
            Ok(Some(size)) => return Err(format!("a packed record claims {size} bytes, over the limit")),
            Ok(None) | Err(_) => return Err("a packed record without its size".to_owned()),
        };
        let mut decompressor = self.decompressor.lock().unwrap_or_else(PoisonError::into_inner);
        let value = decompressor
            .decompress(packed, size)
            .map_err(|e| format!("a packed record does not unpack ({e})"))?;
        if value.len() != size {
            return Err(format!("a packed record unpacks to {} bytes, not {size}", value.len()));
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dictionary_never_changes() {
        // Records on disk were packed with exactly these bytes.
        assert_eq!(DICTIONARY.len(), 4492, "events.dict must never change (see packing.rs)");
        assert_eq!(
            crc32fast::hash(DICTIONARY),
            PINNED_CRC,
            "events.dict must never change (see packing.rs)"
        );
    }
    const PINNED_CRC: u32 = 1_626_281_177;

    #[test]
    fn an_event_shrinks_and_comes_back_whole() {
        let packer = Packer::events().expect("packer");
        let event = br#"{"seq":325082,"at":1800000021245,"actor":{"kind":"system"},"event":{"event":"sms-sent","conversation":18,"message_id":80917,"provider_id":"SM2f9c0e4b7d8a41c6a3e5b9d0f1c2e3a4"}}"#;
        let packed = packer.pack(event).expect("smaller");
        // The 32 random characters of the carrier's id stay; the rest goes.
        assert!(
            packed.len() * 3 < event.len() * 2,
            "{} of {}",
            packed.len(),
            event.len()
        );
        assert_eq!(packer.unpack(&packed).expect("unpacks"), event);
    }

    #[test]
    fn what_does_not_shrink_stays_as_is() {
        let packer = Packer::events().expect("packer");
        assert_eq!(packer.pack(b"x"), None);
        let mut x = 0x9e37_79b9_7f4a_7c15_u64;
        let noise: Vec<u8> = (0..600)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        assert_eq!(packer.pack(&noise), None);
    }

    #[test]
    fn a_damaged_packed_value_is_an_error_not_a_guess() {
        let packer = Packer::events().expect("packer");
        let event = br#"{"seq":1,"at":1800000000000,"actor":{"kind":"system"},"event":{"event":"delivery-updated","conversation":1,"message_id":2,"status":"delivered","error_code":null}}"#;
        let mut packed = packer.pack(event).expect("smaller");
        let last = packed.len() - 1;
        packed[last] ^= 0x5a;
        packed.truncate(last);
        assert!(packer.unpack(&packed).is_err());
        assert!(packer.unpack(b"not zstd at all").is_err());
        assert!(packer.unpack(&[]).is_err());
    }
}
