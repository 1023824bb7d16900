//! Everything Gatehouse sends: texts and emails, the dev outbox, the caps on texts, and
//! the security notices (every SMS and email text lives here).

pub mod email;
pub mod limits;
pub mod notify;
pub mod outbox;
pub mod sms;
pub mod texts;

use crate::error::AppError;
use limits::SmsRefusal;

/// Why a text did not go out, in sign-in and phone confirmation alike.
#[derive(Debug, thiserror::Error)]
pub enum TextError {
    #[error("SMS refused: {0:?}")]
    Refused(SmsRefusal),
    #[error("sending the SMS failed: {0}")]
    Failed(String),
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
