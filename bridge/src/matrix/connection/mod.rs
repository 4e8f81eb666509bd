//! How the bot is connected: its login (and its device's crypto store)
//! and sync loop in bot mode, the pushed
//! transactions in appservice mode (with the bot's encrypting `twin`
//! for encrypted rooms), and the claim that the bot account
//! serves this engine store.

pub(super) mod account_owner;
pub(super) mod appservice;
pub(super) mod device;
pub(super) mod identity;
pub(super) mod login;
pub(super) mod sync;
pub(super) mod twin;
