//! What agents write and press: their messages (relay or command), the
//! chat command language, and reactions that press buttons.

pub mod commands;
pub(super) mod inbound;
pub(super) mod reactions;
