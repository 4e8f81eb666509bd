//! Where smsdesk keeps things, decided once: `Backend` (`storage.backend`:
//! sled on one machine, or PostgreSQL shared by several instances), `open`
//! (the one place that opens each store for it), `engine` (the engine's
//! store as one type for either) and `layout` (`storage.path` itself, and
//! the move from an older layout).

mod backend;
pub mod engine;
pub mod layout;
pub mod open;

pub use backend::Backend;
pub use engine::EngineStore;
