//! Limits on where and how often Gatehouse texts (SECURITY.md 7), against SMS pumping
//! (toll fraud): an allow-list of country calling codes, and caps per number, per account
//! and per IP per day, counted in PostgreSQL. Every SMS Gatehouse sends asks here first.
//! Only signed-in customers choose a destination (Account › Security); sign-in codes go
//! to the number already on the account.

use time::Duration;

use super::client::ClientInfo;
use super::db::rate_limits;
use super::AppState;

/// Why an SMS is not sent. The customer is told which, without learning about other
/// accounts (a number's cap reads like the account's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmsRefusal {
    /// The number's country calling code is not on `GATEHOUSE_SMS_COUNTRIES`.
    Country,
    /// A daily cap (number, account or IP) is reached.
    DailyLimit,
}

impl SmsRefusal {
    /// What the customer is told.
    pub fn message(self) -> &'static str {
        match self {
            Self::Country => "We can't send text messages to numbers in that country.",
            Self::DailyLimit => {
                "We've sent as many text messages as we can today. Use your recovery token, or try again tomorrow."
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
    let allowed = &state.settings.sms_countries;
    allowed.is_empty() || calling_code(e164).is_some_and(|c| allowed.contains(&c))
}

fn counters(state: &AppState, e164: &str, user_id: i64, client: &ClientInfo) -> [(String, i32); 3] {
    let s = &state.settings;
    [
        (format!("sms:number:{e164}"), s.sms_per_number_per_day),
        (format!("sms:account:{user_id}"), s.sms_per_account_per_day),
        (format!("sms:ip:{}", client.ip_text()), s.sms_per_ip_per_day),
    ]
}

/// Whether one more SMS to `e164` for `user_id`, from `client`, is allowed; counts
/// nothing (see [`count`]).
pub async fn check(
    state: &AppState,
    e164: &str,
    user_id: i64,
    client: &ClientInfo,
) -> Result<Result<(), SmsRefusal>, sqlx::Error> {
    if !country_allowed(state, e164) {
        return Ok(Err(SmsRefusal::Country));
    }
    let now = state.clock.now();
    for (key, cap) in counters(state, e164, user_id, client) {
        if rate_limits::count(&state.pool, &key, Duration::days(1), now).await? >= cap {
            return Ok(Err(SmsRefusal::DailyLimit));
        }
    }
    Ok(Ok(()))
}

/// Counts one SMS against the number, the account and the IP.
pub async fn count(
    state: &AppState,
    e164: &str,
    user_id: i64,
    client: &ClientInfo,
) -> Result<(), sqlx::Error> {
    let now = state.clock.now();
    for (key, _) in counters(state, e164, user_id, client) {
        rate_limits::hit(&state.pool, &key, Duration::days(1), now).await?;
    }
    Ok(())
}

/// [`check`], then [`count`] if allowed.
pub async fn allow(
    state: &AppState,
    e164: &str,
    user_id: i64,
    client: &ClientInfo,
) -> Result<Result<(), SmsRefusal>, sqlx::Error> {
    let verdict = check(state, e164, user_id, client).await?;
    if verdict.is_ok() {
        count(state, e164, user_id, client).await?;
    }
    Ok(verdict)
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
