//! The `rate_limits` table: fixed-window counters shared by every server instance.

use sqlx::PgPool;
use time::{Duration, OffsetDateTime};

/// The start of the fixed window of length `window` that holds `now`.
fn window_start(window: Duration, now: OffsetDateTime) -> OffsetDateTime {
    let secs = window.whole_seconds().max(1);
    OffsetDateTime::from_unix_timestamp(now.unix_timestamp().div_euclid(secs) * secs).unwrap_or(now)
}

/// Counts one event for `key` in the window of length `window` holding `now`, and
/// returns the count so far in that window (this event included). Windows of the key
/// that have ended are deleted in the same statement.
pub async fn hit(
    pool: &PgPool,
    key: &str,
    window: Duration,
    now: OffsetDateTime,
) -> Result<i32, sqlx::Error> {
    let start = window_start(window, now);
    sqlx::query_scalar!(
        r#"WITH old AS (DELETE FROM rate_limits WHERE key = $1 AND window_start < $2)
           INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 1)
           ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limits.hits + 1
           RETURNING hits"#,
        key,
        start,
    )
    .fetch_one(pool)
    .await
}

/// The count for `key` in the window holding `now`, without counting.
pub async fn count(
    pool: &PgPool,
    key: &str,
    window: Duration,
    now: OffsetDateTime,
) -> Result<i32, sqlx::Error> {
    let start = window_start(window, now);
    Ok(sqlx::query_scalar!(
        "SELECT hits FROM rate_limits WHERE key = $1 AND window_start = $2",
        key,
        start,
    )
    .fetch_optional(pool)
    .await?
    .unwrap_or(0))
}
