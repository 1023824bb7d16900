//! The `email_changes` table: one live "confirm your new address" link per account,
//! stored as a hash.

use crate::server::crypto::tokens::TokenHash;
use sqlx::PgConnection;
use time::OffsetDateTime;

/// Stores the account's link to `new_email`, replacing (and so invalidating) any earlier
/// one.
pub async fn replace(
    db: impl sqlx::PgExecutor<'_>,
    user_id: i64,
    token_hash: &TokenHash,
    new_email: &str,
    now: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO email_changes (user_id, token_hash, new_email, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (user_id) DO UPDATE
         SET token_hash = EXCLUDED.token_hash, new_email = EXCLUDED.new_email,
             created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at",
        user_id,
        token_hash.as_bytes(),
        new_email,
        now,
        expires_at,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// A live link used up.
pub struct Used {
    pub user_id: i64,
    pub new_email: String,
}

/// Uses the link up if it is live: one `DELETE … RETURNING`, so of any number of
/// concurrent uses exactly one gets the row.
pub async fn consume(
    conn: &mut PgConnection,
    token_hash: &TokenHash,
    now: OffsetDateTime,
) -> Result<Option<Used>, sqlx::Error> {
    sqlx::query_as!(
        Used,
        "DELETE FROM email_changes WHERE token_hash = $1 AND expires_at > $2
         RETURNING user_id, new_email",
        token_hash.as_bytes(),
        now,
    )
    .fetch_optional(conn)
    .await
}
