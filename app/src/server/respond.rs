//! Turning service results into server-function responses.

use crate::error::AppError;

/// Sets the response status for `err` on the request being handled, if there is one.
///
/// A plain HTML form post (no JavaScript) is left alone: the framework answers it with a
/// redirect back to the form, carrying the error for the re-rendered page to show.
pub fn set_status(err: &AppError) {
    use leptos::prelude::use_context;
    let plain_form_post = use_context::<http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
    });
    if plain_form_post {
        return;
    }
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(code) = http::StatusCode::from_u16(err.status()) {
            res.set_status(code);
            // Every 503 is momentary (a full hashing queue, a database restart): say
            // when to come back, so clients retry soon instead of giving up.
            if code == http::StatusCode::SERVICE_UNAVAILABLE {
                res.insert_header(
                    http::header::RETRY_AFTER,
                    http::HeaderValue::from_static("1"),
                );
            }
        }
    }
}

/// Finishes a server function: on error, sets the HTTP status that matches it.
pub fn finish<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(e) = &result {
        set_status(e);
    }
    result
}

/// Logs an unexpected failure with its context and hides it from the client.
pub fn internal(context: &'static str, err: impl std::fmt::Display) -> AppError {
    tracing::error!(%err, "{context}");
    AppError::Internal
}

/// Maps a password-hashing error: a full hashing queue is a 503 the client may retry
/// (logged as a warning: it is load, not a bug), anything else is a logged 500.
pub fn from_hash(context: &'static str, err: super::password::HashError) -> AppError {
    if matches!(err, super::password::HashError::Busy) {
        tracing::warn!(%err, "{context}: password hashing is saturated");
        AppError::Unavailable
    } else {
        internal(context, err)
    }
}

/// Maps a database error: connection trouble is a 503 the client may retry, anything
/// else is a logged 500.
pub fn from_db(context: &'static str, err: sqlx::Error) -> AppError {
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
