//! What agents write and press: their messages (relay or command), the
//! chat command language, canned replies, internal notes (threads, `!note`), reactions
//! that press buttons, and messages the bot cannot decrypt yet.

pub(super) mod canned;
pub(in crate::matrix) mod chat_line;
pub mod commands;
pub(super) mod inbound;
pub(super) mod notes;
pub(super) mod reactions;
pub(super) mod undecryptable;
