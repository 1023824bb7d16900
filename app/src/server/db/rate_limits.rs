//! The `rate_limits` table: fixed-window counters shared by every server instance.

use sqlx::PgConnection;
use time::{Duration, OffsetDateTime};

/// The start of the fixed window of length `window` that holds `now`.
pub fn window_start(window: Duration, now: OffsetDateTime) -> OffsetDateTime {
    let secs = window.whole_seconds().max(1);
    OffsetDateTime::from_unix_timestamp(now.unix_timestamp().div_euclid(secs) * secs).unwrap_or(now)
}

/// One unit of a counter, taken by [`reserve`]; give it back with [`release`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub key: String,
    pub window_start: OffsetDateTime,
    /// The count in the window with this slot taken.
    pub hits: i32,
}

/// Takes one unit of `key`'s budget of `cap` in the window holding `now`, or returns
/// `None` when the budget is spent. One statement: the row lock taken by `ON CONFLICT DO
/// UPDATE … WHERE hits < cap` makes concurrent reservations queue, so however many
/// requests race, on however many instances, at most `cap` get a slot. A refused
/// reservation counts nothing.
pub async fn reserve(
    conn: &mut PgConnection,
    key: &str,
    window: Duration,
    now: OffsetDateTime,
    cap: i32,
) -> Result<Option<Slot>, sqlx::Error> {
    if cap <= 0 {
        return Ok(None);
    }
    let start = window_start(window, now);
    let hits = sqlx::query_scalar!(
        r#"WITH old AS (DELETE FROM rate_limits WHERE key = $1 AND window_start < $2)
           INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 1)
           ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limits.hits + 1
           WHERE rate_limits.hits < $3
           RETURNING hits"#,
        key,
        start,
        cap,
    )
    .fetch_optional(conn)
    .await?;
    Ok(hits.map(|hits| Slot {
        key: key.to_owned(),
        window_start: start,
        hits,
    }))
}

/// Gives a slot back (the attempt it was taken for turned out not to count: a right
/// password, a right code).
pub async fn release(db: impl sqlx::PgExecutor<'_>, slot: &Slot) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE rate_limits SET hits = hits - 1
         WHERE key = $1 AND window_start = $2 AND hits > 0",
        slot.key,
        slot.window_start,
    )
    .execute(db)
    .await?;
    Ok(())
}
