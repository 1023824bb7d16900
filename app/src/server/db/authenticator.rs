//! The `authenticator_apps` table: one app per account, its secret sealed.

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;

/// An account's app (confirmed or waiting for its first code).
pub struct App {
    pub secret_nonce: Vec<u8>,
    pub secret_sealed: Vec<u8>,
    pub created_at: OffsetDateTime,
    pub confirmed_at: Option<OffsetDateTime>,
    pub last_used_step: i64,
    /// Sealed with the user id as associated data; false for rows sealed before that
    /// (they open without it and are re-sealed, see [`bind_to_user`]).
    pub bound_to_user: bool,
}

/// The account's app, if any.
pub async fn find(pool: &PgPool, user_id: i64) -> Result<Option<App>, sqlx::Error> {
    sqlx::query_as!(
        App,
        "SELECT secret_nonce, secret_sealed, created_at, confirmed_at, last_used_step,
                bound_to_user
         FROM authenticator_apps WHERE user_id = $1",
        user_id
    )
    .fetch_optional(pool)
    .await
}

/// Starts a set-up: stores a new unconfirmed secret, sealed bound to the user, replacing
/// an earlier unconfirmed one (never a confirmed one: returns false then).
pub async fn start(
    pool: &PgPool,
    user_id: i64,
    nonce: &[u8],
    sealed: &[u8],
    now: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "INSERT INTO authenticator_apps
             (user_id, secret_nonce, secret_sealed, created_at, bound_to_user)
         VALUES ($1, $2, $3, $4, TRUE)
         ON CONFLICT (user_id) DO UPDATE
         SET secret_nonce = EXCLUDED.secret_nonce, secret_sealed = EXCLUDED.secret_sealed,
             created_at = EXCLUDED.created_at, last_used_step = 0, bound_to_user = TRUE
         WHERE authenticator_apps.confirmed_at IS NULL",
        user_id,
        nonce,
        sealed,
        now,
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces a legacy secret (sealed without the user id) with the same secret sealed
/// bound to the user. Only if the row still holds the secret that was opened (`old_nonce`):
/// a set-up or removal in between wins. Returns whether it was replaced.
pub async fn bind_to_user(
    pool: &PgPool,
    user_id: i64,
    old_nonce: &[u8],
    nonce: &[u8],
    sealed: &[u8],
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE authenticator_apps
         SET secret_nonce = $3, secret_sealed = $4, bound_to_user = TRUE
         WHERE user_id = $1 AND secret_nonce = $2 AND NOT bound_to_user",
        user_id,
        old_nonce,
        nonce,
        sealed,
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Confirms the pending app with the step its first code belonged to.
pub async fn confirm(
    conn: &mut PgConnection,
    user_id: i64,
    step: i64,
    now: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE authenticator_apps SET confirmed_at = $3, last_used_step = $2
         WHERE user_id = $1 AND confirmed_at IS NULL",
        user_id,
        step,
        now,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Uses `step` for a sign-in: succeeds once, only if no later or equal step was used,
/// in one statement (two requests with the same code: one wins).
pub async fn use_step(
    conn: &mut PgConnection,
    user_id: i64,
    step: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE authenticator_apps SET last_used_step = $2
         WHERE user_id = $1 AND confirmed_at IS NOT NULL AND last_used_step < $2",
        user_id,
        step,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes the account's app.
pub async fn remove(conn: &mut PgConnection, user_id: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!("DELETE FROM authenticator_apps WHERE user_id = $1", user_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}
