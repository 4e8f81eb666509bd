//! The rooms the bot keeps: agents' desk rooms, conversation rooms, who may
//! be in them (the guard), what each is for (the marker), their retention
//! setting, and the adoption of rooms a lost store forgot.

pub(super) mod adoption;
pub(super) mod conversation;
pub(super) mod desk;
pub mod guard;
pub(super) mod marker;
pub(super) mod retention;
pub(super) mod widget;
