//! The support console's tables: `users.role`, `support_resets` (two-factor resets that
//! wait) and `support_audit` (append-only, enforced by a trigger).

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;

use crate::server::crypto::tokens::TokenHash;

/// The username of the account `user_id` if it is a staff account.
pub async fn staff_username(pool: &PgPool, user_id: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT username FROM users WHERE id = $1 AND role = 'support'",
        user_id
    )
    .fetch_optional(pool)
    .await
}

/// Sets an account's role by username (the command line only). Returns whether it exists.
pub async fn set_role(pool: &PgPool, username: &str, role: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE users SET role = $2 WHERE username = $1",
        username,
        role
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether the account has an authenticator app or a passkey (what staff sign in with).
pub async fn has_strong_factor(pool: &PgPool, user_id: i64) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT (passkey_count > 0 OR EXISTS (
                      SELECT 1 FROM authenticator_apps a
                      WHERE a.user_id = users.id AND a.confirmed_at IS NOT NULL)) AS "strong!"
           FROM users WHERE id = $1"#,
        user_id
    )
    .fetch_optional(pool)
    .await
    .map(|found| found.unwrap_or(false))
}

/// What the console shows of a customer: never a code, token, hash or secret.
pub struct Customer {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub phone: Option<String>,
    pub two_factor_enabled: bool,
    pub has_app: bool,
    pub passkeys: i32,
    pub has_recovery_token: bool,
    pub must_set_up_two_factor: bool,
}

/// The customers (id, username) whose username, email or full phone number is exactly
/// what the caller parsed. Staff accounts are not customers: never found.
pub async fn find_customer(
    pool: &PgPool,
    username: Option<&str>,
    email: Option<&str>,
    phone: Option<&str>,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    sqlx::query_as!(
        Found,
        "SELECT id, username FROM users
         WHERE role = 'customer'
           AND (username = $1 OR lower(email) = lower($2) OR phone_e164 = $3)
         ORDER BY id LIMIT 20",
        username,
        email,
        phone,
    )
    .fetch_all(pool)
    .await
    .map(|rows| rows.into_iter().map(|r| (r.id, r.username)).collect())
}

struct Found {
    id: i64,
    username: String,
}

/// The customers (id, username) `staff_id`'s searches found since `since`, the most
/// recently found first: the ones the console lets this staff member open.
pub async fn found_since(
    pool: &PgPool,
    staff_id: i64,
    since: OffsetDateTime,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    sqlx::query_as!(
        Found,
        "SELECT u.id, u.username FROM users u
         JOIN (SELECT customer_id, max(at) AS last FROM support_audit
               WHERE staff_id = $1 AND action = 'search' AND at > $2
               GROUP BY customer_id) f ON f.customer_id = u.id
         WHERE u.role = 'customer'
         ORDER BY f.last DESC LIMIT 20",
        staff_id,
        since,
    )
    .fetch_all(pool)
    .await
    .map(|rows| rows.into_iter().map(|r| (r.id, r.username)).collect())
}

/// The customer `id` as the console shows it, if it is a customer.
pub async fn customer(pool: &PgPool, id: i64) -> Result<Option<Customer>, sqlx::Error> {
    sqlx::query_as!(
        Customer,
        r#"SELECT u.id, u.username, u.email, u.phone_e164 AS phone, u.two_factor_enabled,
                  EXISTS (SELECT 1 FROM authenticator_apps a
                          WHERE a.user_id = u.id AND a.confirmed_at IS NOT NULL) AS "has_app!",
                  u.passkey_count AS passkeys,
                  EXISTS (SELECT 1 FROM recovery_tokens r
                          WHERE r.user_id = u.id) AS "has_recovery_token!",
                  u.must_set_up_two_factor
           FROM users u WHERE u.id = $1 AND u.role = 'customer'"#,
        id
    )
    .fetch_optional(pool)
    .await
}

/// A reset waiting for its time, as the console and the customer see it.
pub struct OpenReset {
    pub id: i64,
    pub effective_at: OffsetDateTime,
    pub staff_username: String,
}

/// The customer's open (neither cancelled nor applied) reset, if any.
pub async fn open_reset(pool: &PgPool, user_id: i64) -> Result<Option<OpenReset>, sqlx::Error> {
    sqlx::query_as!(
        OpenReset,
        r#"SELECT r.id, r.effective_at, s.username AS staff_username
           FROM support_resets r JOIN users s ON s.id = r.staff_id
           WHERE r.user_id = $1 AND r.cancelled_at IS NULL AND r.applied_at IS NULL"#,
        user_id
    )
    .fetch_optional(pool)
    .await
}

/// A reset to start.
pub struct NewReset<'a> {
    pub user_id: i64,
    pub staff_id: i64,
    pub reason: &'a str,
    pub now: OffsetDateTime,
    pub effective_at: OffsetDateTime,
    pub cancel_hash: &'a TokenHash,
}

/// Starts a reset unless one is open (the partial unique index decides, so two staff
/// members starting one at once get one). Returns its id, or `None` if one was open.
pub async fn start_reset(
    conn: &mut PgConnection,
    r: &NewReset<'_>,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO support_resets (user_id, staff_id, reason, created_at, effective_at, cancel_hash)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (user_id) WHERE cancelled_at IS NULL AND applied_at IS NULL DO NOTHING
         RETURNING id",
        r.user_id,
        r.staff_id,
        r.reason,
        r.now,
        r.effective_at,
        r.cancel_hash.as_bytes(),
    )
    .fetch_optional(conn)
    .await
}

