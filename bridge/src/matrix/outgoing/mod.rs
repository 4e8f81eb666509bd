//! What the bot writes: the engine's event feed, where each event is
//! shown, sending with transaction ids and typed retry-or-skip, the
//! customer's voice (quote or ghost), notes confirmed, and ghosts' upkeep.

pub(super) mod desk_echo;
pub(super) mod feed;
pub(super) mod ghost_upkeep;
pub(super) mod notes;
pub mod send;
pub(super) mod show;
pub(super) mod voice;
