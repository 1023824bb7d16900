//! Signing in: the password step, the texted code, resends, trusted devices, and the
//! login history row each attempt leaves.
//!
//! One file per step: [`password_step`] (the password, then a full or pending session),
//! `second_step` (the texted code, the app code, the recovery token), [`passkey`] (a
//! passkey, from the first page or at the second step), `guess` (each
//! second-step guess reserved before it is checked), `finish` (the one way a second step
//! ends in a full session), and `resend`; [`throttle`] (lockouts and slow-downs, shared
//! with every password check) and [`session`] (cookies and the session a sign-in makes).

mod finish;
mod guess;
pub mod passkey;
mod password_step;
mod resend;
mod second_step;
pub mod session;
pub mod throttle;

pub use password_step::password_step;
pub use resend::{cancel, resend};
pub use second_step::{pending, verify_code, verify_recovery};

use http::HeaderValue;

use crate::error::AppError;
use crate::server::db::history::{self, Factor, Outcome};
use crate::server::db::throttles;
use crate::server::messaging::limits::SmsRefusal;
use crate::server::messaging::notify::{self, Notice, Origin};
use crate::server::messaging::TextError;
use crate::server::platform::respond::{unexpected_from, Unexpected};

pub use crate::server::platform::ctx::Ctx;

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
    /// "Use a passkey" is offered (the account has one).
    pub passkey: bool,
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
    #[error("passkeys are off on this server")]
    PasskeysOff,
    #[error("the account has no passkey")]
    NoPasskey,
    #[error("the passkey's answer was refused")]
    PasskeyRefused,
    #[error("the passkey's answer is not a WebAuthn credential")]
    PasskeyMalformed,
    #[error(transparent)]
    Text(#[from] TextError),
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

unexpected_from!(SignInError);

impl From<SignInError> for AppError {
    fn from(e: SignInError) -> Self {
        match e {
            SignInError::InvalidCredentials => AppError::InvalidCredentials,
            SignInError::NoPendingSignIn => AppError::SignInExpired,
            SignInError::WrongCode { attempts_left } => AppError::WrongCode { attempts_left },
            SignInError::CodeExpired => AppError::CodeExpired,
            SignInError::TooManyAttempts => AppError::TooManyAttempts,
            SignInError::ResendTooSoon { wait_seconds } => AppError::ResendTooSoon { wait_seconds },
            SignInError::ResendLimit => AppError::ResendLimit,
            SignInError::PasskeysOff => {
                AppError::invalid("passkey", "Passkeys aren't available on this server.")
            }
            SignInError::NoPasskey => AppError::invalid("passkey", "This account has no passkey."),
            SignInError::PasskeyRefused => AppError::PasskeyRefused,
            SignInError::PasskeyMalformed => {
                AppError::BadRequest("the passkey's answer could not be read".into())
            }
            SignInError::Text(e) => e.into(),
            SignInError::Unexpected(e) => e.into(),
        }
    }
}

/// A sign-in recorded inside its session's transaction, with the notices it calls for;
/// what must follow the commit is [`SignedIn::notify`].
#[must_use]
struct SignedIn {
    user_id: i64,
    /// Support's waiting two-factor reset was cancelled by this sign-in.
    reset_cancelled: bool,
}

/// Records a completed sign-in in the transaction that creates its session — the
/// history row and the cleared failure count commit with the session or not at all,
/// so a database failure never leaves a sign-in half-recorded.
async fn record_sign_in(
    req: &Ctx,
    tx: &mut sqlx::PgConnection,
    user_id: i64,
    username: &str,
    factor: Factor,
) -> Result<SignedIn, sqlx::Error> {
    let new_device = match factor {
        Factor::TrustedDevice => false,
        _ => history::is_new_device(&mut *tx, user_id, &req.client.user_agent).await?,
    };
    let signed_in = Outcome::SignedIn;
    req.write_attempt(&mut *tx, Some(user_id), username, signed_in, factor, None)
        .await?;
    throttles::clear(&mut *tx, &throttle::normalise(username)).await?;
    // A working factor proves the customer has not lost them all: support's waiting
    // two-factor reset (if any) is cancelled. The password alone proves nothing of that.
    let reset_cancelled = factor != Factor::Password
        && crate::server::support::resets::cancel_in(&mut *tx, user_id, "sign_in", req.now).await?;
    // The customer hears of a sign-in with their recovery token or from a browser the
    // account has not signed in from before, on the sign-in's own transaction.
    let origin = Origin::of(&req.client, req.now);
    if factor == Factor::RecoveryToken {
        notify::notify(&req.state, tx, user_id, Notice::RecoveryTokenUsed, origin).await?;
    } else if new_device {
        notify::notify(&req.state, tx, user_id, Notice::NewDeviceSignIn, origin).await?;
    }
    Ok(SignedIn {
        user_id,
        reset_cancelled,
    })
}

impl SignedIn {
    /// Once the sign-in has committed: records and tells of a support reset it cancelled.
    async fn notify(self, req: &Ctx) {
        if self.reset_cancelled {
            crate::server::support::resets::cancelled(req, self.user_id).await;
        }
    }
}
