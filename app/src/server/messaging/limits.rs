//! Limits on where and how often Gatehouse texts (docs/security.md §7), against SMS pumping
//! (toll fraud): an allow-list of country calling codes, and caps per number, per account
//! and per IP per day, reserved in PostgreSQL before each text is sent. Every SMS
//! Gatehouse sends asks here first.
//! Only signed-in customers choose a destination (Account › Security); sign-in codes go
//! to the number already on the account.

use time::Duration;

use crate::server::db::rate_limits;
use crate::server::platform::client::ClientInfo;
use crate::server::AppState;

/// Why an SMS is not sent. The customer is told which, without learning about other
/// accounts (a number's cap reads like the account's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmsRefusal {
    /// The number's country calling code is not on `GATEHOUSE_SMS_COUNTRIES`.
    Country,
    /// A daily cap (number, account or IP) is reached.
    DailyLimit,
    /// Two-factor authentication is on but the account has no phone (nor an app) to
    /// send to: only the recovery token can finish the sign-in.
    NoPhone,
}

impl SmsRefusal {
    /// What the customer is told.
    pub fn message(self) -> &'static str {
        match self {
            Self::Country => "We can't send text messages to numbers in that country.",
            Self::DailyLimit => {
                "We've sent as many text messages as we can today. Use your recovery token, or try again tomorrow."
            }
            Self::NoPhone => {
                "There's no mobile number on this account to text a code to. Use your recovery token, or contact our support team."
            }
        }
    }
}

/// The calling code of an E.164 number (`+447400…` → 44).
pub fn calling_code(e164: &str) -> Option<u16> {
    phonenumber::parse(None, e164)
        .ok()
        .map(|n| n.country().code())
}

/// Whether the allow-list lets numbers of this calling code receive texts.
pub fn country_allowed(state: &AppState, e164: &str) -> bool {
    let allowed = &state.settings.sms_limits.countries;
    allowed.is_empty() || calling_code(e164).is_some_and(|c| allowed.contains(&c))
}

fn number_key(e164: &str) -> String {
    format!("sms:number:{e164}")
}

fn account_key(user_id: i64) -> String {
    format!("sms:account:{user_id}")
}

fn counters(state: &AppState, e164: &str, user_id: i64, client: &ClientInfo) -> [(String, i32); 3] {
    let s = &state.settings;
    [
        (number_key(e164), s.sms_limits.per_number_per_day),
        (account_key(user_id), s.sms_limits.per_account_per_day),
        (
            format!("sms:ip:{}", client.ip_bucket()),
            s.sms_limits.per_ip_per_day,
        ),
    ]
}

/// Reserves one SMS to `e164` for `user_id`, from `client`, against all three daily caps
/// inside `tx`, before anything is sent. On a refusal the caller rolls `tx` back, so a
/// cap that refuses leaves the other two as they were; on success the caller commits
/// with whatever else the text belongs to (a code, a pending sign-in) and sends after.
/// Each cap is one `UPDATE … WHERE hits < cap` (see [`rate_limits::reserve`]), so no
/// burst of parallel requests, on any number of instances, sends past a cap.
pub async fn reserve_in(
    tx: &mut sqlx::PgConnection,
    state: &AppState,
    e164: &str,
    user_id: i64,
    client: &ClientInfo,
) -> Result<Result<(), SmsRefusal>, sqlx::Error> {
    if !country_allowed(state, e164) {
        return Ok(Err(SmsRefusal::Country));
    }
    let caps = counters(state, e164, user_id, client);
    if reserve_all(tx, state, caps).await? {
        Ok(Ok(()))
    } else {
        Ok(Err(SmsRefusal::DailyLimit))
    }
}

/// Takes one text from each of `caps` (key, daily cap) inside `tx`; false as soon as one
/// is spent (the caller then rolls `tx` back).
async fn reserve_all(
    tx: &mut sqlx::PgConnection,
    state: &AppState,
    caps: impl IntoIterator<Item = (String, i32)>,
) -> Result<bool, sqlx::Error> {
    let now = state.clock.now();
    for (key, cap) in caps {
        let slot = rate_limits::reserve(&mut *tx, &key, Duration::days(1), now, cap).await?;
        if slot.is_none() {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Reserves one SMS against the number's and the account's daily caps (not an IP's: a
/// notice follows the account's own change, and is sent to a number already proven), on
/// the caller's transaction, which queues the text with the change it reports. A savepoint
/// undoes a partial reservation when a cap refuses; the rest of the transaction goes on.
pub async fn reserve_for_account(
    tx: &mut sqlx::PgConnection,
    state: &AppState,
    e164: &str,
    user_id: i64,
) -> Result<bool, sqlx::Error> {
    use sqlx::Connection;
    if !country_allowed(state, e164) {
        return Ok(false);
    }
    let s = &state.settings;
    let caps = [
        (number_key(e164), s.sms_limits.per_number_per_day),
        (account_key(user_id), s.sms_limits.per_account_per_day),
    ];
    let mut savepoint = tx.begin().await?;
    if !reserve_all(&mut savepoint, state, caps).await? {
        savepoint.rollback().await?;
        return Ok(false);
    }
    savepoint.commit().await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calling_codes_come_from_the_number() {
        assert_eq!(calling_code("+447400123456"), Some(44));
        assert_eq!(calling_code("+12015550123"), Some(1));
        assert_eq!(calling_code("+33612345678"), Some(33));
        assert_eq!(calling_code("garbage"), None);
    }
}
