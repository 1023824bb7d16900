//! Everything Gatehouse sends: texts and emails, the dev outbox, the caps on texts, and
//! the security notices (every SMS and email text lives here).

pub mod email;
pub mod limits;
pub mod notify;
pub mod outbox;
pub mod sms;
pub mod texts;
