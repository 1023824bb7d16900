//! The second step: the texted code, the authenticator app's code, or the Recovery
//! Token, each reserved before it is checked, each finished the same way.

use time::{Duration, OffsetDateTime};

use crate::domain::{OtpCode, PhoneNumber, RecoveryToken};
use crate::server::crypto::otp::{self, StoredCode, Verdict};
use crate::server::db::authenticator;
use crate::server::db::challenges;
use crate::server::db::history::{Factor, Outcome};
use crate::server::messaging::limits::{self, SmsRefusal};
use crate::server::signin::session::{self, PendingSession};
use crate::server::AppState;

use super::finish::{complete, complete_without_code, end_challenge, Finish};
use super::guess::{reserve_guess, wrong_guess, GuessKind};
use super::resend::issue_new_code;
use super::*;

pub(super) async fn pending_session(
    req: &Ctx,
) -> Result<(PendingSession, challenges::Challenge), SignInError> {
    let pending = session::current_pending(&req.state, &req.headers)
        .await?
        .ok_or(SignInError::NoPendingSignIn)?;
    let challenge = challenges::find(&req.state.pool, &pending.id_hash)
        .await?
        .filter(|c| c.consumed_at.is_none())
        .ok_or(SignInError::NoPendingSignIn)?;
    Ok((pending, challenge))
}

pub(super) fn describe(
    state: &AppState,
    c: &challenges::Challenge,
    now: OffsetDateTime,
) -> Pending {
    let ready_at = c.last_sent_at + state.settings.codes.resend_cooldown;
    Pending {
        masked_phone: c
            .phone
            .clone()
            .map(|p| PhoneNumber::from_trusted_e164(p).masked())
            .unwrap_or_default(),
        resend_in_seconds: seconds_until(now, ready_at),
        attempts_left: (state.settings.codes.max_attempts - c.failed_attempts).max(0) as u32,
        // Nothing was texted and no app asked: the text was refused (or there is no
        // phone), and only the recovery token can finish this sign-in.
        sms_refused: (!c.has_app && c.sends == 0).then(|| match &c.phone {
            None => SmsRefusal::NoPhone,
            Some(p) if !limits::country_allowed(state, p) => SmsRefusal::Country,
            Some(_) => SmsRefusal::DailyLimit,
        }),
        app: c.has_app && c.sends == 0,
        can_text: c.phone.is_some(),
        passkey: c.has_passkey,
    }
}

pub(super) fn seconds_until(now: OffsetDateTime, then: OffsetDateTime) -> u32 {
    let d = then - now;
    if d <= Duration::ZERO {
        0
    } else {
        // Round up so "0 seconds" is never shown while still refused.
        (d.whole_milliseconds() as u64).div_ceil(1000) as u32
    }
}

