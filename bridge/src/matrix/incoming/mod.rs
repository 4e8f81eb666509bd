//! What agents write and press: their messages (relay or command), the
//! chat command language, and reactions that press buttons.

pub(in crate::matrix) mod chat_line;
pub mod commands;
pub(super) mod inbound;
pub(super) mod reactions;
