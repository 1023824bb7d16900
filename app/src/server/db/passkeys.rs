//! The `passkeys` table (and the account's passkey count and WebAuthn user handle on
//! `users`): an account's WebAuthn credentials, public keys only.

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;

/// A passkey as the Security tab lists it.
pub struct Listed {
    pub id: i64,
    pub name: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    pub backup_eligible: bool,
}

/// A stored credential, for checking an assertion.
pub struct Stored {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    /// webauthn-rs's `Passkey`, as JSON.
    pub credential: String,
    pub backup_eligible: bool,
    /// The owner's WebAuthn user handle.
    pub handle: Option<Vec<u8>>,
}

/// A new credential to store.
pub struct NewPasskey<'a> {
    pub user_id: i64,
    pub credential_id: &'a [u8],
    pub credential: &'a str,
    pub name: &'a str,
    pub sign_count: i64,
    pub backup_eligible: bool,
    pub backed_up: bool,
    pub now: OffsetDateTime,
}

/// The account's WebAuthn user handle, made from `fresh` if it has none yet. One
/// statement: two first passkeys added at once agree on the handle.
pub async fn handle(
    conn: &mut PgConnection,
    user_id: i64,
    fresh: &[u8; 16],
) -> Result<Option<Vec<u8>>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"UPDATE users SET webauthn_handle = coalesce(webauthn_handle, $2)
           WHERE id = $1 RETURNING webauthn_handle AS "handle!""#,
        user_id,
        fresh.as_slice(),
    )
    .fetch_optional(conn)
    .await
}

/// The account's passkeys, oldest first.
pub async fn list(pool: &PgPool, user_id: i64) -> Result<Vec<Listed>, sqlx::Error> {
    sqlx::query_as!(
        Listed,
        "SELECT id, name, created_at, last_used_at, backup_eligible
         FROM passkeys WHERE user_id = $1 ORDER BY created_at, id",
        user_id
    )
    .fetch_all(pool)
    .await
}

/// The credentials of the account, as webauthn-rs's `Passkey` JSON.
pub async fn credentials_of(pool: &PgPool, user_id: i64) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT credential::text AS "credential!" FROM passkeys WHERE user_id = $1 ORDER BY id"#,
        user_id
    )
    .fetch_all(pool)
    .await
}

/// The ids of the account's credentials (to exclude when adding another).
pub async fn credential_ids_of(pool: &PgPool, user_id: i64) -> Result<Vec<Vec<u8>>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT credential_id FROM passkeys WHERE user_id = $1 ORDER BY id",
        user_id
    )
    .fetch_all(pool)
    .await
}

/// The credential with this id, with its owner's handle.
pub async fn find(pool: &PgPool, credential_id: &[u8]) -> Result<Option<Stored>, sqlx::Error> {
    sqlx::query_as!(
        Stored,
        r#"SELECT p.id, p.user_id, p.name, p.credential::text AS "credential!",
                  p.backup_eligible, u.webauthn_handle AS handle
           FROM passkeys p JOIN users u ON u.id = p.user_id
           WHERE p.credential_id = $1"#,
        credential_id
    )
    .fetch_optional(pool)
    .await
}

/// Stores a new passkey within the account's cap, in `tx`. The place is reserved on the
/// account's count first, in one statement (`passkey_count < cap`), so parallel adds
/// cannot pass the cap. Returns the new id, or `None` when the cap is reached; an
/// already-registered credential id fails with a unique violation.
pub async fn insert(
    tx: &mut PgConnection,
    new: &NewPasskey<'_>,
    cap: i32,
) -> Result<Option<i64>, sqlx::Error> {
    let reserved = sqlx::query_scalar!(
        "UPDATE users SET passkey_count = passkey_count + 1
         WHERE id = $1 AND passkey_count < $2 RETURNING id",
        new.user_id,
        cap
    )
    .fetch_optional(&mut *tx)
    .await?;
    if reserved.is_none() {
        return Ok(None);
    }
    let id = sqlx::query_scalar!(
        "INSERT INTO passkeys (user_id, credential_id, credential, name, sign_count,
                               backup_eligible, backed_up, created_at)
         VALUES ($1, $2, $3::text::jsonb, $4, $5, $6, $7, $8) RETURNING id",
        new.user_id,
        new.credential_id,
        new.credential,
        new.name,
        new.sign_count,
        new.backup_eligible,
        new.backed_up,
        new.now,
    )
    .fetch_one(&mut *tx)
    .await?;
    Ok(Some(id))
}

/// Records a verified use: the updated credential, its sign count and backup state.
/// One statement with the counter check in it: a count that is not above the stored
/// one (unless both are zero, as synced passkeys send) matches no row, so of two
/// assertions racing with the same count only one is accepted. Returns whether it was.
pub async fn record_use(
    conn: &mut PgConnection,
    id: i64,
    credential: &str,
    sign_count: i64,
    backed_up: bool,
    now: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE passkeys
         SET credential = $2::text::jsonb, sign_count = $3, backed_up = $4, last_used_at = $5
         WHERE id = $1 AND (sign_count < $3 OR (sign_count = 0 AND $3 = 0))",
        id,
        credential,
        sign_count,
        backed_up,
        now,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Renames one of the account's passkeys. Returns whether it was found.
pub async fn rename(pool: &PgPool, user_id: i64, id: i64, name: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE passkeys SET name = $3 WHERE id = $2 AND user_id = $1",
        user_id,
        id,
        name
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes one of the account's passkeys and gives its place back, in one statement.
/// Returns its name, or `None` if it was not the account's (or already gone).
pub async fn remove(
    conn: &mut PgConnection,
    user_id: i64,
    id: i64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"WITH gone AS (
               DELETE FROM passkeys WHERE id = $2 AND user_id = $1 RETURNING user_id, name
           ), counted AS (
               UPDATE users SET passkey_count = passkey_count - 1
               FROM gone WHERE users.id = gone.user_id
           )
           SELECT name AS "name!" FROM gone"#,
        user_id,
        id
    )
    .fetch_optional(conn)
    .await
}

/// Removes every passkey of the account (support's two-factor reset, account deletion).
pub async fn remove_all(conn: &mut PgConnection, user_id: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!("DELETE FROM passkeys WHERE user_id = $1", user_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query!("UPDATE users SET passkey_count = 0 WHERE id = $1", user_id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}
