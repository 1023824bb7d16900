//! The `dev_mailbox` table: what the development provider was asked to deliver, in clear,
//! for `/dev/outbox` and the tests to read (never used in production).

use sqlx::PgPool;
use time::OffsetDateTime;

/// Stores one delivered message; returns its id (the dev provider's message id).
pub async fn insert(
    pool: &PgPool,
    channel: &str,
    to: &str,
    subject: Option<&str>,
    body: &str,
    now: OffsetDateTime,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO dev_mailbox (channel, recipient, subject, body, sent_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
        channel,
        to,
        subject,
        body,
        now,
    )
    .fetch_one(pool)
    .await
}
