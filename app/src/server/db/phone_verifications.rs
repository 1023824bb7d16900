//! The `phone_verifications` table: a number waiting for its texted code.

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;

use super::challenges::IssuedCode;

/// A number waiting to be proven.
pub struct Verification {
    pub phone_e164: String,
    pub enable_2fa: bool,
    pub code_salt: Vec<u8>,
    pub code_hash: Vec<u8>,
    pub code_expires_at: OffsetDateTime,
    pub failed_attempts: i32,
    pub created_at: OffsetDateTime,
}

/// Starts (or replaces) the account's verification, unless the last one was started after
/// `cooldown_cutoff`; one statement. Returns false when refused for the cooldown.
pub async fn start(
    conn: &mut PgConnection,
    user_id: i64,
    phone: &str,
    enable_2fa: bool,
    code: &IssuedCode<'_>,
    now: OffsetDateTime,
    cooldown_cutoff: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    let row = sqlx::query_scalar!(
        "INSERT INTO phone_verifications
             (user_id, phone_e164, enable_2fa, code_salt, code_hash, code_expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (user_id) DO UPDATE SET phone_e164 = EXCLUDED.phone_e164,
             enable_2fa = EXCLUDED.enable_2fa, code_salt = EXCLUDED.code_salt,
             code_hash = EXCLUDED.code_hash, code_expires_at = EXCLUDED.code_expires_at,
             failed_attempts = 0, created_at = EXCLUDED.created_at
         WHERE phone_verifications.created_at <= $8
         RETURNING user_id",
        user_id,
        phone,
        enable_2fa,
        code.salt,
        code.hash,
        code.expires_at,
        now,
        cooldown_cutoff,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.is_some())
}

/// The account's pending verification.
pub async fn find(pool: &PgPool, user_id: i64) -> Result<Option<Verification>, sqlx::Error> {
    sqlx::query_as!(
        Verification,
        "SELECT phone_e164, enable_2fa, code_salt, code_hash, code_expires_at, failed_attempts, created_at
         FROM phone_verifications WHERE user_id = $1",
        user_id
    )
    .fetch_optional(pool)
    .await
}

/// Takes one of the verification's guesses before the code is checked: one statement,
/// so of any number of concurrent guesses at most `max_attempts` are ever evaluated.
/// Returns the guesses taken so far (this one included), or `None` when none is left.
pub async fn reserve_guess(
    pool: &PgPool,
    user_id: i64,
    max_attempts: i32,
) -> Result<Option<i32>, sqlx::Error> {
    sqlx::query_scalar!(
        "UPDATE phone_verifications SET failed_attempts = failed_attempts + 1
         WHERE user_id = $1 AND failed_attempts < $2
         RETURNING failed_attempts",
        user_id,
        max_attempts,
    )
    .fetch_optional(pool)
    .await
}

/// Uses the code up if it is current and unexpired: one `DELETE … RETURNING`, so it
/// works once however many requests race. The guess was reserved before the code was
/// checked ([`reserve_guess`]), which is what bounds the attempts.
pub async fn consume(
    conn: &mut PgConnection,
    user_id: i64,
    code_hash: &[u8],
    now: OffsetDateTime,
) -> Result<Option<(String, bool)>, sqlx::Error> {
    let row = sqlx::query!(
        "DELETE FROM phone_verifications
         WHERE user_id = $1 AND code_hash = $2 AND code_expires_at > $3
         RETURNING phone_e164, enable_2fa",
        user_id,
        code_hash,
        now,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (r.phone_e164, r.enable_2fa)))
}
