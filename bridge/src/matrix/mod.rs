//! The Matrix front end (in progress). Today: the chat command language,
//! parsed and mapped to engine commands without a server. The bot (rooms,
//! relay, sync loop, Matrix outbox) is the next step.

pub mod commands;
