//! Server-only code, by feature: [`signin`], [`account`] (what a signed-in customer
//! changes), [`forgot`]; beneath them [`messaging`] (texts, emails, notices),
//! [`crypto`] (primitives without policy), [`platform`] (state, settings, the request
//! context [`Ctx`]) and [`db`] (all SQL).
//!
//! Server functions in [`crate::api`] stay thin and call into here; every service takes a
//! [`Ctx`] (or a pool) and domain types, and returns its own error type, so it can be
//! tested without HTTP.

pub mod account;
pub mod crypto;
pub mod db;
pub mod forgot;
pub mod messaging;
pub mod platform;
pub mod signin;
pub mod support;

pub use platform::clock::Clock;
pub use platform::settings::{Environment, Settings};
pub use platform::state::AppState;

pub use platform::ctx::Ctx;