/// The pending sign-in of this request, for the second-step form.
pub async fn pending(req: &Ctx) -> Result<Option<Pending>, SignInError> {
    match pending_session(req).await {
        Ok((_, c)) => Ok(Some(describe(&req.state, &c, req.now))),
        Err(SignInError::NoPendingSignIn) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The second step: the authenticator app's code when the account has one, else (or
/// after "Text me a code instead") the texted code. The guess is reserved before it is
/// checked. On success the pending session is replaced with a full one (a new id) and,
/// if asked, this device is trusted.
pub async fn verify_code(
    req: &Ctx,
    code: &OtpCode,
    trust_device: bool,
) -> Result<CodeAccepted, SignInError> {
    let state = &req.state;
    let (pending, challenge) = pending_session(req).await?;
    let factor = if challenge.has_app && challenge.sends == 0 {
        Factor::AuthenticatorApp
    } else {
        Factor::SmsCode
    };
    let guess = reserve_guess(req, &pending, &challenge, GuessKind::Code, factor).await?;
    let now = req.now;
    let user = Some(challenge.user_id);
    let name = challenge.username.clone();

    if challenge.has_app {
        if let Some(step) = app_step(state, challenge.user_id, code, now).await? {
            let mut tx = state.pool.begin().await?;
            // One statement each: the step is used once, the challenge ends once.
            if authenticator::use_step(&mut tx, challenge.user_id, step).await? {
                end_challenge(&mut tx, &pending, now).await?;
                let finished = Finish {
                    guess: &guess,
                    user_id: challenge.user_id,
                    name: &name,
                    trust_device,
                    factor: Factor::AuthenticatorApp,
                };
                return complete(req, tx, &pending, finished).await;
            }
            // A replayed code (its step, or a later one, was used already).
        }
        if challenge.sends == 0 {
            // Nothing was texted: only the app's code could have been right.
            let factor = Factor::AuthenticatorApp;
            return Err(wrong_guess(req, &guess, user, &name, factor).await);
        }
    }

    let stored = StoredCode {
        salt: &challenge.code_salt,
        hash: &challenge.code_hash,
        expires_at: challenge.code_expires_at,
    };
    let max = state.settings.codes.max_attempts;
    match otp::judge(now, &stored, code, guess.taken(), max) {
        Verdict::Accept => {}
        Verdict::Expired => {
            guess.unchecked(req, &pending.id_hash).await;
            req.record(user, &name, Outcome::ExpiredCode, Factor::SmsCode)
                .await;
            // Send a fresh code straight away, within the same cap as resends.
            return match issue_new_code(req, &pending, &challenge, now, now).await {
                Ok(()) | Err(SignInError::ResendTooSoon { .. }) => Err(SignInError::CodeExpired),
                Err(e) => Err(e),
            };
        }
        Verdict::Wrong { .. } | Verdict::Exhausted => {
            return Err(wrong_guess(req, &guess, user, &name, Factor::SmsCode).await);
        }
    }

    let mut tx = state.pool.begin().await?;
    let code_hash = otp::hash(&challenge.code_salt, code);
    let Some(user_id) = challenges::consume(&mut tx, &pending.id_hash, &code_hash, now).await?
    else {
        // Another request used it first, or it was replaced meanwhile.
        return Err(SignInError::NoPendingSignIn);
    };
    let finished = Finish {
        guess: &guess,
        user_id,
        name: &name,
        trust_device,
        factor: Factor::SmsCode,
    };
    complete(req, tx, &pending, finished).await
}

/// The step of the account's app that `code` belongs to, if it is current (±1 step).
async fn app_step(
    state: &AppState,
    user_id: i64,
    code: &OtpCode,
    now: OffsetDateTime,
) -> Result<Option<i64>, SignInError> {
    let secret = match crate::server::account::authenticator::confirmed_secret(state, user_id).await
    {
        Ok(Some(secret)) => secret,
        Ok(None) => return Ok(None),
        Err(crate::server::account::authenticator::AuthenticatorError::Unexpected(e)) => {
            return Err(e.into())
        }
        Err(e) => {
            // A missing or wrong GATEHOUSE_SECRET_KEY: the app cannot answer; SMS still can.
            tracing::error!(error = %e, "opening an authenticator secret");
            return Ok(None);
        }
    };
    Ok(crate::server::crypto::totp::matching_step(
        &secret,
        code.as_str(),
        now,
    ))
}

/// The second step with the Recovery Token instead of the texted code. A wrong token
/// counts as a wrong code (it is reserved like one, though not against the day's wrong
/// codes: 120 bits are not guessed); the right one works once and marks the account so
/// the Security tab asks for a new token.
pub async fn verify_recovery(
    req: &Ctx,
    token: &RecoveryToken,
) -> Result<CodeAccepted, SignInError> {
    let state = &req.state;
    let (pending, challenge) = pending_session(req).await?;
    let factor = Factor::RecoveryToken;
    let guess = reserve_guess(req, &pending, &challenge, GuessKind::RecoveryToken, factor).await?;
    let now = req.now;
    let user = Some(challenge.user_id);
    let name = challenge.username.clone();
    let mut tx = state.pool.begin().await?;
    let hash = crate::server::account::recovery_token::hash(token);
    if !crate::server::db::recovery::consume(&mut tx, challenge.user_id, &hash, now).await? {
        drop(tx);
        return Err(wrong_guess(req, &guess, user, &name, factor).await);
    }
    let user_id = challenge.user_id;
    complete_without_code(req, tx, &pending, &guess, user_id, &name, factor).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_round_up_and_never_go_negative() {
        let now = OffsetDateTime::UNIX_EPOCH;
        assert_eq!(seconds_until(now, now - Duration::seconds(5)), 0);
        assert_eq!(seconds_until(now, now), 0);
        assert_eq!(seconds_until(now, now + Duration::milliseconds(1)), 1);
        assert_eq!(seconds_until(now, now + Duration::seconds(30)), 30);
    }
}
