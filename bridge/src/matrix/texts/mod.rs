//! What the bot says: every notice and answer as text with its HTML twin,
//! offer cards, and the buttons on cards and lists. Most of it is pure.

pub(super) mod answers;
pub mod buttons;
pub mod card;
pub mod events;
pub mod notices;
pub mod offer_card;
pub mod refusals;
pub mod returning;
pub mod rich;
