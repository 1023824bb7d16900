//! Lockout and slow-down (docs/security.md §4, 24, 25). Failed passwords and failed
//! second-factor guesses count against the account name (normalised, whether or not an
//! account has it) and against the client's IP (an IPv6 client by its /64), in
//! PostgreSQL so every instance sees the same counts.
//!
//! - After 3 failures each further password answer is slowed (`slowdown` per failure).
//! - 5 failures lock the name for 1 minute, 10 for 10 minutes, 20 for an hour; each
//!   failure past those thresholds locks again for the same period.
//! - Never more than `max_failures_per_hour` (100) an hour: the name is locked until the
//!   hour is over.
//! - An IP with `ip_max_failures_per_hour` failures in the current hour is refused.
//! - A successful sign-in clears the name's count.
//!
//! Every attempt is a *reservation* made before the work it limits ([`reserve`]): it is
//! counted as a failure up front, in one transaction for the name and the IP, and given
//! back when the answer turns out right ([`Grant::release`]). Nothing checks, then
//! works, then counts, so no burst of parallel requests — to one instance or several —
//! gets more attempts than the ladder allows.
//!
//! While locked, even the right password gets the generic "Invalid username or password".
//! A valid trusted-device cookie for the account is counted under the device's own key
//! instead of the name, so strangers' guesses at a name never lock its owner out of a
//! device they trusted (the per-IP limit still applies).

use time::{Duration, OffsetDateTime};

use crate::domain::Password;
use crate::server::crypto::password::Verification;
use crate::server::db::rate_limits::{self, Slot};
use crate::server::db::throttles::{self, Ladder, Reserved};
use crate::server::platform::client::ClientInfo;
use crate::server::AppState;

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

/// [`lock_period`] as the table the database applies: entry `n - 1` is the lock in
/// seconds after `n` failures (0 for none); the last entry holds for every count past it.
pub fn ladder_seconds() -> [i64; 20] {
    std::array::from_fn(|i| lock_period(i as i32 + 1).map_or(0, |d| d.whole_seconds()))
}

/// The delay before answering the next password attempt after `failures` failures:
/// none for the first two, then one `per_failure` more for each, up to four.
pub fn slowdown(per_failure: std::time::Duration, failures: i32) -> std::time::Duration {
    let extra = u32::try_from(failures - 2).unwrap_or(0).min(4);
    per_failure * extra
}

fn ip_key(client: &ClientInfo) -> String {
    format!("signin-fail:ip:{}", client.ip_bucket())
}

/// What an attempt is counted against besides the IP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// An account name as typed, normalised with [`normalise`].
    Name(String),
    /// A trusted device of the account named (its row id): its owner's way past a lock
    /// that others' guesses put on the name.
    Device(i64),
}

impl Subject {
    /// The name's subject.
    pub fn name(username: &str) -> Self {
        Self::Name(normalise(username))
    }

    fn key(&self) -> String {
        match self {
            Self::Name(name) => name.clone(),
            // Capitals never survive `normalise`, so no typed name can hit this key.
            Self::Device(id) => format!("Trusted device {id}"),
        }
    }
}

/// Why an attempt is refused before it is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The name is locked until then.
    Locked(OffsetDateTime),
    /// The IP has had too many failures this hour.
    IpBlocked,
}

/// An attempt reserved against a name (or device) and an IP; it stays counted as a
/// failure unless [`released`](Grant::release).
#[derive(Debug, Clone)]
pub struct Grant {
    key: String,
    subject: Reserved,
    ip: Slot,
    max_per_hour: i32,
}

impl Grant {
    /// Failures of the name before this attempt (for the slow-down).
    pub fn failures_before(&self) -> i32 {
        self.subject.failures - 1
    }

    /// The lock this attempt put on the name, should it fail.
    pub fn locks_until(&self) -> Option<OffsetDateTime> {
        self.subject.locked_until
    }

    /// Gives the attempt back: its answer was right (or never checked).
    pub async fn release(&self, db: &mut sqlx::PgConnection) -> Result<(), sqlx::Error> {
        let lock_seconds = ladder_seconds();
        let ladder = Ladder {
            lock_seconds: &lock_seconds,
            max_per_hour: self.max_per_hour,
        };
        throttles::release(&mut *db, &self.key, &self.subject, &ladder).await?;
        rate_limits::release(&mut *db, &self.ip).await
    }

