//! Forgot Username? and Forgot Password? with its reset link (docs/security.md §1, 5, 11).
//!
//! The two Forgot requests answer the same whatever was entered: the lookups and the
//! rate-limit counters run for every request, and the email (with the reset token, for a
//! password) is prepared and sent after the answer is decided, in a task of its own, so
//! neither the answer nor its timing says whether an account exists.

mod reset;
mod username;

pub use reset::{link_is_live, request_reset, reset, send_link_for};
pub use username::remind_username;

use time::Duration;

use crate::domain::EmailError;
use crate::error::AppError;
use crate::server::crypto::password_policy::WeakPassword;
use crate::server::db::rate_limits;
use crate::server::messaging::email::Email;
use crate::server::messaging::outbox;
use crate::server::platform::ctx::Ctx;
use crate::server::platform::respond::{unexpected_from, Unexpected};
use crate::server::AppState;

/// Why a Forgot request or a reset failed.
#[derive(Debug, thiserror::Error)]
pub enum ForgotError {
    #[error("invalid email address: {0}")]
    Email(#[from] EmailError),
    #[error("nothing was entered")]
    Empty,
    #[error("the reset link is not valid")]
    InvalidLink,
    #[error("weak password: {0}")]
    Weak(#[from] WeakPassword),
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

unexpected_from!(ForgotError);

impl From<ForgotError> for AppError {
    fn from(e: ForgotError) -> Self {
        match e {
            ForgotError::Email(e) => AppError::invalid("email", e),
            ForgotError::Empty => {
                AppError::invalid("login", "Enter your username or email address.")
            }
            ForgotError::InvalidLink => AppError::invalid(
                "token",
                "This link has expired or has already been used. Ask for a new one.",
            ),
            ForgotError::Weak(w) => weak_password(w),
            ForgotError::Unexpected(e) => e.into(),
        }
    }
}

/// A new password the rules refuse, on the field it belongs to.
pub(crate) fn weak_password(w: WeakPassword) -> AppError {
    match w {
        WeakPassword::Mismatch => AppError::invalid("password_again", WeakPassword::Mismatch),
        w => AppError::invalid("password", w),
    }
}

/// Reserves a Forgot request against the IP and then the address (or username), per
/// hour, before anything is sent: each an `UPDATE … WHERE hits < cap`, so no burst of
/// parallel requests gets more emails than the caps. Every request counts against its
/// IP (one budget for both flows), even one the address's cap refuses. Returns whether it
/// is within both. Identifiers are stored hashed.
async fn within_caps(ctx: &Ctx, flow: &str, identifier: &str) -> Result<bool, sqlx::Error> {
    use sha2::{Digest, Sha256};
    let (now, hour) = (ctx.now, Duration::hours(1));
    let limits = &ctx.state.settings;
    let id = hex::encode(Sha256::digest(identifier.to_lowercase().as_bytes()));
    let by_ip = format!("forgot:ip:{}", ctx.client.ip_bucket());
    let by_id = format!("{flow}:id:{id}");
    let mut conn = ctx.state.pool.acquire().await?;
    let ip_cap = limits.forgot.per_ip_per_hour;
    if rate_limits::reserve(&mut conn, &by_ip, hour, now, ip_cap)
        .await?
        .is_none()
    {
        return Ok(false);
    }
    let id_cap = limits.forgot.per_address_per_hour;
    let by_id = rate_limits::reserve(&mut conn, &by_id, hour, now, id_cap).await?;
    Ok(by_id.is_some())
}

/// Queues `email` in the outbox; a failure is logged (the answer has gone already).
async fn queue(state: &AppState, email: &Email) {
    let queued = async {
        let mut tx = state.pool.begin().await?;
        outbox::enqueue_email(state, &mut tx, email).await?;
        tx.commit().await
    };
    if let Err(e) = queued.await {
        tracing::error!(error = %e, subject = %email.subject, "queueing a recovery email");
    }
}
