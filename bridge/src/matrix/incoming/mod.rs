//! What agents write and press: their messages (relay or command), the
//! chat command language, canned replies, internal notes (threads, `!note`), reactions
//! that press buttons, messages the bot cannot decrypt yet, and each
//! reader's language (`!language`).

pub(super) mod canned;
pub(in crate::matrix) mod chat_line;
pub mod commands;
pub(super) mod inbound;
pub(super) mod language;
pub(super) mod notes;
pub(super) mod reactions;
pub(super) mod undecryptable;
