//! What "expired" means for each table, for the sweeper: one bounded `DELETE` per table
//! and batch. Each statement removes at most `batch` rows (chosen by `ctid` in a
//! subquery), so a sweep of millions of rows holds no lock for long and sign-ins go on
//! meanwhile.

use sqlx::PgPool;
use time::{Duration, OffsetDateTime};

/// How long rows outlive their use, for tables without an expiry of their own.
pub struct Retention {
    /// Login History rows older than this go (`GATEHOUSE_HISTORY_DAYS`).
    pub history: Duration,
    /// A session unused this long is over (the idle timeout).
    pub session_idle: Duration,
}

/// The tables swept, in order, each with its rule.
pub const TABLES: [&str; 11] = [
    "sessions",
    "trusted_devices",
    "phone_verifications",
    "password_resets",
    "email_changes",
    "passkey_ceremonies",
    "rate_limits",
    "account_throttles",
    "outbox",
    "dev_mailbox",
    "login_attempts",
];

/// Deletes up to `batch` expired rows of `table` at `now`; returns how many went.
pub async fn delete_expired(
    pool: &PgPool,
    table: &str,
    now: OffsetDateTime,
    r: &Retention,
    batch: i64,
) -> Result<u64, sqlx::Error> {
    let done = match table {
        // Past its absolute expiry or its idle timeout: no request can use it again. A
        // pending sign-in's challenge goes with it (foreign key).
        "sessions" => {
            sqlx::query!(
                "DELETE FROM sessions WHERE ctid IN (
                 SELECT ctid FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2 LIMIT $3)",
                now,
                now - r.session_idle,
                batch
            )
            .execute(pool)
            .await?
        }
        "trusted_devices" => {
            sqlx::query!(
                "DELETE FROM trusted_devices WHERE ctid IN (
                 SELECT ctid FROM trusted_devices WHERE expires_at <= $1 LIMIT $2)",
                now,
                batch
            )
            .execute(pool)
            .await?
        }
        // A number waiting for a code whose code has expired can never be confirmed.
        "phone_verifications" => {
            sqlx::query!(
                "DELETE FROM phone_verifications WHERE ctid IN (
                 SELECT ctid FROM phone_verifications WHERE code_expires_at <= $1 LIMIT $2)",
                now,
                batch
            )
            .execute(pool)
            .await?
        }
        // (A used reset link or email change is deleted when it is used.)
        "password_resets" => {
            sqlx::query!(
                "DELETE FROM password_resets WHERE ctid IN (
                 SELECT ctid FROM password_resets WHERE expires_at <= $1 LIMIT $2)",
                now,
                batch
            )
            .execute(pool)
            .await?
        }
        "email_changes" => {
            sqlx::query!(
                "DELETE FROM email_changes WHERE ctid IN (
                 SELECT ctid FROM email_changes WHERE expires_at <= $1 LIMIT $2)",
                now,
                batch
            )
            .execute(pool)
            .await?
        }
        "passkey_ceremonies" => {
            sqlx::query!(
                "DELETE FROM passkey_ceremonies WHERE ctid IN (
                 SELECT ctid FROM passkey_ceremonies WHERE expires_at <= $1 LIMIT $2)",
                now,
                batch
            )
            .execute(pool)
            .await?
        }
        // The longest window any limit uses is a day: a row two days old counts nothing.
        "rate_limits" => {
            sqlx::query!(
                "DELETE FROM rate_limits WHERE ctid IN (
                 SELECT ctid FROM rate_limits WHERE window_start <= $1 LIMIT $2)",
                now - Duration::days(2),
                batch
            )
            .execute(pool)
            .await?
        }
        // A name nobody has tried for 30 days (and not locked) starts its ladder afresh;
        // anyone can make these rows by guessing at made-up names, so they must go.
        "account_throttles" => {
            sqlx::query!(
                "DELETE FROM account_throttles WHERE ctid IN (
                 SELECT ctid FROM account_throttles
                 WHERE hour_start <= $1 AND (locked_until IS NULL OR locked_until <= $2) LIMIT $3)",
                now - Duration::days(30),
                now,
                batch
            )
            .execute(pool)
            .await?
        }
        // The record of a sent or failed message (its body is gone already) is kept 30
        // days; a queued one stays until it is sent or given up.
        "outbox" => {
            sqlx::query!(
                "DELETE FROM outbox WHERE ctid IN (
                 SELECT ctid FROM outbox WHERE state <> 'queued' AND done_at <= $1 LIMIT $2)",
                now - Duration::days(30),
                batch
            )
            .execute(pool)
            .await?
        }
        // The development provider's copies (their bodies hold links and codes): 30 days.
        "dev_mailbox" => {
            sqlx::query!(
                "DELETE FROM dev_mailbox WHERE ctid IN (
                 SELECT ctid FROM dev_mailbox WHERE sent_at <= $1 LIMIT $2)",
                now - Duration::days(30),
                batch
            )
            .execute(pool)
            .await?
        }
        "login_attempts" => {
            sqlx::query!(
                "DELETE FROM login_attempts WHERE ctid IN (
                 SELECT ctid FROM login_attempts WHERE at <= $1 LIMIT $2)",
                now - r.history,
                batch
            )
            .execute(pool)
            .await?
        }
        _ => return Ok(0),
    };
    Ok(done.rows_affected())
}
