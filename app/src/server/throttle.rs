//! Lockout and slow-down (SECURITY.md 4). Failed passwords and failed second-factor codes
//! count against the account name (normalised, whether or not an account has it) and
//! against the client's IP, in PostgreSQL so every instance sees the same counts.
//!
//! - After 3 failures each further password answer is slowed (`slowdown` per failure).
//! - 5 failures lock the name for 1 minute, 10 for 10 minutes, 20 for an hour; each
//!   failure past those thresholds locks again for the same period.
//! - Never more than `max_failures_per_hour` (100) an hour: the name is locked until the
//!   hour is over.
//! - An IP with `ip_max_failures_per_hour` failures in the current hour is refused.
//! - A successful sign-in clears the name's count.
//!
//! While locked, even the right password gets the generic "Invalid username or password".

use time::{Duration, OffsetDateTime};

use super::client::ClientInfo;
use super::db::{rate_limits, throttles};
use super::password::{HashError, Verification};
use super::AppState;
use crate::domain::Password;

/// The name as counted: trimmed, lowercase, at most 64 characters.
pub fn normalise(username: &str) -> String {
    username.trim().to_lowercase().chars().take(64).collect()
}

/// How long `failures` consecutive failures lock a name for, if at all.
pub fn lock_period(failures: i32) -> Option<Duration> {
    match failures {
        n if n >= 20 => Some(Duration::hours(1)),
        n if n >= 10 => Some(Duration::minutes(10)),
        n if n >= 5 => Some(Duration::minutes(1)),
        _ => None,
    }
}

/// The delay before answering the next password attempt after `failures` failures:
/// none for the first two, then one `per_failure` more for each, up to four.
pub fn slowdown(per_failure: std::time::Duration, failures: i32) -> std::time::Duration {
    let extra = u32::try_from(failures - 2).unwrap_or(0).min(4);
    per_failure * extra
}

fn ip_key(client: &ClientInfo) -> String {
    format!("signin-fail:ip:{}", client.ip_text())
}

/// Why a sign-in step is refused before it is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The name is locked until then.
    Locked(OffsetDateTime),
    /// The IP has had too many failures this hour.
    IpBlocked,
}

/// Where a name and an IP stand before an attempt.
pub struct Standing {
    /// Why the attempt is refused unchecked, if it is.
    pub refusal: Option<Refusal>,
    /// The name's failures so far (for the slow-down).
    pub failures: i32,
}

/// Whether the name and the IP may try now, and the name's failures so far.
pub async fn check(
    state: &AppState,
    username: &str,
    client: &ClientInfo,
) -> Result<Standing, sqlx::Error> {
    let now = state.clock.now();
    let (failures, locked_until) = throttles::standing(&state.pool, username, now).await?;
    let refusal = match locked_until {
        Some(until) => Some(Refusal::Locked(until)),
        None => {
            let ip_failures =
                rate_limits::count(&state.pool, &ip_key(client), Duration::hours(1), now).await?;
            (ip_failures >= state.settings.ip_max_failures_per_hour).then_some(Refusal::IpBlocked)
        }
    };
    Ok(Standing { refusal, failures })
}

/// Why a signed-in customer's current password could not be checked.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("password hashing failed: {0}")]
    Hash(#[from] HashError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// Checks the current password of a signed-in account (sudo mode, Change password)
/// under the sign-in lockout, so a hijacked session is no way round it: a locked name
/// costs a dummy hash and reads as wrong, and a wrong password counts as a failure.
/// Returns whether the password matched.
pub async fn verify_current_password(
    state: &AppState,
    username: &str,
    client: &ClientInfo,
    password: &Password,
    stored_hash: &str,
) -> Result<bool, CheckError> {
    let name = normalise(username);
    if check(state, &name, client).await?.refusal.is_some() {
        state.hasher.verify_dummy(password).await?;
        return Ok(false);
    }
    match state.hasher.verify(password, stored_hash).await? {
        Verification::Match { .. } => Ok(true),
        Verification::Mismatch => {
            failed(state, &name, client).await?;
            Ok(false)
        }
    }
}

/// Counts a failure against the name and the IP; returns the name's failures and, if
/// this failure locked it, until when.
pub async fn failed(
    state: &AppState,
    username: &str,
    client: &ClientInfo,
) -> Result<(i32, Option<OffsetDateTime>), sqlx::Error> {
    let now = state.clock.now();
    rate_limits::hit(&state.pool, &ip_key(client), Duration::hours(1), now).await?;
    let f = throttles::record_failure(&state.pool, username, now).await?;
    let mut until = lock_period(f.total).map(|d| now + d);
    if f.this_hour >= state.settings.max_failures_per_hour {
        let hour_end = f.hour_start + Duration::hours(1);
        until = Some(until.map_or(hour_end, |u| u.max(hour_end)));
    }
    if let Some(until) = until {
        throttles::lock(&state.pool, username, until).await?;
    }
    Ok((f.total, until))
}

/// A successful sign-in: the name starts afresh.
pub async fn succeeded(state: &AppState, username: &str) -> Result<(), sqlx::Error> {
    throttles::clear(&state.pool, username).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lock_grows_with_failures() {
        assert_eq!(lock_period(4), None);
        assert_eq!(lock_period(5), Some(Duration::minutes(1)));
        assert_eq!(lock_period(9), Some(Duration::minutes(1)));
        assert_eq!(lock_period(10), Some(Duration::minutes(10)));
        assert_eq!(lock_period(20), Some(Duration::hours(1)));
        assert_eq!(lock_period(1000), Some(Duration::hours(1)));
    }

    #[test]
    fn answers_slow_from_the_third_failure_up_to_four_steps() {
        let step = std::time::Duration::from_millis(250);
        let delays: Vec<u128> = (0..9).map(|n| slowdown(step, n).as_millis()).collect();
        assert_eq!(delays, [0, 0, 0, 250, 500, 750, 1000, 1000, 1000]);
    }

    #[test]
    fn names_are_counted_the_way_usernames_are_compared() {
        assert_eq!(normalise("  Alice "), "alice");
        assert_eq!(normalise(&"x".repeat(100)).len(), 64);
    }
}
