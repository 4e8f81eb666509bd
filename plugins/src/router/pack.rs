//! The compact form of a router's candidates: three words each (agents
//! as stable numeric ids, skills as a bitmask over at most `MAX_SKILLS`
//! names), as the WIT's `packed-candidates` documents.

/// Distinct skill names a router can see (the width of the skills bitmask);
/// `smsdesk check-config` refuses configs with more.
pub const MAX_SKILLS: usize = 64;

/// Milliseconds of `d`, saturating. Not `as_millis`: its u128 division is
/// a noticeable part of packing a thousand candidates.
pub(super) fn millis(d: std::time::Duration) -> u64 {
    d.as_secs()
        .saturating_mul(1000)
        .saturating_add(u64::from(d.subsec_millis()))
}

/// One candidate as the three words of the WIT's `packed-candidates`.
pub fn pack(id: u32, idle_ms: u64, load: u32, capacity: u32, skills: u64, last_agent: bool) -> [u64; 3] {
    let sat16 = |v: u32| u64::from(v.min(0xffff));
    let word2 = u64::from(id) | sat16(load) << 32 | (sat16(capacity) & 0x7fff) << 48 | u64::from(last_agent) << 63;
    [idle_ms, skills, word2]
}
