//! Pictures and files (MMS) in both directions: a customer's fetched from
//! the carrier and posted to the room, an agent's downloaded from the
//! homeserver (never past the cap) and sent to the customer.

pub(super) mod download;
pub(super) mod from_agent;
pub(super) mod from_customer;
