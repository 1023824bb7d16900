//! The `users` table: accounts and their password hashes.

use sqlx::PgPool;
use time::OffsetDateTime;

use crate::domain::{EmailAddress, PhoneNumber, Username};

/// A new account, already validated and with its password hashed.
pub struct NewUser<'a> {
    pub username: &'a Username,
    pub email: &'a EmailAddress,
    pub phone: Option<&'a PhoneNumber>,
    pub two_factor_enabled: bool,
    pub password_hash: &'a str,
}

/// Why an account could not be stored.
#[derive(Debug, thiserror::Error)]
pub enum InsertUserError {
    #[error("the username is taken")]
    UsernameTaken,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// What sign-in needs to know about an account.
pub struct Credentials {
    pub id: i64,
    pub password_hash: String,
    /// Where codes go when two-factor authentication is on.
    pub phone: Option<String>,
    pub two_factor_enabled: bool,
    /// A confirmed authenticator app answers the second step.
    pub has_app: bool,
    /// A passkey may answer the second step.
    pub has_passkey: bool,
}

/// An account as its owner sees it.
pub struct Profile {
    pub username: String,
    pub email: String,
    pub phone: Option<String>,
    pub two_factor_enabled: bool,
}

/// Stores a new account in one statement (so nothing is half-written) and returns its id.
pub async fn insert(
    pool: &PgPool,
    user: &NewUser<'_>,
    now: OffsetDateTime,
) -> Result<i64, InsertUserError> {
    sqlx::query_scalar!(
        "INSERT INTO users (username, email, phone_e164, two_factor_enabled, password_hash, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        user.username.as_str(),
        user.email.as_str(),
        user.phone.map(PhoneNumber::as_str),
        user.two_factor_enabled,
        user.password_hash,
        now,
    )
    .fetch_one(pool)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(db) if db.constraint() == Some("users_username_key") => InsertUserError::UsernameTaken,
        _ => InsertUserError::Database(e),
    })
}

/// Creates the account or, if the username exists, replaces its email, phone, 2FA state
/// and password. For the development demo account only.
pub async fn upsert(
    pool: &PgPool,
    user: &NewUser<'_>,
    now: OffsetDateTime,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO users (username, email, phone_e164, two_factor_enabled, password_hash, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (username) DO UPDATE SET email = EXCLUDED.email, phone_e164 = EXCLUDED.phone_e164,
             two_factor_enabled = EXCLUDED.two_factor_enabled, password_hash = EXCLUDED.password_hash
         RETURNING id",
        user.username.as_str(),
        user.email.as_str(),
        user.phone.map(PhoneNumber::as_str),
        user.two_factor_enabled,
        user.password_hash,
        now,
    )
    .fetch_one(pool)
    .await
}

/// The id and password hash for a username.
pub async fn credentials(
    pool: &PgPool,
    username: &Username,
) -> Result<Option<Credentials>, sqlx::Error> {
    sqlx::query_as!(
        Credentials,
        r#"SELECT id, password_hash, phone_e164 AS phone, two_factor_enabled,
                  EXISTS (SELECT 1 FROM authenticator_apps a
                          WHERE a.user_id = users.id AND a.confirmed_at IS NOT NULL) AS "has_app!",
                  passkey_count > 0 AS "has_passkey!"
           FROM users WHERE username = $1"#,
        username.as_str()
    )
    .fetch_optional(pool)
    .await
}

/// Replaces a password hash after a rehash at stronger parameters — only if it is still
/// `old`, the hash the password was just checked against, so a reset or change that
/// committed meanwhile is never overwritten with the old password. Returns whether it
/// was replaced.
pub async fn rehash_password(
    pool: &PgPool,
    id: i64,
    old: &str,
    password_hash: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2",
        id,
        old,
        password_hash
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The owner's view of an account.
pub async fn profile(
    conn: impl sqlx::PgExecutor<'_>,
    id: i64,
) -> Result<Option<Profile>, sqlx::Error> {
    sqlx::query_as!(
        Profile,
        "SELECT username, email, phone_e164 AS phone, two_factor_enabled FROM users WHERE id = $1",
        id
    )
    .fetch_optional(conn)
    .await
}

/// Saves a proven number and sets two-factor authentication on or off, in `conn`'s
/// transaction.
pub async fn set_phone(
    conn: &mut sqlx::PgConnection,
    id: i64,
    phone_e164: &str,
    two_factor_enabled: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE users SET phone_e164 = $2, two_factor_enabled = $3 WHERE id = $1",
        id,
        phone_e164,
        two_factor_enabled
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Turns two-factor authentication off (the number stays).
pub async fn disable_two_factor(conn: &mut sqlx::PgConnection, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE users SET two_factor_enabled = FALSE WHERE id = $1",
        id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The password hash of an account, for re-entering the password.
pub async fn password_hash(pool: &PgPool, id: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!("SELECT password_hash FROM users WHERE id = $1", id)
        .fetch_optional(pool)
        .await
}

/// An account that an email address belongs to.
pub struct Contact {
    pub id: i64,
    pub username: String,
    pub email: String,
}

/// The accounts using `email` (compared case-insensitively), oldest first.
pub async fn by_email(pool: &PgPool, email: &str) -> Result<Vec<Contact>, sqlx::Error> {
    sqlx::query_as!(
        Contact,
        "SELECT id, username, email FROM users WHERE lower(email) = lower($1) ORDER BY id",
        email
    )
    .fetch_all(pool)
    .await
}

/// The account called `username`.
pub async fn by_username(
    pool: &PgPool,
    username: &Username,
) -> Result<Option<Contact>, sqlx::Error> {
    sqlx::query_as!(
        Contact,
        "SELECT id, username, email FROM users WHERE username = $1",
        username.as_str()
    )
    .fetch_optional(pool)
    .await
}

/// Replaces the password hash inside a transaction (reset or change).
pub async fn replace_password(
    conn: &mut sqlx::PgConnection,
    id: i64,
    password_hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE users SET password_hash = $2 WHERE id = $1",
        id,
        password_hash
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Turns two-factor authentication on (a factor has just been proven).
pub async fn enable_two_factor(conn: &mut sqlx::PgConnection, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE users SET two_factor_enabled = TRUE, must_set_up_two_factor = FALSE WHERE id = $1",
        id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether an account other than `user_id` uses `email` (compared without case).
pub async fn email_used_by_another(
    pool: &PgPool,
    user_id: i64,
    email: &str,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower($1) AND id <> $2) AS "used!""#,
        email,
        user_id,
    )
    .fetch_one(pool)
    .await
}

/// Sets the account's email unless another account has taken it meanwhile: one
/// statement, so two accounts confirming the same address cannot both get it. Returns
/// whether it was set.
pub async fn set_email_if_free(
    conn: &mut sqlx::PgConnection,
    user_id: i64,
    email: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE users SET email = $2 WHERE id = $1
         AND NOT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower($2) AND id <> $1)",
        user_id,
        email,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