/// Cancels the open reset the link's token names, if it has not taken effect. One
/// statement: a cancel racing the reset's application, one of them wins. Returns the
/// customer.
pub async fn cancel_by_link(
    conn: &mut PgConnection,
    cancel_hash: &TokenHash,
    now: OffsetDateTime,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar!(
        "UPDATE support_resets SET cancelled_at = $2, cancelled_by = 'email_link'
         WHERE cancel_hash = $1 AND cancelled_at IS NULL AND applied_at IS NULL
         RETURNING user_id",
        cancel_hash.as_bytes(),
        now,
    )
    .fetch_optional(conn)
    .await
}

/// Cancels the customer's open reset (`by`: 'sign_in' or 'this_wasnt_me'), if it has
/// not taken effect. Returns whether one was cancelled.
pub async fn cancel_for(
    conn: &mut PgConnection,
    user_id: i64,
    by: &str,
    now: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE support_resets SET cancelled_at = $2, cancelled_by = $3
         WHERE user_id = $1 AND cancelled_at IS NULL AND applied_at IS NULL",
        user_id,
        now,
        by,
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// A reset whose time has come, taken for applying.
pub struct DueReset {
    pub id: i64,
    pub user_id: i64,
    pub staff_id: i64,
}

/// Takes one reset that is due at `now` for applying in `tx`: marked applied in the same
/// statement, skipping rows another instance holds, so each applies once.
pub async fn take_due(
    tx: &mut PgConnection,
    now: OffsetDateTime,
) -> Result<Option<DueReset>, sqlx::Error> {
    sqlx::query_as!(
        DueReset,
        "UPDATE support_resets SET applied_at = $1
         WHERE id = (SELECT id FROM support_resets
                     WHERE effective_at <= $1 AND cancelled_at IS NULL AND applied_at IS NULL
                     ORDER BY effective_at LIMIT 1 FOR UPDATE SKIP LOCKED)
         RETURNING id, user_id, staff_id",
        now
    )
    .fetch_optional(tx)
    .await
}

/// Takes the phone off the account, turns two-factor authentication off, and asks for a
/// factor at the next sign-in (support's reset; the caller removes the other factors in
/// the same transaction).
pub async fn require_factor_setup(tx: &mut PgConnection, user_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE users SET phone_e164 = NULL, two_factor_enabled = false,
                          must_set_up_two_factor = true
         WHERE id = $1",
        user_id
    )
    .execute(tx)
    .await?;
    Ok(())
}

/// Whether `staff_id` found `customer_id` by a search since `since`: the console shows
/// and acts on a customer only then, so ids cannot be walked to list the base.
pub async fn found_by(
    pool: &PgPool,
    staff_id: i64,
    customer_id: i64,
    since: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM support_audit
                          WHERE staff_id = $1 AND customer_id = $2 AND action = 'search'
                            AND at > $3) AS "found!""#,
        staff_id,
        customer_id,
        since
    )
    .fetch_one(pool)
    .await
}

/// One audit row to append.
pub struct NewAudit<'a> {
    pub at: OffsetDateTime,
    pub staff_id: i64,
    pub staff_username: &'a str,
    pub customer_id: Option<i64>,
    pub customer_username: Option<&'a str>,
    pub action: &'a str,
    pub reason: &'a str,
    pub ip: &'a str,
    pub result: &'a str,
}

/// Appends an audit row.
pub async fn audit(db: impl sqlx::PgExecutor<'_>, a: &NewAudit<'_>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO support_audit (at, staff_id, staff_username, customer_id,
                                    customer_username, action, reason, ip, result)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        a.at,
        a.staff_id,
        a.staff_username,
        a.customer_id,
        a.customer_username,
        a.action,
        a.reason,
        a.ip,
        a.result,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// An audit row as read back.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditRow {
    pub id: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub staff_id: i64,
    pub staff_username: String,
    pub customer_id: Option<i64>,
    pub customer_username: Option<String>,
    pub action: String,
    pub reason: String,
    pub ip: String,
    pub result: String,
}

/// The newest audit rows about a customer, or by a staff member, newest first.
pub async fn audit_rows(
    pool: &PgPool,
    customer_id: Option<i64>,
    staff_id: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditRow>, sqlx::Error> {
    sqlx::query_as!(
        AuditRow,
        "SELECT id, at, staff_id, staff_username, customer_id, customer_username, action,
                reason, ip, result
         FROM support_audit
         WHERE ($1::bigint IS NULL OR customer_id = $1) AND ($2::bigint IS NULL OR staff_id = $2)
         ORDER BY id DESC LIMIT $3",
        customer_id,
        staff_id,
        limit,
    )
    .fetch_all(pool)
    .await
}

/// Every audit row since `since`, oldest first (the command line's export).
pub async fn audit_since(
    pool: &PgPool,
    since: OffsetDateTime,
) -> Result<Vec<AuditRow>, sqlx::Error> {
    sqlx::query_as!(
        AuditRow,
        "SELECT id, at, staff_id, staff_username, customer_id, customer_username, action,
                reason, ip, result
         FROM support_audit WHERE at >= $1 ORDER BY id",
        since
    )
    .fetch_all(pool)
    .await
}
