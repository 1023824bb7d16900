//! Turning service results into server-function answers: the one unexpected-error
//! type, and how it reaches the client. The HTTP status of a failed server function is
//! set from its [`AppError`] by the server's `server_fn_status` middleware.

use crate::error::AppError;
use crate::server::crypto::password::HashError;

/// A failure the customer cannot act on: the database, the password-hashing pool. Every
/// feature's error embeds it (`Unexpected(#[from] Unexpected)`) and it becomes an
/// [`AppError`] in one place: a 503 the client may retry when the trouble is momentary,
/// else a logged 500.
#[derive(Debug, thiserror::Error)]
pub enum Unexpected {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("password hashing failed: {0}")]
    Hash(#[from] HashError),
}

impl From<Unexpected> for AppError {
    fn from(e: Unexpected) -> Self {
        match e {
            Unexpected::Database(e) => from_db("unexpected database error", e),
            Unexpected::Hash(e) => from_hash("unexpected hashing error", e),
        }
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        Unexpected::from(e).into()
    }
}

/// Lets `?` turn a database or hashing error into a feature error `$error` that has an
/// `Unexpected(Unexpected)` variant.
macro_rules! unexpected_from {
    ($error:ty) => {
        impl From<sqlx::Error> for $error {
            fn from(e: sqlx::Error) -> Self {
                Self::Unexpected(e.into())
            }
        }
        impl From<$crate::server::crypto::password::HashError> for $error {
            fn from(e: $crate::server::crypto::password::HashError) -> Self {
                Self::Unexpected(e.into())
            }
        }
    };
}
pub(crate) use unexpected_from;

/// Logs an unexpected failure with its context and hides it from the client.
pub fn internal(context: &'static str, err: impl std::fmt::Display) -> AppError {
    tracing::error!(%err, "{context}");
    AppError::Internal
}

/// Maps a password-hashing error: a full hashing queue is a 503 the client may retry
/// (logged as a warning: it is load, not a bug), anything else is a logged 500.
fn from_hash(context: &'static str, err: HashError) -> AppError {
    if matches!(err, HashError::Busy) {
        tracing::warn!(%err, "{context}: password hashing is saturated");
        AppError::Unavailable
    } else {
        internal(context, err)
    }
}

/// Maps a database error: connection trouble is a 503 the client may retry, anything
/// else is a logged 500.
fn from_db(context: &'static str, err: sqlx::Error) -> AppError {
    if database_unavailable(&err) {
        tracing::warn!(%err, "{context}: database unavailable");
        AppError::Unavailable
    } else {
        internal(context, err)
    }
}

/// Whether `err` says the database could not be reached or went away mid-request (a
/// restart, a failover) rather than that the request itself was wrong.
fn database_unavailable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        // SQLSTATE class 08 (connection exception) and 57P (the server shutting down,
        // crashed, or still starting: "57P01 admin_shutdown", "57P03 cannot_connect_now").
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|code| code.starts_with("08") || code.starts_with("57P")),
        _ => false,
    }
}
