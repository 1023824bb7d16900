//! "Resend code", "Text me a code instead" and "Start over".

use http::HeaderValue;
use time::OffsetDateTime;

use crate::server::crypto::otp;
use crate::server::db::challenges::{self, IssuedCode};
use crate::server::db::sessions;
use crate::server::messaging::limits::{self, SmsRefusal};
use crate::server::signin::session::{self, CookieKind, PendingSession};

use super::password_step::text_code;
use super::second_step::{describe, pending_session, seconds_until};
use super::*;

/// Texts a new code for the pending sign-in, replacing the old one; refused during the
/// cooldown and past the cap. The failed-attempt count carries over.
pub async fn resend(req: &Ctx) -> Result<Pending, SignInError> {
    let (pending, challenge) = pending_session(req).await?;
    let now = req.now;
    if challenge.failed_attempts >= req.state.settings.codes.max_attempts {
        return Err(SignInError::TooManyAttempts);
    }
    issue_new_code(
        req,
        &pending,
        &challenge,
        now,
        now - req.state.settings.codes.resend_cooldown,
    )
    .await?;
    let fresh = challenges::find(&req.state.pool, &pending.id_hash)
        .await?
        .ok_or(SignInError::NoPendingSignIn)?;
    Ok(describe(&req.state, &fresh, now))
}

/// Replaces the pending sign-in's code and texts it: the new code and the SMS caps'
/// reservations commit together, before the text goes out, or not at all (a refused
/// text leaves the old code, or none, in place).
pub(super) async fn issue_new_code(
    req: &Ctx,
    pending: &PendingSession,
    challenge: &challenges::Challenge,
    now: OffsetDateTime,
    cooldown_cutoff: OffsetDateTime,
) -> Result<(), SignInError> {
    let state = &req.state;
    let settings = &state.settings;
    let phone = challenge
        .phone
        .clone()
        .ok_or(TextError::Refused(SmsRefusal::NoPhone))?;
    let code = otp::generate();
    let issued = IssuedCode {
        salt: &code.salt,
        hash: &code.hash,
        expires_at: now + settings.codes.ttl,
    };
    let limits = challenges::SendLimits {
        max_sends: settings.codes.max_sends_per_signin,
        max_attempts: settings.codes.max_attempts,
    };
    let mut tx = state.pool.begin().await?;
    let replaced = challenges::replace_code(
        &mut tx,
        &pending.id_hash,
        &issued,
        now,
        cooldown_cutoff,
        limits,
    )
    .await?;
    if replaced.is_none() {
        return Err(
            if challenge.failed_attempts >= settings.codes.max_attempts {
                SignInError::TooManyAttempts
            } else if challenge.sends >= settings.codes.max_sends_per_signin {
                SignInError::ResendLimit
            } else {
                SignInError::ResendTooSoon {
                    wait_seconds: seconds_until(
                        now,
                        challenge.last_sent_at + settings.codes.resend_cooldown,
                    )
                    .max(1),
                }
            },
        );
    }
    if let Err(refusal) =
        limits::reserve_in(&mut tx, state, &phone, challenge.user_id, &req.client).await?
    {
        return Err(TextError::Refused(refusal).into());
    }
    tx.commit().await?;
    text_code(state, &phone, &code.digits).await
}

/// Abandons a pending sign-in ("Start over").
pub async fn cancel(req: &Ctx) -> Result<HeaderValue, SignInError> {
    if let Some(p) = session::current_pending(&req.state, &req.headers).await? {
        let mut conn = req.state.pool.acquire().await?;
        sessions::delete(&mut conn, &p.id_hash).await?;
    }
    Ok(session::clear_cookie(
        &req.state.settings,
        CookieKind::Session,
    ))
}
