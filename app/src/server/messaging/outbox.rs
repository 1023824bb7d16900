//! Outgoing messages (SMS and email) and the dev outbox that stores them.

use std::future::Future;
use std::pin::Pin;

use serde::Serialize;
use sqlx::PgPool;

use crate::server::Clock;

/// The channel a message goes out on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Sms,
    Email,
}

impl Channel {
    /// The name stored in the database and shown in the outbox.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sms => "sms",
            Self::Email => "email",
        }
    }
}

/// One message to send: an SMS to an E.164 number or an email to an address.
#[derive(Debug, Clone)]
pub struct OutgoingMessage {
    pub channel: Channel,
    pub to: String,
    /// Emails only.
    pub subject: Option<String>,
    pub body: String,
}

/// Why a message could not be handed over for delivery. None of these carries the
/// message itself, so they can be logged.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("outbox write failed: {0}")]
    Database(#[from] sqlx::Error),
    #[error("provider answered {status} (code {code:?}): {message}")]
    Provider {
        status: u16,
        code: Option<i64>,
        message: String,
    },
    #[error("provider did not answer in time")]
    Timeout,
    #[error("could not reach the provider: {0}")]
    Transport(String),
    #[error("invalid address or message: {0}")]
    Invalid(String),
}

/// Boxed future returned by the senders.
pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<(), SendError>> + Send + 'a>>;

/// Stores every message in PostgreSQL instead of sending it, for `/dev/outbox`. It is the
/// development implementation of both [`crate::server::messaging::sms::SmsSender`] and
/// [`crate::server::messaging::email::EmailSender`].
pub struct Outbox {
    pool: PgPool,
    clock: Clock,
}

impl Outbox {
    /// An outbox writing to `pool`, stamping messages with `clock`.
    pub fn new(pool: PgPool, clock: Clock) -> Self {
        Self { pool, clock }
    }

    /// Stores one message.
    pub async fn store(&self, message: &OutgoingMessage) -> Result<(), SendError> {
        crate::server::db::outbox::insert(&self.pool, message, self.clock.now()).await?;
        Ok(())
    }
}
