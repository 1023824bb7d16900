//! Gatehouse's integration tests, one binary so the suite links once: each test starts
//! the real application on port 0 against a PostgreSQL database of its own (dropped when
//! it ends) and drives it over HTTP with a cookie-keeping client (`helpers`).
//!
//! Run one area with a filter: `cargo test -p server --test api attacks::`.

mod helpers;

mod attacks;
mod authenticator;
mod bad_input;
mod cli;
mod email_change;
mod forgot;
mod forms;
mod headers;
mod http;
mod lockdown;
mod logs;
mod metrics;
mod notifications;
mod outbox;
mod passkeys;
mod recovery_token;
mod retention;
mod sessions;
mod signin;
mod support;
mod twilio;
mod two_factor;
