//! What Gatehouse counts, through the `metrics` facade: nothing is recorded unless the
//! server installed an exporter (`GATEHOUSE_METRICS_ADDR`). Names and labels are listed
//! in docs/operations.md; labels never hold a username, a number or an address.

/// Every Login History row: sign-in outcomes by factor (lockouts are `outcome="locked"`).
pub const SIGNIN_ATTEMPTS: &str = "gatehouse_signin_attempts_total";
/// Messages handed to the SMS or email provider, by channel and result.
pub const MESSAGES: &str = "gatehouse_messages_total";
/// Time a password hash waited for a hashing thread.
pub const HASH_WAIT: &str = "gatehouse_password_hash_wait_seconds";

/// Counts one Login History row.
pub fn attempt(outcome: &'static str, factor: &'static str) {
    metrics::counter!(SIGNIN_ATTEMPTS, "outcome" => outcome, "factor" => factor).increment(1);
}

/// Counts one message handed over (`ok`) or refused by the provider.
pub fn message(channel: &'static str, ok: bool) {
    let result = if ok { "sent" } else { "failed" };
    metrics::counter!(MESSAGES, "channel" => channel, "result" => result).increment(1);
}

/// Records how long a hash waited in the queue.
pub fn hash_wait(waited: std::time::Duration) {
    metrics::histogram!(HASH_WAIT).record(waited.as_secs_f64());
}

/// Messages waiting in the outbox, and the age of the oldest (seconds).
pub const OUTBOX_WAITING: &str = "gatehouse_outbox_waiting";
pub const OUTBOX_OLDEST_AGE: &str = "gatehouse_outbox_oldest_age_seconds";
/// Messages the outbox gave up on (marked failed), by channel.
pub const OUTBOX_FAILED: &str = "gatehouse_outbox_failed_total";

/// Publishes the outbox's backlog as this instance last measured it.
pub fn outbox_backlog(waiting: i64, oldest_age_seconds: f64) {
    metrics::gauge!(OUTBOX_WAITING).set(waiting as f64);
    metrics::gauge!(OUTBOX_OLDEST_AGE).set(oldest_age_seconds);
}

/// Counts one message given up.
pub fn outbox_failed(channel: &'static str) {
    metrics::counter!(OUTBOX_FAILED, "channel" => channel).increment(1);
}
