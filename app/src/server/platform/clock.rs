use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

/// The one source of "now" for every rule that depends on time (session timeouts, code
/// expiry, lockouts). Tests move it forward instead of sleeping.
#[derive(Clone, Default)]
pub struct Clock {
    skew_ms: Arc<AtomicI64>,
}

impl Clock {
    /// A clock that follows the system time.
    pub fn system() -> Self {
        Self::default()
    }

    /// The current time, truncated to microseconds as PostgreSQL stores it, so a value
    /// read back compares equal to the one written.
    pub fn now(&self) -> OffsetDateTime {
        let now = OffsetDateTime::now_utc()
            + Duration::milliseconds(self.skew_ms.load(Ordering::Relaxed));
        now.replace_nanosecond(now.nanosecond() / 1_000 * 1_000)
            .unwrap_or(now)
    }

    /// Moves this clock (and every clone of it) forward; for tests.
    pub fn advance(&self, by: Duration) {
        self.skew_ms
            .fetch_add(by.whole_milliseconds() as i64, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_every_clone() {
        let clock = Clock::system();
        let other = clock.clone();
        let before = other.now();
        clock.advance(Duration::minutes(10));
        assert!(other.now() - before >= Duration::minutes(10));
    }
}
