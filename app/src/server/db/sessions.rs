//! The `sessions` table: server-side sessions keyed by the SHA-256 of their id.

use crate::server::crypto::tokens::TokenHash;
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;

/// Where a session stands: between the password and the second factor, or signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Pending,
    Full,
}

impl Stage {
    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Full => "full",
        }
    }
}

/// A new session row.
pub struct NewSession<'a> {
    pub id_hash: &'a TokenHash,
    pub user_id: i64,
    pub stage: Stage,
    pub now: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    /// When the password was proven (the start of this sign-in).
    pub authenticated_at: OffsetDateTime,
    /// Where the session was signed in from, and with what (a history factor's name).
    pub ip: &'a str,
    pub user_agent: &'a str,
    pub factor: &'a str,
}

/// Stores a new session.
pub async fn insert(conn: &mut PgConnection, s: &NewSession<'_>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO sessions (id_hash, user_id, stage, created_at, last_seen_at, expires_at,
                               authenticated_at, ip, user_agent, factor)
         VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9)",
        s.id_hash.as_bytes(),
        s.user_id,
        s.stage.as_str(),
        s.now,
        s.expires_at,
        s.authenticated_at,
        s.ip,
        s.user_agent,
        s.factor,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A live session as its request sees it.
pub struct LiveSession {
    pub user_id: i64,
    pub authenticated_at: OffsetDateTime,
    pub created_at: OffsetDateTime,
    /// Locked down ("This wasn't me"): only a new password is accepted.
    pub must_change_password: bool,
    /// What signed it in (a history factor's name).
    pub factor: String,
    /// Support's two-factor reset took effect on the account and no factor is set up yet.
    pub must_set_up_factor: bool,
}

/// If the session is live at `stage` (not past its absolute expiry, used since
/// `idle_cutoff`), returns it, and records this use when the last recorded one is older
/// than `touch_before`; one round trip. Most requests therefore only read: a write per
/// request would cost a WAL flush each.
pub async fn touch(
    pool: &PgPool,
    id_hash: &TokenHash,
    stage: Stage,
    now: OffsetDateTime,
    idle_cutoff: OffsetDateTime,
    touch_before: OffsetDateTime,
) -> Result<Option<LiveSession>, sqlx::Error> {
    let id_hash = id_hash.as_bytes();
    sqlx::query_as!(
        LiveSession,
        r#"WITH live AS (
               SELECT id_hash, user_id, authenticated_at, last_seen_at, created_at,
                      must_change_password, factor
               FROM sessions
               WHERE id_hash = $1 AND expires_at > $2 AND last_seen_at > $3 AND stage = $4
           ), touched AS (
               UPDATE sessions SET last_seen_at = $2 FROM live
               WHERE sessions.id_hash = live.id_hash AND live.last_seen_at < $5
           )
           SELECT user_id AS "user_id!", authenticated_at AS "authenticated_at!",
                  created_at AS "created_at!", must_change_password AS "must_change_password!",
                  factor AS "factor!",
                  (SELECT u.must_set_up_two_factor AND NOT u.two_factor_enabled
                   FROM users u WHERE u.id = live.user_id) AS "must_set_up_factor!"
           FROM live"#,
        id_hash,
        now,
        idle_cutoff,
        stage.as_str(),
        touch_before,
    )
    .fetch_optional(pool)
    .await
}

