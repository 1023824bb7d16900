//! Sending email: the dev outbox or SMTP (lettre), chosen by configuration.

use std::sync::Arc;
use std::time::Duration;

use lettre::message::{header::ContentType, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sqlx::PgPool;

use crate::server::messaging::dev_mailbox::DevMailbox;
use crate::server::messaging::outbox::{Receipt, SendError, SendFuture};
use crate::server::Clock;

/// One plain-text email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// Something that delivers an [`Email`]. Errors describe the failure, never the body.
pub trait EmailSender: Send + Sync {
    /// Hands `email` over for delivery.
    fn send_email<'a>(&'a self, email: &'a Email) -> SendFuture<'a>;
}

/// SMTP settings.
#[derive(Clone)]
pub struct SmtpConfig {
    /// `smtp://host:25` (plain), `smtp://user:pass@host:587?tls=required` (STARTTLS) or
    /// `smtps://user:pass@host:465` (TLS), as lettre reads it.
    pub url: String,
    /// The sender, e.g. `Gatehouse <no-reply@panel.example>`.
    pub from: String,
    /// How long to wait for the server before giving up on one message.
    pub timeout: Duration,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("url", &redact_url(&self.url))
            .field("from", &self.from)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// The URL without its password, for logs and `Debug`.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{}{user}:<hidden>{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

/// Which email sender to use.
#[derive(Debug, Clone, Default)]
pub enum EmailConfig {
    /// Put messages in the development mailbox (`/dev/outbox`).
    #[default]
    Outbox,
    /// Send over SMTP.
    Smtp(SmtpConfig),
}

/// Builds the configured sender.
pub fn sender(
    config: &EmailConfig,
    pool: &PgPool,
    clock: &Clock,
) -> Result<Arc<dyn EmailSender>, SendError> {
    let inner: Box<dyn EmailSender> = match config {
        EmailConfig::Outbox => Box::new(DevMailbox::new(pool.clone(), clock.clone())),
        EmailConfig::Smtp(c) => Box::new(Smtp::new(c)?),
    };
    Ok(Arc::new(Counted(inner)))
}

/// Counts each email as sent or failed (`gatehouse_messages_total{channel="email"}`).
struct Counted(Box<dyn EmailSender>);

impl EmailSender for Counted {
    fn send_email<'a>(&'a self, email: &'a Email) -> SendFuture<'a> {
        Box::pin(async move {
            let sent = self.0.send_email(email).await;
            crate::server::platform::metrics::message("email", sent.is_ok());
            sent
        })
    }
}

/// Sends through an SMTP server with lettre's pooled async transport.
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Smtp {
    /// A sender for `config`; fails on a malformed URL or sender address.
    pub fn new(config: &SmtpConfig) -> Result<Self, SendError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&config.url)
            .map_err(|e| SendError::Invalid(format!("GATEHOUSE_SMTP_URL: {e}")))?
            .timeout(Some(config.timeout))
            .build();
        let from = config
            .from
            .parse()
            .map_err(|e| SendError::Invalid(format!("GATEHOUSE_EMAIL_FROM: {e}")))?;
        Ok(Self { transport, from })
    }
}

impl EmailSender for Smtp {
    fn send_email<'a>(&'a self, email: &'a Email) -> SendFuture<'a> {
        Box::pin(async move {
            let to: Mailbox = email
                .to
                .parse()
                .map_err(|e| SendError::Invalid(format!("recipient: {e}")))?;
            let message = Message::builder()
                .from(self.from.clone())
                .to(to)
                .subject(email.subject.as_str())
                .header(ContentType::TEXT_PLAIN)
                .body(email.body.clone())
                .map_err(|e| SendError::Invalid(e.to_string()))?;
            let response = self.transport.send(message).await.map_err(|e| {
                if e.is_timeout() {
                    SendError::Timeout
                } else if let Some(code) = e.status() {
                    SendError::Provider {
                        status: u16::from(code),
                        code: None,
                        message: e.to_string(),
                    }
                } else {
                    SendError::Transport(e.to_string())
                }
            })?;
            // The server's reply names its queue id ("2.0.0 Ok: queued as 4FhX…").
            let reply: Vec<&str> = response.message().collect();
            Ok(Receipt {
                provider_id: Some(reply.join(" ").chars().take(200).collect()),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_smtp_password_never_reaches_debug_output() {
        let config = SmtpConfig {
            url: "smtps://mailer:s3cret-pass@mail.example:465".into(),
            from: "Gatehouse <no-reply@panel.example>".into(),
            timeout: Duration::from_secs(5),
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("s3cret-pass"), "{shown}");
        assert!(
            shown.contains("smtps://mailer:<hidden>@mail.example:465"),
            "{shown}"
        );
        assert_eq!(redact_url("smtp://mail:25"), "smtp://mail:25");
    }

    // The pooled transport starts its pool on the tokio runtime, as at start-up.
    #[tokio::test]
    async fn malformed_settings_are_refused_at_start_up() {
        let bad_url = SmtpConfig {
            url: "mail.example".into(),
            from: "no-reply@panel.example".into(),
            timeout: Duration::from_secs(5),
        };
        assert!(matches!(Smtp::new(&bad_url), Err(SendError::Invalid(_))));
        let bad_from = SmtpConfig {
            url: "smtp://127.0.0.1:2525".into(),
            from: "not an address".into(),
            timeout: Duration::from_secs(5),
        };
        assert!(matches!(Smtp::new(&bad_from), Err(SendError::Invalid(_))));
    }
}
