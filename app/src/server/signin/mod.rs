//! Signing in: the password step, the texted code, resends, trusted devices, and the
//! login history row each attempt leaves.
//!
//! One file per step: [`password_step`] (the password, then a full or pending session),
//! `second_step` (the texted code, the app code, the recovery token), `guess` (each
//! second-step guess reserved before it is checked), `finish` (the one way a second step
//! ends in a full session), and `resend`.

mod finish;
mod guess;
mod password_step;
mod resend;
mod second_step;

pub use password_step::password_step;
pub use resend::{cancel, resend};
pub use second_step::{pending, verify_code, verify_recovery};

use http::{HeaderMap, HeaderValue};
use time::OffsetDateTime;

use crate::server::client::ClientInfo;
use crate::server::db::history::{self, Attempt, Factor, Outcome};
use crate::server::db::throttles;
use crate::server::notify::{self, Notice, Origin};
use crate::server::password::HashError;
use crate::server::sms_guard::SmsRefusal;
use crate::server::{throttle, AppState};

/// Everything about the request a sign-in step needs.
pub struct Request<'a> {
    pub state: &'a AppState,
    pub headers: &'a HeaderMap,
    pub client: ClientInfo,
}

/// What a pending sign-in shows: where the code went and when another may be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub masked_phone: String,
    pub resend_in_seconds: u32,
    pub attempts_left: u32,
    /// No code could be texted (daily limit or country); the recovery token still works.
    pub sms_refused: Option<SmsRefusal>,
    /// The authenticator app is asked for (nothing has been texted yet).
    pub app: bool,
    /// "Text me a code instead" is possible (the account has a phone).
    pub can_text: bool,
}

/// The result of the password step.
pub enum PasswordOutcome {
    /// Signed in (no 2FA, or a trusted device); the session cookie to set.
    SignedIn { cookie: HeaderValue },
    /// A code was texted; the pending session's cookie to set.
    CodeSent {
        cookie: HeaderValue,
        pending: Pending,
    },
}

/// The result of a correct code: the new session, and the device cookie if trusted.
pub struct CodeAccepted {
    pub session_cookie: HeaderValue,
    pub device_cookie: Option<HeaderValue>,
}

/// Why a sign-in step failed.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Unknown user or wrong password: deliberately one case.
    #[error("invalid username or password")]
    InvalidCredentials,
    #[error("no pending sign-in")]
    NoPendingSignIn,
    #[error("wrong code")]
    WrongCode { attempts_left: u32 },
    #[error("code expired; a new one was sent")]
    CodeExpired,
    #[error("too many wrong codes")]
    TooManyAttempts,
    #[error("resend refused: cooldown")]
    ResendTooSoon { wait_seconds: u32 },
    #[error("resend refused: cap reached")]
    ResendLimit,
    #[error("sending the SMS failed: {0}")]
    Sms(String),
    #[error("SMS refused: {0:?}")]
    SmsRefused(SmsRefusal),
    #[error("password hashing failed: {0}")]
    Hash(#[from] HashError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl Request<'_> {
    fn now(&self) -> OffsetDateTime {
        self.state.clock.now()
    }

    async fn record(&self, user_id: Option<i64>, username: &str, outcome: Outcome, factor: Factor) {
        self.record_with(user_id, username, outcome, factor, None)
            .await;
    }

    async fn record_with(
        &self,
        user_id: Option<i64>,
        username: &str,
        outcome: Outcome,
        factor: Factor,
        locked_until: Option<OffsetDateTime>,
    ) {
        let pool = &self.state.pool;
        let written = self
            .write_attempt(pool, user_id, username, outcome, factor, locked_until)
            .await;
        // A lost row about a refused attempt must not change the answer, but it is logged.
        if let Err(e) = written {
            tracing::error!(error = %e, "recording a login attempt");
        }
    }

    /// Writes this request's attempt to the history with `db` (the pool, or the
    /// transaction of a sign-in).
    async fn write_attempt(
        &self,
        db: impl sqlx::PgExecutor<'_>,
        user_id: Option<i64>,
        username: &str,
        outcome: Outcome,
        factor: Factor,
        locked_until: Option<OffsetDateTime>,
    ) -> Result<(), sqlx::Error> {
        let ip = self.client.ip_text();
        let attempt = Attempt {
            user_id,
            username_typed: username,
            at: self.now(),
            ip: &ip,
            user_agent: &self.client.user_agent,
            outcome,
            factor,
            locked_until,
        };
        history::record(db, &attempt).await
    }
}

/// A sign-in recorded inside its session's transaction; the notices it calls for go out
/// once that transaction has committed ([`SignedIn::notify`]).
#[must_use]
struct SignedIn {
    user_id: i64,
    factor: Factor,
    new_device: bool,
}

impl Request<'_> {
    /// Records a completed sign-in in the transaction that creates its session — the
    /// history row and the cleared failure count commit with the session or not at all,
    /// so a database failure never leaves a sign-in half-recorded.
    async fn record_sign_in(
        &self,
        tx: &mut sqlx::PgConnection,
        user_id: i64,
        username: &str,
        factor: Factor,
    ) -> Result<SignedIn, sqlx::Error> {
        let new_device = match factor {
            Factor::TrustedDevice => false,
            _ => history::is_new_device(&mut *tx, user_id, &self.client.user_agent).await?,
        };
        let signed_in = Outcome::SignedIn;
        self.write_attempt(&mut *tx, Some(user_id), username, signed_in, factor, None)
            .await?;
        throttles::clear(&mut *tx, &throttle::normalise(username)).await?;
        Ok(SignedIn {
            user_id,
            factor,
            new_device,
        })
    }
}

impl SignedIn {
    /// Tells the customer when the sign-in used their recovery token or came from a
    /// browser the account has not signed in from before.
    async fn notify(self, req: &Request<'_>) {
        let (state, user_id, factor, new_device) =
            (req.state, self.user_id, self.factor, self.new_device);
        let origin = Origin::of(&req.client, req.state.clock.now());
        if factor == Factor::RecoveryToken {
            notify::notify(state, user_id, Notice::RecoveryTokenUsed, origin).await;
        } else if new_device {
            notify::notify(state, user_id, Notice::NewDeviceSignIn, origin).await;
        }
    }
}
