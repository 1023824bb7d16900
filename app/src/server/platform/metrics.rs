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
