//! Sending SMS: the dev outbox or Twilio's Messages API, chosen by configuration.

use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use sqlx::PgPool;

use crate::server::messaging::dev_mailbox::DevMailbox;
use crate::server::messaging::outbox::{Receipt, SendError, SendFuture};
use crate::server::Clock;

/// Something that delivers a text message to an E.164 number.
pub trait SmsSender: Send + Sync {
    /// Sends `body` to `to`. Errors describe the provider's failure, never the body.
    fn send_sms<'a>(&'a self, to: &'a str, body: &'a str) -> SendFuture<'a>;
}

/// Twilio account settings.
#[derive(Clone)]
pub struct TwilioConfig {
    /// `https://api.twilio.com` in production; a local server in tests.
    pub api_base: String,
    pub account_sid: String,
    pub auth_token: String,
    /// The sending number or messaging service (E.164).
    pub from: String,
    /// How long to wait for Twilio before telling the customer to try again.
    pub timeout: Duration,
}

impl std::fmt::Debug for TwilioConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TwilioConfig")
            .field("api_base", &self.api_base)
            .field("account_sid", &self.account_sid)
            .field("auth_token", &"<hidden>")
            .field("from", &self.from)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Which SMS sender to use.
#[derive(Debug, Clone, Default)]
pub enum SmsConfig {
    /// Put messages in the development mailbox (`/dev/outbox`).
    #[default]
    Outbox,
    /// Send through Twilio.
    Twilio(TwilioConfig),
}

/// Builds the configured sender.
pub fn sender(
    config: &SmsConfig,
    pool: &PgPool,
    clock: &Clock,
) -> Result<Arc<dyn SmsSender>, SendError> {
    let inner: Box<dyn SmsSender> = match config {
        SmsConfig::Outbox => Box::new(DevMailbox::new(pool.clone(), clock.clone())),
        SmsConfig::Twilio(c) => Box::new(Twilio::new(c.clone())?),
    };
    Ok(Arc::new(Counted(inner)))
}

/// Counts each text as sent or failed (`gatehouse_messages_total{channel="sms"}`).
struct Counted(Box<dyn SmsSender>);

impl SmsSender for Counted {
    fn send_sms<'a>(&'a self, to: &'a str, body: &'a str) -> SendFuture<'a> {
        Box::pin(async move {
            let sent = self.0.send_sms(to, body).await;
            crate::server::platform::metrics::message("sms", sent.is_ok());
            sent
        })
    }
}

/// Twilio's Messages REST API: a form-encoded POST with HTTP basic auth.
pub struct Twilio {
    client: reqwest::Client,
    config: TwilioConfig,
}

/// The body Twilio returns on errors.
#[derive(Debug, Deserialize)]
struct TwilioError {
    code: Option<i64>,
    message: Option<String>,
}

/// The part of Twilio's success body we keep: the message's SID.
#[derive(Debug, Deserialize)]
struct TwilioMessage {
    sid: Option<String>,
}

impl Twilio {
    /// A sender for `config`.
    pub fn new(config: TwilioConfig) -> Result<Self, SendError> {
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .build()
            .map_err(|e| SendError::Transport(e.to_string()))?;
        Ok(Self { client, config })
    }

    fn url(&self) -> String {
        format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            self.config.api_base.trim_end_matches('/'),
            self.config.account_sid
        )
    }
}

impl SmsSender for Twilio {
    fn send_sms<'a>(&'a self, to: &'a str, body: &'a str) -> SendFuture<'a> {
        Box::pin(async move {
            let response = self
                .client
                .post(self.url())
                .basic_auth(&self.config.account_sid, Some(&self.config.auth_token))
                .form(&[
                    ("To", to),
                    ("From", self.config.from.as_str()),
                    ("Body", body),
                ])
                .send()
                .await
                .map_err(|e| {
                    // reqwest's error text names the URL, never the form body.
                    if e.is_timeout() {
                        SendError::Timeout
                    } else {
                        SendError::Transport(e.without_url().to_string())
                    }
                })?;
            let status = response.status();
            let text = response.text().await.unwrap_or_default();
            if status.is_success() {
                let sent: Option<TwilioMessage> = serde_json::from_str(&text).ok();
                return Ok(Receipt {
                    provider_id: sent.and_then(|m| m.sid),
                });
            }
            let parsed: Option<TwilioError> = serde_json::from_str(&text).ok();
            Err(SendError::Provider {
                status: status.as_u16(),
                code: parsed.as_ref().and_then(|e| e.code),
                message: parsed.and_then(|e| e.message).unwrap_or_default(),
            })
        })
    }
}
