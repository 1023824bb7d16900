//! The `sessions` table: server-side sessions keyed by the SHA-256 of their id.

use sqlx::PgPool;
use time::OffsetDateTime;

/// Stores a new session.
pub async fn insert(
    pool: &PgPool,
    id_hash: &[u8],
    user_id: i64,
    now: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, expires_at)
         VALUES ($1, $2, $3, $3, $4)",
        id_hash,
        user_id,
        now,
        expires_at,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// If the session is live (not past its absolute expiry, used since `idle_cutoff`),
/// records this use and returns its account; one round trip.
pub async fn touch(
    pool: &PgPool,
    id_hash: &[u8],
    now: OffsetDateTime,
    idle_cutoff: OffsetDateTime,
) -> Result<Option<i64>, sqlx::Error> {
    let row = sqlx::query!(
        "UPDATE sessions SET last_seen_at = $2
         WHERE id_hash = $1 AND expires_at > $2 AND last_seen_at > $3
         RETURNING user_id",
        id_hash,
        now,
        idle_cutoff,
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| r.user_id))
}

/// Ends a session.
pub async fn delete(pool: &PgPool, id_hash: &[u8]) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM sessions WHERE id_hash = $1", id_hash)
        .execute(pool)
        .await?;
    Ok(())
}
