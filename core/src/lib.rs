//! # smsdesk-core — the conversation rules, pure
//!
//! Everything smsdesk decides about conversations, agents, offers and
//! wrap-up, with no I/O and no clock of its own: callers pass `now` and ids
//! come from persisted counters, so every run is reproducible. Cargo keeps
//! it so: this crate depends on nothing that touches a disk, a socket, a
//! thread or the system time. The durable store, the engine that commits
//! batches and its thread are `smsdesk-engine` (`engine/`), which depends
//! on this crate, never the other way.
//! The shape follows quinn-proto: `decide(&state, &command, now)` returns
//! events or a `Rejection`; `apply(&mut state, &event)` folds an event in.
//!
//! ## Layout
//!
//! - [`ids`]: newtypes for ids and numbers, and `Timestamp`.
//! - [`setup`]: the static configuration (queues, entry points, roster).
//! - [`model`]: agent and conversation records, the lifecycle `Phase`.
//! - [`command`] / [`event`]: what can be asked / what happened.
//! - [`rejection`]: every refusal, worded for the agent who reads it.
//! - [`decide`]: the rules, one file per group of commands.
//! - [`apply`]: events into state.
//! - [`state`]: the in-memory state and its derived indexes.
//! - [`totals`]: each queue's day totals, counted by `apply`, kept in the state.
//! - [`figures`]: supervisor figures read from the state and its totals.
//! - [`keywords`]: STOP / START / HELP and who answers them.
//! - [`hours`]: business hours in a queue's time zone (jiff).
//! - [`segments`]: how many SMS parts a text takes, GSM-7 or UCS-2.
//! - [`routing`]: the `Router` trait and the longest-available policy.
//! - [`timers`]: deadlines and the commands they trigger.
//! - [`clock`]: the `Clock` trait drivers read `now` from (the wall clock
//!   itself is `smsdesk_engine::clock::SystemClock`).

pub mod apply;
pub mod clock;
pub mod command;
pub mod decide;
pub mod event;
pub mod figures;
pub mod hours;
pub mod ids;
pub mod intervals;
pub mod keywords;
pub mod model;
pub mod rejection;
pub mod routing;
pub mod segments;
pub mod setup;
pub mod state;
pub mod timers;
pub mod totals;

pub use command::{Actor, Command, InboundSms};
pub use event::{Event, EventRecord};
pub use ids::{
    AgentId, CarrierMessageId, CarrierName, ConversationId, CustomerNumber, EntryNumber, MessageId, QueueName,
    Timestamp,
};
pub use rejection::Rejection;
pub use state::State;
