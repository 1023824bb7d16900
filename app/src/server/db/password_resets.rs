//! The `password_resets` table: one live reset link per account, stored as a hash.

use crate::server::crypto::tokens::TokenHash;
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;

/// Stores the account's reset token, replacing (and so invalidating) any earlier one.
pub async fn replace(
    db: impl sqlx::PgExecutor<'_>,
    user_id: i64,
    token_hash: &TokenHash,
    now: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let token_hash = token_hash.as_bytes();
    sqlx::query!(
        "INSERT INTO password_resets (user_id, token_hash, created_at, expires_at)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (user_id) DO UPDATE
         SET token_hash = EXCLUDED.token_hash, created_at = EXCLUDED.created_at,
             expires_at = EXCLUDED.expires_at",
        user_id,
        token_hash,
        now,
        expires_at,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// The account a live token belongs to, without using it.
pub async fn peek(
    pool: &PgPool,
    token_hash: &TokenHash,
    now: OffsetDateTime,
) -> Result<Option<i64>, sqlx::Error> {
    let token_hash = token_hash.as_bytes();
    sqlx::query_scalar!(
        "SELECT user_id FROM password_resets WHERE token_hash = $1 AND expires_at > $2",
        token_hash,
        now,
    )
    .fetch_optional(pool)
    .await
}

/// Uses a live token: deletes it and returns its account, in one statement, so of any
/// number of concurrent uses exactly one gets the account.
pub async fn consume(
    conn: &mut PgConnection,
    token_hash: &TokenHash,
    now: OffsetDateTime,
) -> Result<Option<i64>, sqlx::Error> {
    let token_hash = token_hash.as_bytes();
    sqlx::query_scalar!(
        "DELETE FROM password_resets WHERE token_hash = $1 AND expires_at > $2 RETURNING user_id",
        token_hash,
        now,
    )
    .fetch_optional(conn)
    .await
}

/// Drops the account's reset link (after a password change).
pub async fn delete_for(conn: &mut PgConnection, user_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM password_resets WHERE user_id = $1", user_id)
        .execute(conn)
        .await?;
    Ok(())
}
