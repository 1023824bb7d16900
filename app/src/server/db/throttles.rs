//! The `account_throttles` table: failed sign-in steps per account name.

use sqlx::PgPool;
use time::{Duration, OffsetDateTime};

/// The counts after a failure was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failures {
    /// Since the last successful sign-in.
    pub total: i32,
    /// In the current hour, and when that hour began.
    pub this_hour: i32,
    pub hour_start: OffsetDateTime,
}

/// A name's failures so far (0 when none) and, if it is locked at `now`, until when.
pub async fn standing(
    pool: &PgPool,
    username: &str,
    now: OffsetDateTime,
) -> Result<(i32, Option<OffsetDateTime>), sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT failures, CASE WHEN locked_until > $2 THEN locked_until END AS locked_until
           FROM account_throttles WHERE username = $1"#,
        username,
        now,
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map_or((0, None), |r| (r.failures, r.locked_until)))
}

/// Counts one failure, atomically (concurrent failures are all counted).
pub async fn record_failure(
    pool: &PgPool,
    username: &str,
    now: OffsetDateTime,
) -> Result<Failures, sqlx::Error> {
    let hour_ago = now - Duration::hours(1);
    let row = sqlx::query!(
        r#"INSERT INTO account_throttles (username, failures, hour_start, hour_failures)
           VALUES ($1, 1, $2, 1)
           ON CONFLICT (username) DO UPDATE SET
               failures = account_throttles.failures + 1,
               hour_start = CASE WHEN account_throttles.hour_start <= $3 THEN $2
                                 ELSE account_throttles.hour_start END,
               hour_failures = CASE WHEN account_throttles.hour_start <= $3 THEN 1
                                    ELSE account_throttles.hour_failures + 1 END
           RETURNING failures, hour_failures, hour_start"#,
        username,
        now,
        hour_ago,
    )
    .fetch_one(pool)
    .await?;
    Ok(Failures {
        total: row.failures,
        this_hour: row.hour_failures,
        hour_start: row.hour_start,
    })
}

/// Locks the name until `until` (a longer lock already in place is kept).
pub async fn lock(pool: &PgPool, username: &str, until: OffsetDateTime) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE account_throttles
         SET locked_until = GREATEST(coalesce(locked_until, $2), $2)
         WHERE username = $1",
        username,
        until,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// A successful sign-in: the count starts again and any lock ends.
pub async fn clear(db: impl sqlx::PgExecutor<'_>, username: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "DELETE FROM account_throttles WHERE username = $1",
        username
    )
    .execute(db)
    .await?;
    Ok(())
}
