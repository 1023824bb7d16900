//! The `trusted_devices` table: browsers that may skip the SMS step for one account.

use crate::server::crypto::tokens::TokenHash;
use sqlx::PgPool;
use time::OffsetDateTime;

/// A trusted device as its owner sees it.
pub struct Device {
    pub id: i64,
    pub created_at: OffsetDateTime,
    pub last_used_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub ip: String,
    pub device: String,
}

/// Remembers a device for `user_id` until `expires_at`.
pub async fn insert(
    db: impl sqlx::PgExecutor<'_>,
    token_hash: &TokenHash,
    user_id: i64,
    now: OffsetDateTime,
    expires_at: OffsetDateTime,
    ip: &str,
    device: &str,
) -> Result<(), sqlx::Error> {
    let token_hash = token_hash.as_bytes();
    sqlx::query!(
        "INSERT INTO trusted_devices (token_hash, user_id, created_at, last_used_at, expires_at, ip, device)
         VALUES ($1, $2, $3, $3, $4, $5, $6)",
        token_hash,
        user_id,
        now,
        expires_at,
        ip,
        device,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// The id of the live trusted device of `user_id` with this token, if there is one;
/// changes nothing.
pub async fn live_id(
    pool: &PgPool,
    token_hash: &TokenHash,
    user_id: i64,
    now: OffsetDateTime,
) -> Result<Option<i64>, sqlx::Error> {
    let token_hash = token_hash.as_bytes();
    sqlx::query_scalar!(
        "SELECT id FROM trusted_devices WHERE token_hash = $1 AND user_id = $2 AND expires_at > $3",
        token_hash,
        user_id,
        now,
    )
    .fetch_optional(pool)
    .await
}

/// Whether the token is a live trusted device of `user_id`; marks it used if so.
pub async fn use_for(
    pool: &PgPool,
    token_hash: &TokenHash,
    user_id: i64,
    now: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    let token_hash = token_hash.as_bytes();
    let row = sqlx::query_scalar!(
        "UPDATE trusted_devices SET last_used_at = $3
         WHERE token_hash = $1 AND user_id = $2 AND expires_at > $3
         RETURNING id",
        token_hash,
        user_id,
        now,
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.is_some())
}

/// The account's live trusted devices, most recently used first.
pub async fn list(
    pool: &PgPool,
    user_id: i64,
    now: OffsetDateTime,
) -> Result<Vec<Device>, sqlx::Error> {
    sqlx::query_as!(
        Device,
        "SELECT id, created_at, last_used_at, expires_at, ip, device FROM trusted_devices
         WHERE user_id = $1 AND expires_at > $2 ORDER BY last_used_at DESC, id DESC",
        user_id,
        now,
    )
    .fetch_all(pool)
    .await
}

/// Forgets one of the account's devices; false if it was not theirs.
pub async fn revoke(pool: &PgPool, user_id: i64, id: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "DELETE FROM trusted_devices WHERE user_id = $1 AND id = $2",
        user_id,
        id
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Forgets every device of the account.
pub async fn revoke_all<'c>(
    conn: impl sqlx::PgExecutor<'c>,
    user_id: i64,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!("DELETE FROM trusted_devices WHERE user_id = $1", user_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}
