//! The `recovery_tokens` table and the "recovery token used" mark on `users`.

use crate::server::crypto::tokens::TokenHash;
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;

/// Stores the account's token hash, replacing any earlier token, and clears the
/// "recovery token used" mark, on the caller's transaction.
pub async fn replace(
    tx: &mut PgConnection,
    user_id: i64,
    token_hash: &TokenHash,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let token_hash = token_hash.as_bytes();
    sqlx::query!(
        "INSERT INTO recovery_tokens (user_id, token_hash, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (user_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, created_at = EXCLUDED.created_at",
        user_id,
        token_hash,
        now,
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE users SET recovery_used_at = NULL WHERE id = $1",
        user_id
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Deletes the account's token.
pub async fn revoke(db: impl sqlx::PgExecutor<'_>, user_id: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!("DELETE FROM recovery_tokens WHERE user_id = $1", user_id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Uses the token up if it is the account's: one `DELETE … RETURNING`, so of any number
/// of concurrent redemptions exactly one succeeds. Marks the account as having used it.
pub async fn consume(
    conn: &mut PgConnection,
    user_id: i64,
    token_hash: &TokenHash,
    now: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    let token_hash = token_hash.as_bytes();
    let used = sqlx::query_scalar!(
        "DELETE FROM recovery_tokens WHERE user_id = $1 AND token_hash = $2 RETURNING user_id",
        user_id,
        token_hash
    )
    .fetch_optional(&mut *conn)
    .await?;
    if used.is_some() {
        sqlx::query!(
            "UPDATE users SET recovery_used_at = $2 WHERE id = $1",
            user_id,
            now
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(used.is_some())
}

/// When the token was created, and whether a token was used since the last one was made.
pub struct Status {
    pub created_at: Option<OffsetDateTime>,
    pub used_at: Option<OffsetDateTime>,
}

/// The account's recovery token status.
pub async fn status(pool: &PgPool, user_id: i64) -> Result<Status, sqlx::Error> {
    sqlx::query_as!(
        Status,
        r#"SELECT r.created_at AS "created_at?", u.recovery_used_at AS used_at
           FROM users u LEFT JOIN recovery_tokens r ON r.user_id = u.id WHERE u.id = $1"#,
        user_id
    )
    .fetch_one(pool)
    .await
}
