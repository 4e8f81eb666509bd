//! The Matrix front end: the bot (`bot`), what it remembers (`store`) and
//! the agents' chat command language (`commands`).

pub mod bot;
pub mod commands;
pub mod store;
