//! The `passkey_ceremonies` table: a WebAuthn ceremony's state between its two round
//! trips, so that any instance can finish what another began.

use sqlx::PgConnection;
use time::OffsetDateTime;

use crate::server::crypto::tokens::TokenHash;

/// Which ceremony: adding a passkey, signing in with one from the first page, or
/// answering the second step with one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Register,
    SignIn,
    SecondStep,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::SignIn => "sign_in",
            Self::SecondStep => "second_step",
        }
    }
}

/// A ceremony to store.
pub struct NewCeremony<'a> {
    pub id_hash: &'a TokenHash,
    pub kind: Kind,
    pub user_id: Option<i64>,
    pub session_hash: Option<&'a TokenHash>,
    /// webauthn-rs's registration or authentication state, as JSON.
    pub state: &'a str,
    pub now: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// A ceremony taken back for finishing.
pub struct Taken {
    pub user_id: Option<i64>,
    pub state: String,
}

/// Stores a ceremony, first clearing a few expired ones (the table stays small without a
/// sweeper; an index on `expires_at` keeps that cheap).
pub async fn insert(conn: &mut PgConnection, new: &NewCeremony<'_>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "DELETE FROM passkey_ceremonies WHERE id_hash IN (
             SELECT id_hash FROM passkey_ceremonies WHERE expires_at < $1 LIMIT 20
             FOR UPDATE SKIP LOCKED)",
        new.now
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO passkey_ceremonies (id_hash, kind, user_id, session_hash, state, expires_at)
         VALUES ($1, $2, $3, $4, $5::text::jsonb, $6)",
        new.id_hash.as_bytes(),
        new.kind.as_str(),
        new.user_id,
        new.session_hash.map(TokenHash::as_bytes),
        new.state,
        new.expires_at,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Takes the ceremony for finishing: one statement that deletes it only if it is of
/// `kind`, unexpired, and bound to `session_hash` (or to no session when `None`), so a
/// ceremony is finished at most once, within its 5 minutes, by the session that began
/// it, whichever instance answers.
pub async fn take(
    conn: &mut PgConnection,
    id_hash: &TokenHash,
    kind: Kind,
    session_hash: Option<&TokenHash>,
    now: OffsetDateTime,
) -> Result<Option<Taken>, sqlx::Error> {
    sqlx::query_as!(
        Taken,
        r#"DELETE FROM passkey_ceremonies
           WHERE id_hash = $1 AND kind = $2 AND session_hash IS NOT DISTINCT FROM $3
             AND expires_at > $4
           RETURNING user_id, state::text AS "state!""#,
        id_hash.as_bytes(),
        kind.as_str(),
        session_hash.map(TokenHash::as_bytes),
        now,
    )
    .fetch_optional(conn)
    .await
}