/// Ends a session (and, through the foreign key, its challenge).
pub async fn delete(conn: &mut PgConnection, id_hash: &TokenHash) -> Result<(), sqlx::Error> {
    let id_hash = id_hash.as_bytes();
    sqlx::query!("DELETE FROM sessions WHERE id_hash = $1", id_hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// Records that the password was just proven again in this session ("sudo mode").
pub async fn reauthenticate(
    pool: &PgPool,
    id_hash: &TokenHash,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let id_hash = id_hash.as_bytes();
    sqlx::query!(
        "UPDATE sessions SET authenticated_at = $2 WHERE id_hash = $1",
        id_hash,
        now
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Ends a session; true if it existed (so two racing requests cannot both end it).
pub async fn delete_returning(
    conn: &mut PgConnection,
    id_hash: &TokenHash,
) -> Result<bool, sqlx::Error> {
    let id_hash = id_hash.as_bytes();
    let done = sqlx::query!("DELETE FROM sessions WHERE id_hash = $1", id_hash)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Ends every session of the account except `keep` (the one making a change), pending
/// sign-ins included.
pub async fn delete_all_for(
    conn: &mut PgConnection,
    user_id: i64,
    keep: Option<&TokenHash>,
) -> Result<u64, sqlx::Error> {
    let keep = keep.map(TokenHash::as_bytes);
    let done = sqlx::query!(
        "DELETE FROM sessions WHERE user_id = $1 AND ($2::bytea IS NULL OR id_hash <> $2)",
        user_id,
        keep,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Makes room for a new pending sign-in of `user_id`: ends its oldest pending sign-ins
/// so that at most `keep` remain (plus the one about to start), and any that expired.
/// The account's row is locked first, so concurrent password steps for one account
/// queue here and each sees the others' sign-ins: the cap holds under any burst. A
/// pending sign-in whose session or challenge row another request holds right now (a
/// guess being reserved, a code being consumed) is skipped rather than waited for: the
/// cascade from the session to its challenge would otherwise wait on a transaction that
/// itself waits to delete that session — a deadlock.
pub async fn make_room_for_pending(
    conn: &mut PgConnection,
    user_id: i64,
    keep: i64,
    now: OffsetDateTime,
) -> Result<u64, sqlx::Error> {
    sqlx::query!(
        "SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE",
        user_id
    )
    .fetch_optional(&mut *conn)
    .await?;
    let done = sqlx::query!(
        "DELETE FROM sessions WHERE id_hash IN (
             SELECT s.id_hash FROM sessions s
             JOIN signin_challenges c ON c.session_hash = s.id_hash
             WHERE s.user_id = $1 AND s.stage = 'pending'
             ORDER BY (s.expires_at <= $3), s.created_at DESC, s.id_hash
             OFFSET $2
             FOR UPDATE OF s, c SKIP LOCKED)",
        user_id,
        keep,
        now,
    )
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

/// A signed-in session as "Where you're signed in" lists it.
pub struct SignedIn {
    pub id: i64,
    pub ip: String,
    pub user_agent: String,
    pub factor: String,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    /// The session of the request that asks.
    pub current: bool,
}

/// The account's live full sessions (not past either timeout), the current one first,
/// then the most recently used; at most `limit`.
pub async fn list_signed_in(
    pool: &PgPool,
    user_id: i64,
    current: &TokenHash,
    now: OffsetDateTime,
    idle_cutoff: OffsetDateTime,
    limit: i64,
) -> Result<Vec<SignedIn>, sqlx::Error> {
    sqlx::query_as!(
        SignedIn,
        r#"SELECT id, ip, user_agent, factor, created_at, last_seen_at,
                  id_hash = $2 AS "current!"
           FROM sessions
           WHERE user_id = $1 AND stage = 'full' AND expires_at > $3 AND last_seen_at > $4
           ORDER BY id_hash = $2 DESC, last_seen_at DESC, id DESC
           LIMIT $5"#,
        user_id,
        current.as_bytes(),
        now,
        idle_cutoff,
        limit,
    )
    .fetch_all(pool)
    .await
}

/// Ends the account's full session `id`; another account's id matches nothing. Returns
/// whether one ended.
pub async fn delete_signed_in(pool: &PgPool, user_id: i64, id: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "DELETE FROM sessions WHERE user_id = $1 AND id = $2 AND stage = 'full'",
        user_id,
        id,
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks the session as locked down: it may only set a new password. Returns false when
/// it already was (a second click changes nothing).
pub async fn require_new_password(
    conn: &mut PgConnection,
    id_hash: &TokenHash,
) -> Result<bool, sqlx::Error> {
    let row = sqlx::query!(
        "UPDATE sessions SET must_change_password = true
         WHERE id_hash = $1 AND stage = 'full' AND NOT must_change_password RETURNING user_id",
        id_hash.as_bytes(),
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.is_some())
}

/// The new password is set: the session is free again.
pub async fn new_password_set(
    conn: &mut PgConnection,
    id_hash: &TokenHash,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE sessions SET must_change_password = false WHERE id_hash = $1",
        id_hash.as_bytes(),
    )
    .execute(conn)
    .await?;
    Ok(())
}
