//! The `account_throttles` table: failed sign-in steps per account name (or per trusted
//! device, under a key of its own).

use sqlx::PgConnection;
use time::{Duration, OffsetDateTime};

/// One attempt taken from a name's budget by [`reserve`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reserved {
    /// Failures since the last successful sign-in, this attempt included.
    pub failures: i32,
    /// The lock this attempt set, should it fail (the ladder's next rung).
    pub locked_until: Option<OffsetDateTime>,
}

/// How failures lock a name: `ladder[n - 1]` is the lock in seconds after `n` failures
/// (0: none), the last entry standing for every count past the ladder's end; and the
/// most failures an hour before the name is locked to the end of that hour.
pub struct Ladder<'a> {
    pub lock_seconds: &'a [i64],
    pub max_per_hour: i32,
}

/// A name's lock at `now`, if it is locked.
pub async fn locked_until(
    db: impl sqlx::PgExecutor<'_>,
    username: &str,
    now: OffsetDateTime,
) -> Result<Option<OffsetDateTime>, sqlx::Error> {
    let row = sqlx::query_scalar!(
        "SELECT locked_until FROM account_throttles WHERE username = $1 AND locked_until > $2",
        username,
        now,
    )
    .fetch_optional(db)
    .await?;
    Ok(row.flatten())
}

/// Takes one attempt for `username` unless it is locked at `now`: the attempt is
/// counted as a failure *before* the work it limits (a hash, a code check), and the lock
/// that failure would earn is set in the same statement, so of any number of concurrent
/// attempts only those the ladder allows are granted. A right answer gives its attempt
/// back ([`release`]) or clears the name ([`clear`]). `None`: locked, nothing counted.
///
/// One statement: `ON CONFLICT DO UPDATE` locks the name's row, and its `SET` and `WHERE`
/// read that locked row (never an older snapshot), so concurrent reservations queue and
/// each sees the counts and the lock of the one before it.
pub async fn reserve(
    conn: &mut PgConnection,
    username: &str,
    now: OffsetDateTime,
    ladder: &Ladder<'_>,
) -> Result<Option<Reserved>, sqlx::Error> {
    let hour_ago = now - Duration::hours(1);
    // A name's first failure: its lock, if the ladder (or the hourly cap) starts at one.
    let first_lock = match ladder.lock_seconds.first() {
        Some(&secs) if secs > 0 => Some(now + Duration::seconds(secs)),
        _ => None,
    };
    let first_lock = if ladder.max_per_hour <= 1 {
        Some(first_lock.map_or(now + Duration::hours(1), |l| {
            l.max(now + Duration::hours(1))
        }))
    } else {
        first_lock
    };
    let row = sqlx::query!(
        r#"INSERT INTO account_throttles AS t
               (username, failures, hour_start, hour_failures, locked_until)
           VALUES ($1, 1, $2, 1, $6)
           ON CONFLICT (username) DO UPDATE SET
               failures = t.failures + 1,
               hour_start = CASE WHEN t.hour_start <= $3 THEN $2 ELSE t.hour_start END,
               hour_failures = CASE WHEN t.hour_start <= $3 THEN 1 ELSE t.hour_failures + 1 END,
               locked_until = GREATEST(
                   CASE WHEN ($4::int8[])[LEAST(t.failures + 1, cardinality($4::int8[]))] > 0
                        THEN $2 + make_interval(
                            secs => ($4::int8[])[LEAST(t.failures + 1, cardinality($4::int8[]))])
                   END,
                   CASE WHEN (CASE WHEN t.hour_start <= $3 THEN 1 ELSE t.hour_failures + 1 END) >= $5
                        THEN (CASE WHEN t.hour_start <= $3 THEN $2 ELSE t.hour_start END)
                             + interval '1 hour'
                   END)
           WHERE t.locked_until IS NULL OR t.locked_until <= $2
           RETURNING failures, locked_until"#,
        username,
        now,
        hour_ago,
        ladder.lock_seconds,
        ladder.max_per_hour,
        first_lock,
    )
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|r| Reserved {
        failures: r.failures,
        locked_until: r.locked_until,
    }))
}

/// Gives back an attempt [`reserve`] took (its answer was right, or it was never
/// checked): one failure less, and the lock lifted when it was this attempt's and
/// nothing came after it, or when the failures left no longer earn one. So right
/// answers that were in flight together (counted up front, five of them enough to lock)
/// leave no lock behind them.
pub async fn release(
    db: impl sqlx::PgExecutor<'_>,
    username: &str,
    reserved: &Reserved,
    ladder: &Ladder<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"UPDATE account_throttles SET
               failures = GREATEST(failures - 1, 0),
               hour_failures = GREATEST(hour_failures - 1, 0),
               locked_until = CASE
                   WHEN failures = $2 AND locked_until = $3 THEN NULL
                   WHEN (failures <= 1
                         OR ($4::int8[])[LEAST(failures - 1, cardinality($4::int8[]))] = 0)
                        AND hour_failures - 1 < $5 THEN NULL
                   ELSE locked_until END
           WHERE username = $1"#,
        username,
        reserved.failures,
        reserved.locked_until,
        ladder.lock_seconds,
        ladder.max_per_hour,
    )
    .execute(db)
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
