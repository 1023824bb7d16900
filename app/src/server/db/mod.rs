//! All SQL, one module per concept. Queries are compile-checked (`query!`) against the
//! migrations; the offline data in `.sqlx/` lets builds run without a database.

pub mod authenticator;
pub mod challenges;
pub mod dev_mailbox;
pub mod devices;
pub mod email_changes;
pub mod history;
pub mod outbox;
pub mod passkey_ceremonies;
pub mod passkeys;
pub mod password_resets;
pub mod phone_verifications;
pub mod rate_limits;
pub mod recovery;
pub mod retention;
pub mod sessions;
pub mod support;
pub mod throttles;
pub mod users;
