//! The durable outbox: emails and notices are queued in PostgreSQL on the transaction of
//! the event that causes them, and delivered by [`worker`] in every instance, at least
//! once (docs/operations.md). Texted sign-in codes are sent on the request path (the
//! customer is waiting and can resend) and only their result is recorded here.

pub mod worker;

use std::future::Future;
use std::pin::Pin;

use serde::Serialize;
use sqlx::PgConnection;
use time::OffsetDateTime;

use crate::server::crypto::secret_box::SecretKey;
use crate::server::db::outbox::{self, Claimed, NewMessage, Stored};
use crate::server::messaging::email::Email;
use crate::server::AppState;

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

impl SendError {
    /// Whether trying again cannot help: the provider refused this message itself (a
    /// 4xx other than 408 and 429, e.g. an invalid number), or it is malformed. Outages,
    /// time-outs, throttling and 5xx answers are worth another try.
    pub fn is_permanent(&self) -> bool {
        match self {
            Self::Invalid(_) => true,
            Self::Provider { status, .. } => {
                (400..500).contains(status) && *status != 408 && *status != 429
            }
            Self::Database(_) | Self::Timeout | Self::Transport(_) => false,
        }
    }
}

/// What a provider said when it accepted a message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Receipt {
    /// The provider's id for the message (Twilio's SID, the SMTP server's reply).
    pub provider_id: Option<String>,
}

/// Boxed future returned by the senders.
pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<Receipt, SendError>> + Send + 'a>>;

/// Queues `email` on `conn`'s transaction: it leaves when the transaction commits, and
/// never if it rolls back.
pub async fn enqueue_email(
    state: &AppState,
    conn: &mut PgConnection,
    email: &Email,
) -> Result<(), sqlx::Error> {
    let channel = Channel::Email.as_str();
    let body = seal(
        state.settings.secret_key.as_ref(),
        channel,
        &email.to,
        &email.body,
    );
    let message = NewMessage {
        channel,
        recipient: &email.to,
        subject: Some(&email.subject),
        body,
    };
    outbox::enqueue(conn, &message, state.clock.now()).await?;
    Ok(())
}

/// Queues a text (a notice, never a code) on `conn`'s transaction.
pub async fn enqueue_sms(
    state: &AppState,
    conn: &mut PgConnection,
    to: &str,
    body: &str,
) -> Result<(), sqlx::Error> {
    let channel = Channel::Sms.as_str();
    let message = NewMessage {
        channel,
        recipient: to,
        subject: None,
        body: seal(state.settings.secret_key.as_ref(), channel, to, body),
    };
    outbox::enqueue(conn, &message, state.clock.now()).await?;
    Ok(())
}

/// Records the result of a text sent on the request path (its body is not kept).
pub async fn record_sms(
    state: &AppState,
    to: &str,
    sent: &Result<Receipt, SendError>,
    now: OffsetDateTime,
) {
    let error = sent.as_ref().err().map(ToString::to_string);
    let result = match sent {
        Ok(receipt) => Ok(receipt.provider_id.as_deref()),
        Err(_) => Err(error.as_deref().unwrap_or_default()),
    };
    let recorded = outbox::record(&state.pool, Channel::Sms.as_str(), to, result, now).await;
    if let Err(e) = recorded {
        tracing::error!(error = %e, "recording a text's delivery");
    }
}

/// The associated data a body is sealed with: a sealed body moved to another recipient
/// or channel does not open.
fn aad(channel: &str, recipient: &str) -> Vec<u8> {
    [b"outbox\0", channel.as_bytes(), b"\0", recipient.as_bytes()].concat()
}

/// Seals a body for storage with the server's key. Without a key (production without
/// GATEHOUSE_SECRET_KEY, warned about at start-up) it is stored as it is, until sent.
fn seal(key: Option<&SecretKey>, channel: &str, recipient: &str, body: &str) -> Stored {
    match key {
        Some(key) => {
            let (nonce, bytes) = key.seal(body.as_bytes(), &aad(channel, recipient));
            Stored {
                nonce: Some(nonce),
                bytes,
            }
        }
        None => Stored {
            nonce: None,
            bytes: body.as_bytes().to_vec(),
        },
    }
}

/// Why a stored body cannot be read back.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("the message has no body")]
    Missing,
    #[error("the body is sealed but GATEHOUSE_SECRET_KEY is not set")]
    NoKey,
    #[error("the body does not open with this key")]
    Unsealable,
    #[error("the body is not UTF-8")]
    NotText,
}

/// The text of a claimed message.
fn open(key: Option<&SecretKey>, message: &Claimed) -> Result<String, OpenError> {
    let bytes = message.body.as_deref().ok_or(OpenError::Missing)?;
    let plain = match &message.nonce {
        Some(nonce) => key
            .ok_or(OpenError::NoKey)?
            .open(nonce, bytes, &aad(&message.channel, &message.recipient))
            .map_err(|_| OpenError::Unsealable)?
            .to_vec(),
        None => bytes.to_vec(),
    };
    String::from_utf8(plain).map_err(|_| OpenError::NotText)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claimed(channel: &str, recipient: &str, stored: Stored) -> Claimed {
        Claimed {
            id: 1,
            channel: channel.into(),
            recipient: recipient.into(),
            subject: None,
            body: Some(stored.bytes),
            nonce: stored.nonce,
            attempts: 1,
        }
    }

    #[test]
    fn bodies_are_sealed_at_rest_and_open_only_for_their_recipient() {
        let key = SecretKey::from_hex(&"42".repeat(32)).unwrap();
        let body = "Reset your password: https://panel.example/reset?token=SECRET";
        let stored = seal(Some(&key), "email", "a@example.com", body);
        assert!(!String::from_utf8_lossy(&stored.bytes).contains("SECRET"));
        let same = claimed("email", "a@example.com", stored.clone());
        assert_eq!(open(Some(&key), &same).unwrap(), body);
        let moved = claimed("email", "b@example.com", stored.clone());
        assert!(matches!(
            open(Some(&key), &moved),
            Err(OpenError::Unsealable)
        ));
        assert!(matches!(open(None, &same), Err(OpenError::NoKey)));
        let unsealed = claimed(
            "sms",
            "+447400123456",
            seal(None, "sms", "+447400123456", "hi"),
        );
        assert_eq!(open(None, &unsealed).unwrap(), "hi");
    }

    #[test]
    fn only_refusals_of_the_message_itself_are_permanent() {
        let provider = |status| SendError::Provider {
            status,
            code: None,
            message: String::new(),
        };
        let cases = [
            (provider(400), true),
            (provider(404), true),
            (provider(408), false),
            (provider(429), false),
            (provider(500), false),
            (provider(503), false),
            (SendError::Timeout, false),
            (SendError::Transport("reset".into()), false),
            (SendError::Invalid("bad address".into()), true),
        ];
        for (error, permanent) in cases {
            assert_eq!(error.is_permanent(), permanent, "{error}");
        }
    }
}
