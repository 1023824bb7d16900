//! The `outbox` table: messages the dev sender stored instead of sending.

use serde::Serialize;
use sqlx::PgPool;
use time::OffsetDateTime;

use crate::server::messaging::outbox::OutgoingMessage;

/// A stored message as `/dev/outbox.json` returns it.
#[derive(Debug, Clone, Serialize)]
pub struct StoredMessage {
    pub channel: String,
    pub to: String,
    pub subject: Option<String>,
    pub body: String,
    #[serde(with = "time::serde::rfc3339")]
    pub sent_at: OffsetDateTime,
}

/// Stores one message.
pub async fn insert(
    pool: &PgPool,
    message: &OutgoingMessage,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO outbox (channel, recipient, subject, body, sent_at)
         VALUES ($1, $2, $3, $4, $5)",
        message.channel.as_str(),
        message.to,
        message.subject,
        message.body,
        now,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// The newest `limit` messages, newest first.
pub async fn newest(pool: &PgPool, limit: i64) -> Result<Vec<StoredMessage>, sqlx::Error> {
    sqlx::query_as!(
        StoredMessage,
        r#"SELECT channel, recipient AS "to", subject, body, sent_at
           FROM outbox ORDER BY id DESC LIMIT $1"#,
        limit,
    )
    .fetch_all(pool)
    .await
}
