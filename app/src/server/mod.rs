//! Server-only code: services, persistence, hashing, sessions and outgoing messages.
//!
//! Server functions in [`crate::api`] stay thin and call into here; everything here takes
//! an [`AppState`] (or a pool) and domain types, and returns typed errors, so it can be
//! tested without HTTP.

pub mod account;
pub mod crypto;
pub mod db;
pub mod forgot;
pub mod messaging;
pub mod platform;
pub mod signin;

pub use platform::clock::Clock;
pub use platform::settings::{Environment, Settings};
pub use platform::state::AppState;

pub use platform::ctx::Ctx;
