//! The `signin_challenges` table: the texted code of each pending sign-in.

use crate::server::crypto::tokens::TokenHash;
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;

/// A freshly issued code, as stored.
pub struct IssuedCode<'a> {
    pub salt: &'a [u8],
    pub hash: &'a [u8],
    pub expires_at: OffsetDateTime,
}

/// A pending sign-in's challenge.
pub struct Challenge {
    pub user_id: i64,
    pub code_salt: Vec<u8>,
    pub code_hash: Vec<u8>,
    pub code_expires_at: OffsetDateTime,
    pub failed_attempts: i32,
    pub sends: i32,
    pub last_sent_at: OffsetDateTime,
    pub consumed_at: Option<OffsetDateTime>,
    /// The account's username and current phone, where codes go.
    pub username: String,
    pub phone: Option<String>,
    /// The account has a confirmed authenticator app.
    pub has_app: bool,
    /// The account has a passkey ("Use a passkey" is offered).
    pub has_passkey: bool,
}

/// Creates the challenge of a new pending session. `texted` says whether `code` went
/// out; a code that did not (an app account, a refused text) is stored already expired,
/// so no guessable code exists until one is texted.
pub async fn insert(
    conn: &mut PgConnection,
    session_hash: &TokenHash,
    user_id: i64,
    code: &IssuedCode<'_>,
    now: OffsetDateTime,
    texted: bool,
) -> Result<(), sqlx::Error> {
    let session_hash = session_hash.as_bytes();
    // Not texted (the account has an authenticator app): no send counted, and "Text me a
    // code instead" is open at once.
    let (sends, last_sent_at, expires_at) = if texted {
        (1, now, code.expires_at)
    } else {
        (0, OffsetDateTime::UNIX_EPOCH, OffsetDateTime::UNIX_EPOCH)
    };
    sqlx::query!(
        "INSERT INTO signin_challenges
             (session_hash, user_id, code_salt, code_hash, code_expires_at, last_sent_at, sends)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        session_hash,
        user_id,
        code.salt,
        code.hash,
        expires_at,
        last_sent_at,
        sends,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The challenge of a pending session.
pub async fn find(
    pool: &PgPool,
    session_hash: &TokenHash,
) -> Result<Option<Challenge>, sqlx::Error> {
    let session_hash = session_hash.as_bytes();
    sqlx::query_as!(
        Challenge,
        r#"SELECT c.user_id, c.code_salt, c.code_hash, c.code_expires_at, c.failed_attempts, c.sends,
                c.last_sent_at, c.consumed_at, u.username, u.phone_e164 AS phone,
                EXISTS (SELECT 1 FROM authenticator_apps a
                        WHERE a.user_id = c.user_id AND a.confirmed_at IS NOT NULL) AS "has_app!",
                u.passkey_count > 0 AS "has_passkey!"
         FROM signin_challenges c JOIN users u ON u.id = c.user_id WHERE c.session_hash = $1"#,
        session_hash
    )
    .fetch_optional(pool)
    .await
}

/// Replaces the code if the cooldown has passed and the send cap is not reached, in one
/// statement so that concurrent resends cannot exceed either. The failed-attempt count
/// is kept. Returns the new send count, or `None` if refused.
pub async fn replace_code(
    conn: &mut PgConnection,
    session_hash: &TokenHash,
    code: &IssuedCode<'_>,
    now: OffsetDateTime,
    cooldown_cutoff: OffsetDateTime,
    limits: SendLimits,
) -> Result<Option<i32>, sqlx::Error> {
    let session_hash = session_hash.as_bytes();
    sqlx::query_scalar!(
        "UPDATE signin_challenges
         SET code_salt = $2, code_hash = $3, code_expires_at = $4, last_sent_at = $5, sends = sends + 1
         WHERE session_hash = $1 AND consumed_at IS NULL AND last_sent_at <= $6 AND sends < $7
           AND failed_attempts < $8
         RETURNING sends",
        session_hash,
        code.salt,
        code.hash,
        code.expires_at,
        now,
        cooldown_cutoff,
        limits.max_sends,
        limits.max_attempts,
    )
    .fetch_optional(conn)
    .await
}

/// What bounds a pending sign-in's resends: its sends, and its guesses (a sign-in that
/// has used them all gets no new code).
#[derive(Debug, Clone, Copy)]
pub struct SendLimits {
    pub max_sends: i32,
    pub max_attempts: i32,
}

/// Takes one of the pending sign-in's guesses before the guess is checked: one
/// statement, so of any number of concurrent guesses at most `max_attempts` in all are
/// ever evaluated. Returns the guesses taken so far (this one included), or `None` when
/// none is left (or the sign-in is over).
pub async fn reserve_guess(
    conn: &mut PgConnection,
    session_hash: &TokenHash,
    max_attempts: i32,
) -> Result<Option<i32>, sqlx::Error> {
    let session_hash = session_hash.as_bytes();
    sqlx::query_scalar!(
        "UPDATE signin_challenges SET failed_attempts = failed_attempts + 1
         WHERE session_hash = $1 AND consumed_at IS NULL AND failed_attempts < $2
         RETURNING failed_attempts",
        session_hash,
        max_attempts,
    )
    .fetch_optional(conn)
    .await
}

/// Gives a reserved guess back (it was never checked: the code had expired).
pub async fn release_guess(pool: &PgPool, session_hash: &TokenHash) -> Result<(), sqlx::Error> {
    let session_hash = session_hash.as_bytes();
    sqlx::query!(
        "UPDATE signin_challenges SET failed_attempts = failed_attempts - 1
         WHERE session_hash = $1 AND failed_attempts > 0",
        session_hash
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Consumes the code if it is still the current one, unused and unexpired: one
/// statement, so of any number of concurrent verifications exactly one gets the row
/// back. The guess was reserved before it was checked ([`reserve_guess`]), which is
/// what bounds the attempts. Returns the account id.
pub async fn consume(
    conn: &mut PgConnection,
    session_hash: &TokenHash,
    code_hash: &[u8],
    now: OffsetDateTime,
) -> Result<Option<i64>, sqlx::Error> {
    let session_hash = session_hash.as_bytes();
    sqlx::query_scalar!(
        "UPDATE signin_challenges SET consumed_at = $3
         WHERE session_hash = $1 AND code_hash = $2 AND consumed_at IS NULL
           AND code_expires_at > $3
         RETURNING user_id",
        session_hash,
        code_hash,
        now,
    )
    .fetch_optional(conn)
    .await
}

/// Ends the challenge without its texted code (the authenticator app or the recovery
/// token answered instead): one statement, so of concurrent finishes exactly one gets
/// the account back. Like [`consume`], it relies on the guess having been reserved.
pub async fn finish(
    conn: &mut PgConnection,
    session_hash: &TokenHash,
    now: OffsetDateTime,
) -> Result<Option<i64>, sqlx::Error> {
    let session_hash = session_hash.as_bytes();
    sqlx::query_scalar!(
        "UPDATE signin_challenges SET consumed_at = $2
         WHERE session_hash = $1 AND consumed_at IS NULL
         RETURNING user_id",
        session_hash,
        now,
    )
    .fetch_optional(conn)
    .await
}
