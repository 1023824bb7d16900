//! The `outbox` table: messages waiting to be sent, being sent, sent or given up.
//!
//! A message is written with the event that causes it ([`enqueue`] on the event's
//! transaction). Senders take due messages with [`claim`]; the claim counts the try and
//! leases the row by moving its `due_at` past the sender's time-out, so a sender that dies
//! mid-send leaves the message to another once the lease runs out (at least once).

use serde::Serialize;
use sqlx::{PgConnection, PgPool};
use time::{Duration, OffsetDateTime};

/// A message to store: the body as it will be stored (sealed or not).
#[derive(Debug)]
pub struct NewMessage<'a> {
    pub channel: &'a str,
    pub recipient: &'a str,
    pub subject: Option<&'a str>,
    pub body: Stored,
}

/// A body at rest: sealed with the server's key, or UTF-8 when there is no key.
#[derive(Debug, Clone)]
pub struct Stored {
    pub nonce: Option<Vec<u8>>,
    pub bytes: Vec<u8>,
}

/// Queues one message on the caller's transaction; the senders are woken when it commits.
pub async fn enqueue(
    conn: &mut PgConnection,
    message: &NewMessage<'_>,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO outbox (channel, recipient, subject, body, nonce, sealed, created_at, due_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        message.channel,
        message.recipient,
        message.subject,
        message.body.bytes,
        message.body.nonce,
        message.body.nonce.is_some(),
        now,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Records a message sent on the request path (a texted code): no body, only the result.
pub async fn record(
    pool: &PgPool,
    channel: &str,
    recipient: &str,
    result: Result<Option<&str>, &str>,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let (state, provider_id, error) = match result {
        Ok(id) => ("sent", id, None),
        Err(e) => ("failed", None, Some(e)),
    };
    sqlx::query!(
        "INSERT INTO outbox (channel, recipient, state, attempts, created_at, due_at, done_at,
                             provider_id, last_error)
         VALUES ($1, $2, $3, 1, $4, $4, $4, $5, $6)",
        channel,
        recipient,
        state,
        now,
        provider_id,
        error,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// A message a sender took.
#[derive(Debug)]
pub struct Claimed {
    pub id: i64,
    pub channel: String,
    pub recipient: String,
    pub subject: Option<String>,
    pub body: Option<Vec<u8>>,
    pub nonce: Option<Vec<u8>>,
    /// Tries so far, this one included.
    pub attempts: i32,
}

/// Takes up to `limit` due messages for one sender: each try is counted and the row
/// leased until `now + lease` in the same statement. `SKIP LOCKED` lets senders in other
/// instances take other rows at the same moment instead of waiting on these.
pub async fn claim(
    pool: &PgPool,
    now: OffsetDateTime,
    lease: Duration,
    limit: i64,
) -> Result<Vec<Claimed>, sqlx::Error> {
    sqlx::query_as!(
        Claimed,
        "UPDATE outbox SET attempts = attempts + 1, due_at = $2
         WHERE id IN (SELECT id FROM outbox WHERE state = 'queued' AND due_at <= $1
                      ORDER BY due_at LIMIT $3 FOR UPDATE SKIP LOCKED)
         RETURNING id, channel, recipient, subject, body, nonce, attempts",
        now,
        now + lease,
        limit,
    )
    .fetch_all(pool)
    .await
}

/// Marks a message delivered and erases its body (if it is still queued: another sender
/// may have finished it after this one's lease ran out).
pub async fn mark_sent(
    pool: &PgPool,
    id: i64,
    provider_id: Option<&str>,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE outbox SET state = 'sent', done_at = $3, provider_id = $2, body = NULL,
                           nonce = NULL, last_error = NULL
         WHERE id = $1 AND state = 'queued'",
        id,
        provider_id,
        now,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Leaves a message for another try at `due_at`, noting why this one failed.
pub async fn retry_at(
    pool: &PgPool,
    id: i64,
    due_at: OffsetDateTime,
    error: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE outbox SET due_at = $2, last_error = $3 WHERE id = $1 AND state = 'queued'",
        id,
        due_at,
        error,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Gives a message up and erases its body.
pub async fn mark_failed(
    pool: &PgPool,
    id: i64,
    error: &str,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE outbox SET state = 'failed', done_at = $3, last_error = $2, body = NULL,
                           nonce = NULL
         WHERE id = $1 AND state = 'queued'",
        id,
        error,
        now,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// How many messages wait, and since when the oldest has waited.
pub async fn backlog(pool: &PgPool) -> Result<(i64, Option<OffsetDateTime>), sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT count(*) AS "waiting!", min(created_at) AS oldest
           FROM outbox WHERE state = 'queued'"#
    )
    .fetch_one(pool)
    .await?;
    Ok((row.waiting, row.oldest))
}

/// One message as `/dev/outbox` shows it: its state, and the text the development
/// provider received once it was sent.
#[derive(Debug, Clone, Serialize)]
pub struct Listed {
    pub channel: String,
    pub to: String,
    pub subject: Option<String>,
    pub body: String,
    pub state: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub sent_at: OffsetDateTime,
}

/// The newest `limit` messages, newest first, with the dev provider's copy of the text.
pub async fn newest(pool: &PgPool, limit: i64) -> Result<Vec<Listed>, sqlx::Error> {
    sqlx::query_as!(
        Listed,
        r#"SELECT o.channel, o.recipient AS "to", o.subject,
                  coalesce(m.body, '') AS "body!", o.state, o.attempts, o.last_error,
                  coalesce(o.done_at, o.created_at) AS "sent_at!"
           FROM outbox o
           LEFT JOIN dev_mailbox m ON m.id = CASE WHEN o.provider_id LIKE 'dev-%'
                                                  THEN substr(o.provider_id, 5)::bigint END
           ORDER BY o.id DESC LIMIT $1"#,
        limit,
    )
    .fetch_all(pool)
    .await
}
