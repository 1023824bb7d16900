//! The development "provider": instead of sending, it puts each message in the
//! `dev_mailbox` table for `/dev/outbox` and the tests to read. It implements both
//! [`SmsSender`] and [`EmailSender`].

use sqlx::PgPool;

use crate::server::messaging::email::{Email, EmailSender};
use crate::server::messaging::outbox::{Channel, Receipt, SendError, SendFuture};
use crate::server::messaging::sms::SmsSender;
use crate::server::Clock;

/// The development provider, writing to `pool` and stamping messages with `clock`.
pub struct DevMailbox {
    pool: PgPool,
    clock: Clock,
}

impl DevMailbox {
    pub fn new(pool: PgPool, clock: Clock) -> Self {
        Self { pool, clock }
    }

    async fn store(
        &self,
        channel: Channel,
        to: &str,
        subject: Option<&str>,
        body: &str,
    ) -> Result<Receipt, SendError> {
        let now = self.clock.now();
        let id = crate::server::db::dev_mailbox::insert(
            &self.pool,
            channel.as_str(),
            to,
            subject,
            body,
            now,
        )
        .await?;
        Ok(Receipt {
            provider_id: Some(format!("dev-{id}")),
        })
    }
}

impl SmsSender for DevMailbox {
    fn send_sms<'a>(&'a self, to: &'a str, body: &'a str) -> SendFuture<'a> {
        Box::pin(self.store(Channel::Sms, to, None, body))
    }
}

impl EmailSender for DevMailbox {
    fn send_email<'a>(&'a self, email: &'a Email) -> SendFuture<'a> {
        Box::pin(self.store(Channel::Email, &email.to, Some(&email.subject), &email.body))
    }
}
