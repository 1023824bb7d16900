//! Server functions, by area. Each parses its input, calls a service in `crate::server`,
//! and maps the result to an [`AppError`](crate::error::AppError); nothing else.

pub mod account;
pub mod auth;
pub mod authenticator;
pub mod devices;
pub mod history;
pub mod recover;
pub mod security;
