//! The sweeper: deletes expired rows (sessions, sign-ins in progress, reset links, phone
//! verifications, old rate-limit windows, old Login History, …) in small batches. Every
//! instance runs it on a timer; a PostgreSQL advisory lock lets one sweep at a time.

use sqlx::{Connection, PgPool};
use time::OffsetDateTime;

use crate::server::db::retention::{self, Retention};
use crate::server::{AppState, Settings};

/// The advisory lock's key: one sweeper at a time across every instance.
const LOCK_KEY: i64 = 0x6761_7465_7377_6570; // "gateswep"

/// Rows deleted per statement.
pub const BATCH: i64 = 1_000;

/// What one sweep removed, per table (tables with nothing to remove are left out).
pub type Swept = Vec<(&'static str, u64)>;

/// Sweeps every table once at `now` with the retention `settings` give, unless another
/// instance is sweeping (`None` then). It needs only the pool, so `server sweep` runs it
/// without building an instance.
pub async fn sweep(
    pool: &PgPool,
    settings: &Settings,
    now: OffsetDateTime,
) -> Result<Option<Swept>, sqlx::Error> {
    // The lock belongs to this connection's session: it is held only while we hold the
    // connection, and released even if the process dies.
    let mut lock = pool.acquire().await?;
    let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(LOCK_KEY)
        .fetch_one(&mut *lock)
        .await?;
    if !locked {
        return Ok(None);
    }
    let retention = Retention {
        history: settings.history_retention,
        session_idle: settings.sessions.idle,
    };
    let result = sweep_tables(pool, now, &retention).await;
    let unlocked = sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(LOCK_KEY)
        .execute(&mut *lock)
        .await;
    if unlocked.is_err() {
        // The connection is suspect: close it rather than return it holding the lock.
        let _ = lock.detach().close().await;
    }
    result.map(Some)
}

async fn sweep_tables(
    pool: &PgPool,
    now: OffsetDateTime,
    retention: &Retention,
) -> Result<Swept, sqlx::Error> {
    let mut swept = Vec::new();
    for table in retention::TABLES {
        let mut total = 0;
        loop {
            let n = retention::delete_expired(pool, table, now, retention, BATCH).await?;
            total += n;
            if n < BATCH as u64 {
                break;
            }
            // Let other work in between batches.
            tokio::task::yield_now().await;
        }
        if total > 0 {
            swept.push((table, total));
        }
    }
    Ok(swept)
}

/// Sweeps at start-up and then every five minutes until the process ends, and applies
/// support's due two-factor resets every minute.
pub fn spawn(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        let mut minutes = 0u64;
        loop {
            tick.tick().await;
            let now = state.clock.now();
            if let Err(e) = crate::server::support::resets::apply_due(&state, now).await {
                tracing::warn!(error = %e, "applying support's two-factor resets");
            }
            minutes += 1;
            if minutes % 5 != 1 {
                continue;
            }
            match sweep(&state.pool, &state.settings, now).await {
                Ok(Some(swept)) if !swept.is_empty() => {
                    tracing::info!(?swept, "swept expired rows");
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "sweeping expired rows"),
            }
        }
    });
}
