//! The outbox's senders: every instance runs one, woken by `LISTEN outbox` the moment a
//! queued message commits, and by a short poll for retries and abandoned leases.

use std::time::Duration as StdDuration;

use rand::Rng;
use sqlx::postgres::PgListener;
use time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::{open, SendError};
use crate::server::db::outbox::{self, Claimed};
use crate::server::messaging::email::Email;
use crate::server::platform::metrics;
use crate::server::AppState;

/// Messages one sender takes at a time (sent concurrently).
const BATCH: i64 = 16;

/// The wait before try `attempt + 1` after `attempt` failed: `base · 2^(attempt−1)`, at
/// most `cap`, of which a random half (`jitter` in 0..=1) is kept ("equal jitter"), so a
/// provider that comes back is not hit by every instance's retries at once.
pub fn backoff(attempt: i32, base: Duration, cap: Duration, jitter: f64) -> Duration {
    let doublings = attempt.saturating_sub(1).clamp(0, 30) as u32;
    let full = base
        .checked_mul(1_i32 << doublings.min(30))
        .map_or(cap, |d| d.min(cap));
    full / 2 + (full / 2) * jitter.clamp(0.0, 1.0)
}

/// Runs the sender until `stop` turns true; the batch in hand is finished first.
pub fn spawn(state: AppState, stop: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(run(state, stop))
}

async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    let poll = state.settings.outbox.poll;
    let mut listener = listen(&state).await;
    // The backlog is measured once a poll, not at every wake-up: under load the senders
    // wake once a commit.
    let mut measured: Option<std::time::Instant> = None;
    loop {
        if *stop.borrow() {
            return;
        }
        match deliver_due(&state).await {
            // A full batch: there may be more waiting.
            Ok(n) if n == BATCH as usize => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "taking messages from the outbox"),
        }
        if measured.is_none_or(|at| at.elapsed() >= poll) {
            report_backlog(&state).await;
            measured = Some(std::time::Instant::now());
        }
        let woken = async {
            match listener.as_mut() {
                Some(l) => {
                    if let Err(e) = l.recv().await {
                        tracing::warn!(error = %e, "listening for outbox messages");
                        tokio::time::sleep(poll).await;
                    }
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = woken => {}
            () = tokio::time::sleep(poll) => {
                if listener.is_none() {
                    listener = listen(&state).await;
                }
            }
            _ = stop.changed() => {}
        }
    }
}

/// A listener on the `outbox` channel, or none for now (the poll carries on meanwhile).
async fn listen(state: &AppState) -> Option<PgListener> {
    let connected = async {
        let mut listener = PgListener::connect_with(&state.pool).await?;
        listener.listen("outbox").await?;
        Ok::<_, sqlx::Error>(listener)
    };
    match connected.await {
        Ok(l) => Some(l),
        Err(e) => {
            tracing::warn!(error = %e, "cannot listen for outbox messages; polling");
            None
        }
    }
}

/// Takes the messages due now and sends them; returns how many were taken.
pub async fn deliver_due(state: &AppState) -> Result<usize, sqlx::Error> {
    let settings = &state.settings.outbox;
    let now = state.clock.now();
    let taken = outbox::claim(&state.pool, now, settings.lease, BATCH).await?;
    let n = taken.len();
    let mut sends = tokio::task::JoinSet::new();
    for message in taken {
        let state = state.clone();
        sends.spawn(async move { deliver(&state, message).await });
    }
    while sends.join_next().await.is_some() {}
    Ok(n)
}

/// Sends one message and records the result: sent with the provider's id, another try
/// after a back-off, or failed.
async fn deliver(state: &AppState, message: Claimed) {
    let settings = &state.settings.outbox;
    let (id, attempts) = (message.id, message.attempts);
    let channel = if message.channel == "sms" {
        "sms"
    } else {
        "email"
    };
    let result = if attempts > settings.max_attempts {
        // Taken once more after its last try's sender died: that try counts.
        Err(Failure::GaveUp)
    } else {
        send(state, &message).await
    };
    let now = state.clock.now();
    let stored = match result {
        Ok(receipt) => {
            outbox::mark_sent(&state.pool, id, receipt.provider_id.as_deref(), now).await
        }
        Err(Failure::Send(e)) if !e.is_permanent() && attempts < settings.max_attempts => {
            let wait = backoff(
                attempts,
                settings.backoff_base,
                settings.backoff_cap,
                rand::thread_rng().gen(),
            );
            tracing::warn!(id, channel, attempts, error = %e, retry_in = ?wait, "delivery failed; will retry");
            outbox::retry_at(&state.pool, id, now + wait, &e.to_string()).await
        }
        Err(failure) => {
            tracing::error!(id, channel, attempts, error = %failure, "delivery failed; giving up");
            metrics::outbox_failed(channel);
            outbox::mark_failed(&state.pool, id, &failure.to_string(), now).await
        }
    };
    if let Err(e) = stored {
        // The lease runs out and another try follows: at least once.
        tracing::error!(id, error = %e, "recording a delivery");
    }
}

/// Why a try did not deliver.
#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error(transparent)]
    Send(#[from] SendError),
    #[error("unreadable message: {0}")]
    Unreadable(#[from] super::OpenError),
    #[error("no tries left")]
    GaveUp,
}

async fn send(state: &AppState, message: &Claimed) -> Result<super::Receipt, Failure> {
    let body = open(state.settings.secret_key.as_ref(), message)?;
    // A send must end inside the lease, or another sender could take the message while
    // this one is still sending it.
    let limit = StdDuration::try_from(state.settings.outbox.lease / 2).unwrap_or_default();
    let sending = async {
        if message.channel == "sms" {
            state.sms.send_sms(&message.recipient, &body).await
        } else {
            let email = Email {
                to: message.recipient.clone(),
                subject: message.subject.clone().unwrap_or_default(),
                body,
            };
            state.email.send_email(&email).await
        }
    };
    match tokio::time::timeout(limit, sending).await {
        Ok(sent) => Ok(sent?),
        Err(_) => Err(SendError::Timeout.into()),
    }
}

/// Publishes the backlog's size and age (`gatehouse_outbox_*`).
async fn report_backlog(state: &AppState) {
    match outbox::backlog(&state.pool).await {
        Ok((waiting, oldest)) => {
            let age = oldest.map_or(0.0, |t| (state.clock.now() - t).as_seconds_f64().max(0.0));
            metrics::outbox_backlog(waiting, age);
        }
        Err(e) => tracing::warn!(error = %e, "measuring the outbox"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_up_to_its_cap_and_keeps_a_random_half() {
        let (base, cap) = (Duration::seconds(5), Duration::minutes(15));
        let cases = [
            // (attempt, jitter, wait)
            (1, 0.0, Duration::milliseconds(2_500)),
            (1, 1.0, Duration::seconds(5)),
            (2, 1.0, Duration::seconds(10)),
            (3, 0.5, Duration::seconds(15)),
            (5, 1.0, Duration::seconds(80)),
            (8, 1.0, Duration::seconds(640)),
            (9, 1.0, Duration::minutes(15)),
            (9, 0.0, Duration::seconds(450)),
            (40, 1.0, Duration::minutes(15)),
            (0, 1.0, Duration::seconds(5)),
        ];
        for (attempt, jitter, wait) in cases {
            assert_eq!(
                backoff(attempt, base, cap, jitter),
                wait,
                "try {attempt}, jitter {jitter}"
            );
        }
    }
}
