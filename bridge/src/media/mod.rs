//! Pictures and files both ways (MMS).
//!
//! - `policy`: what may pass at all: content types (images, PDF, vCard)
//!   and the size cap, the same in both directions.
//! - `fetch`: a customer's attachment, fetched from the carrier (its
//!   `allowed_hosts` only, with its `media_auth`), for the Matrix desk to
//!   upload to the homeserver.
//! - `outgoing`: an agent's attachment, kept on disk under an unguessable
//!   token and served to the carrier at `{public_url}/media/{token}` until
//!   it expires (`http.media_lifetime` after the last send attempt).

pub mod fetch;
pub mod outgoing;
pub mod policy;

pub use policy::{Kind, MAX_BYTES};