    /// Gives back only the IP's slot (the name is cleared by the sign-in itself).
    pub async fn release_ip(&self, db: impl sqlx::PgExecutor<'_>) -> Result<(), sqlx::Error> {
        rate_limits::release(db, &self.ip).await
    }
}

/// Reserves one attempt for `subject` and the client's IP inside `tx` (name first,
/// always in that order, so concurrent reservations cannot deadlock). On a refusal the
/// caller rolls `tx` back, so a refused IP leaves the name's count as it was.
pub async fn reserve_in(
    tx: &mut sqlx::PgConnection,
    state: &AppState,
    subject: &Subject,
    client: &ClientInfo,
) -> Result<Result<Grant, Refusal>, sqlx::Error> {
    let now = state.clock.now();
    let key = subject.key();
    let lock_seconds = ladder_seconds();
    let ladder = Ladder {
        lock_seconds: &lock_seconds,
        max_per_hour: state.settings.lockout.max_failures_per_hour,
    };
    let Some(reserved) = throttles::reserve(&mut *tx, &key, now, &ladder).await? else {
        // On this transaction's connection: a second one from the pool while holding
        // this one could starve the pool under a burst.
        let until = throttles::locked_until(&mut *tx, &key, now).await?;
        return Ok(Err(Refusal::Locked(until.unwrap_or(now))));
    };
    let cap = state.settings.lockout.ip_max_failures_per_hour;
    let Some(ip) =
        rate_limits::reserve(&mut *tx, &ip_key(client), Duration::hours(1), now, cap).await?
    else {
        return Ok(Err(Refusal::IpBlocked));
    };
    Ok(Ok(Grant {
        key,
        subject: reserved,
        ip,
        max_per_hour: ladder.max_per_hour,
    }))
}

/// [`reserve_in`] in a transaction of its own, committed when granted.
pub async fn reserve(
    state: &AppState,
    subject: &Subject,
    client: &ClientInfo,
) -> Result<Result<Grant, Refusal>, sqlx::Error> {
    let mut tx = state.pool.begin().await?;
    let verdict = reserve_in(&mut tx, state, subject, client).await?;
    if verdict.is_ok() {
        tx.commit().await?;
    }
    Ok(verdict)
}

/// Gives an attempt back, logging (not returning) a failure: the answer is already
/// decided, and a lost release only errs towards counting too much.
pub async fn release(state: &AppState, grant: &Grant) {
    let released = async {
        let mut conn = state.pool.acquire().await?;
        grant.release(&mut conn).await
    }
    .await;
    if let Err(e) = released {
        tracing::error!(error = %e, "giving back a sign-in attempt");
    }
}

/// A password check that could not be made.
pub type CheckError = crate::server::platform::respond::Unexpected;

/// Checks the current password of a signed-in account (sudo mode, Change password)
/// under the sign-in lockout, so a hijacked session is no way round it: the attempt is
/// reserved first, a locked name costs a dummy hash and reads as wrong, and a wrong
/// password stays counted. Returns whether the password matched.
pub async fn verify_current_password(
    state: &AppState,
    username: &str,
    client: &ClientInfo,
    password: &Password,
    stored_hash: &str,
) -> Result<bool, CheckError> {
    let grant = match reserve(state, &Subject::name(username), client).await? {
        Ok(grant) => grant,
        Err(_) => {
            state.hasher.verify_dummy(password).await?;
            return Ok(false);
        }
    };
    match state.hasher.verify(password, stored_hash).await {
        Ok(Verification::Match { .. }) => {
            release(state, &grant).await;
            Ok(true)
        }
        Ok(Verification::Mismatch) => Ok(false),
        Err(e) => {
            // Not checked: the attempt does not count.
            release(state, &grant).await;
            Err(e.into())
        }
    }
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
    fn the_database_ladder_is_lock_period_as_a_table() {
        let ladder = ladder_seconds();
        assert_eq!(&ladder[..5], &[0, 0, 0, 0, 60]);
        assert_eq!(ladder[9], 600);
        // The last entry stands for every count past the table's end.
        assert_eq!(*ladder.last().unwrap(), 3600);
        for n in 1..=40 {
            let entry = ladder[(n as usize).min(ladder.len()) - 1];
            assert_eq!(
                entry,
                lock_period(n).map_or(0, |d| d.whole_seconds()),
                "{n}"
            );
        }
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
        assert_eq!(Subject::name(" Alice").key(), "alice");
        assert_eq!(Subject::Device(7).key(), "Trusted device 7");
        assert_ne!(
            Subject::name("Trusted device 7").key(),
            Subject::Device(7).key()
        );
    }
}
