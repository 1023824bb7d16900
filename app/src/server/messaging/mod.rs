//! Everything Gatehouse sends: texts and emails, the dev outbox, the caps on texts, and
//! the security notices (every SMS and email text lives here).

pub mod dev_mailbox;
pub mod email;
pub mod limits;
pub mod notify;
pub mod outbox;
pub mod sms;
pub mod texts;

use crate::error::AppError;
use crate::server::AppState;
use limits::SmsRefusal;

/// Why a text did not go out, in sign-in and phone confirmation alike.
#[derive(Debug, thiserror::Error)]
pub enum TextError {
    #[error("SMS refused: {0:?}")]
    Refused(SmsRefusal),
    #[error("sending the SMS failed: {0}")]
    Failed(String),
}

/// Texts a code on the request path (the customer is waiting for it, and can ask again)
/// and records its delivery in the outbox; the code itself is not kept.
pub async fn text_code_now(state: &AppState, to: &str, body: &str) -> Result<(), TextError> {
    let sent = state.sms.send_sms(to, body).await;
    outbox::record_sms(state, to, &sent, state.clock.now()).await;
    sent.map(drop).map_err(|e| TextError::Failed(e.to_string()))
}

impl From<TextError> for AppError {
    fn from(e: TextError) -> Self {
        match e {
            TextError::Refused(r) => AppError::SmsRefused(r.message().to_owned()),
            TextError::Failed(cause) => {
                tracing::error!(%cause, "sending a code by SMS");
                AppError::SmsFailed
            }
        }
    }
}
