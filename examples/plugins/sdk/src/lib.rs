//! Helpers for smsdesk plugin authors. The WIT in `plugins/wit/` is the
//! reference; this crate hides its few low-level encodings:
//!
//! - [`candidates`]: router candidates arrive packed as three `u64` words
//!   each (fast to copy into the sandbox); this unpacks them.
//! - [`setting`]: look up a `settings` entry by name.
//! - [`skill_mask`] and [`Candidate::has_all`]: skill names to bits and back.
//! - [`longest_available`] (and [`longest_available_packed`], without
//!   unpacking): the host's default policy, for routers that build on it.
//!
//! It has no dependencies and no bindings, so it works with any wit-bindgen
//! version: generate your world's bindings with `wit_bindgen::generate!`
//! and use these helpers on the values.

/// One candidate agent, unpacked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// Stable id of the agent for the life of the smsdesk process.
    pub id: u32,
    /// Time since the agent last became available or had work change.
    pub idle_ms: u64,
    pub load: u16,
    pub capacity: u16,
    /// Bitmask over the request's `skill-names`.
    pub skills: u64,
    /// This agent last owned or was offered the conversation.
    pub last_agent: bool,
}

impl Candidate {
    /// The three words the host sends for this candidate.
    pub fn pack(&self) -> [u64; 3] {
        let word2 = u64::from(self.id)
            | u64::from(self.load) << 32
            | (u64::from(self.capacity) & 0x7fff) << 48
            | u64::from(self.last_agent) << 63;
        [self.idle_ms, self.skills, word2]
    }

    pub fn unpack(words: [u64; 3]) -> Self {
        let [idle_ms, skills, w] = words;
        Self {
            id: w as u32,
            idle_ms,
            load: (w >> 32) as u16,
            capacity: ((w >> 48) & 0x7fff) as u16,
            skills,
            last_agent: w >> 63 == 1,
        }
    }
}

/// The candidates in a `packed-candidates` list, in order (index = position).
pub fn candidates(words: &[u64]) -> impl ExactSizeIterator<Item = Candidate> + '_ {
    words.chunks_exact(3).map(|c| Candidate::unpack([c[0], c[1], c[2]]))
}

/// The value of setting `name`, if present.
pub fn setting<'a>(settings: &'a [(String, String)], name: &str) -> Option<&'a str> {
    settings.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// The value of an intake field (`route-request.fields`, interface 0.3.0
/// on), or `None` when the intake bot did not set it.
pub fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// The bitmask of the skills in `wanted` over a request's `skill-names`
/// (bit i is `skill_names[i]`). Names the request does not list are not
/// set: no candidate can have them.
pub fn skill_mask(skill_names: &[String], wanted: &[&str]) -> u64 {
    skill_names
        .iter()
        .take(64)
        .enumerate()
        .filter(|(_, n)| wanted.contains(&n.as_str()))
        .fold(0, |mask, (i, _)| mask | 1 << i)
}

impl Candidate {
    /// Whether this candidate has every skill in `mask` (see [`skill_mask`]).
    pub fn has_all(&self, mask: u64) -> bool {
        self.skills & mask == mask
    }
}

/// Longest-available among `candidates`: the index of the one idle longest,
/// ties to the lower load, then the lower id. `None` if empty.
pub fn longest_available(candidates: impl Iterator<Item = (usize, Candidate)>) -> Option<usize> {
    candidates.max_by_key(|(_, c)| c.longest_available_key()).map(|(i, _)| i)
}

impl Candidate {
    /// One number that orders candidates as longest-available does: longer
    /// idle first, then lower load, then lower id. One comparison per
    /// candidate instead of three (it matters inside the sandbox).
    pub fn longest_available_key(&self) -> u128 {
        u128::from(self.idle_ms) << 64 | u128::from(u16::MAX - self.load) << 32 | u128::from(u32::MAX - self.id)
    }
}

/// [`longest_available`] straight over the packed words, without unpacking
/// each candidate: the fastest form for a router that only needs this.
pub fn longest_available_packed(words: &[u64]) -> Option<usize> {
    words
        .chunks_exact(3)
        .enumerate()
        .max_by_key(|(_, c)| {
            let (idle, w) = (c[0], c[2]);
            let load = (w >> 32) as u16;
            let id = w as u32;
            u128::from(idle) << 64 | u128::from(u16::MAX - load) << 32 | u128::from(u32::MAX - id)
        })
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_round_trips() {
        let c = Candidate {
            id: 4_000_000_000,
            idle_ms: 123_456,
            load: 7,
            capacity: 300,
            skills: 0b1011,
            last_agent: true,
        };
        assert_eq!(Candidate::unpack(c.pack()), c);
        let words: Vec<u64> = [c, Candidate { last_agent: false, ..c }].iter().flat_map(|c| c.pack()).collect();
        assert_eq!(candidates(&words).count(), 2);
    }

    #[test]
    fn the_packed_and_unpacked_longest_available_agree() {
        let cs = [
            Candidate { id: 1, idle_ms: 500, load: 2, capacity: 3, skills: 0, last_agent: false },
            Candidate { id: 2, idle_ms: 900, load: 1, capacity: 3, skills: 0, last_agent: false },
            Candidate { id: 3, idle_ms: 900, load: 0, capacity: 3, skills: 0, last_agent: false },
            Candidate { id: 0, idle_ms: 900, load: 0, capacity: 3, skills: 0, last_agent: false },
        ];
        let words: Vec<u64> = cs.iter().flat_map(|c| c.pack()).collect();
        // Longest idle (900), then lower load (0), then lower id (0).
        assert_eq!(longest_available(candidates(&words).enumerate()), Some(3));
        assert_eq!(longest_available_packed(&words), Some(3));
        assert_eq!(longest_available_packed(&[]), None);
    }

    #[test]
    fn skill_names_become_bits() {
        let names: Vec<String> = ["en", "es", "billing"].iter().map(|s| s.to_string()).collect();
        assert_eq!(skill_mask(&names, &["es", "billing"]), 0b110);
        assert_eq!(skill_mask(&names, &["fr"]), 0);
        let c = Candidate::unpack([0, 0b011, 0]);
        assert!(c.has_all(skill_mask(&names, &["en", "es"])));
        assert!(!c.has_all(skill_mask(&names, &["billing"])));
    }
}
