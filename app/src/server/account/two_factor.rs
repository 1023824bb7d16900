//! Account › Security › Two Factor Authentication: proving a mobile number, turning
//! two-factor authentication on and off.

use crate::domain::{OtpCode, PhoneError, PhoneNumber};
use crate::error::AppError;
use crate::server::account::sudo::{Sudo, SudoRequired};
use crate::server::crypto::otp::{self, StoredCode, Verdict};
use crate::server::db::challenges::IssuedCode;
use crate::server::db::{devices, phone_verifications, users};
use crate::server::messaging::limits::{self, SmsRefusal};
use crate::server::messaging::notify::{self, Notice, Origin};
use crate::server::messaging::TextError;
use crate::server::platform::ctx::Ctx;
use crate::server::platform::respond::{unexpected_from, Unexpected};
use crate::server::signin::session::User;

/// What pressing Update did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpdateOutcome {
    /// A code went to the new number; it is saved once the code is entered.
    CodeSent { masked_phone: String },
    /// Two-factor authentication is now off (trusted devices revoked).
    TurnedOff,
    /// Nothing to change.
    Unchanged,
}

/// Why a security change failed.
#[derive(Debug, thiserror::Error)]
pub enum TwoFactorError {
    #[error("invalid phone: {0}")]
    Phone(#[from] PhoneError),
    #[error("a recent password is needed")]
    SudoRequired(#[from] SudoRequired),
    #[error("no number is waiting for a code")]
    NothingToConfirm,
    #[error("wrong code")]
    WrongCode { attempts_left: u32 },
    #[error("code expired")]
    CodeExpired,
    #[error("too many wrong codes")]
    TooManyAttempts,
    #[error("a code was sent moments ago")]
    TooSoon { wait_seconds: u32 },
    #[error(transparent)]
    Text(#[from] TextError),
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

unexpected_from!(TwoFactorError);

impl From<TwoFactorError> for AppError {
    fn from(e: TwoFactorError) -> Self {
        use TwoFactorError as E;
        match e {
            E::Phone(p) => AppError::invalid("phone", p),
            E::SudoRequired(e) => e.into(),
            E::NothingToConfirm => AppError::NothingToConfirm,
            E::WrongCode { attempts_left } => AppError::WrongCode { attempts_left },
            E::CodeExpired => AppError::invalid(
                "confirm_code",
                "That code has expired. Press Update to get a new one.",
            ),
            E::TooManyAttempts => AppError::invalid(
                "confirm_code",
                "Too many wrong codes. Press Update to get a new one.",
            ),
            E::TooSoon { wait_seconds } => AppError::ResendTooSoon { wait_seconds },
            E::Text(TextError::Refused(r @ SmsRefusal::Country)) => {
                AppError::invalid("phone", r.message())
            }
            E::Text(e) => e.into(),
            E::Unexpected(e) => e.into(),
        }
    }
}

/// The Security tab's current state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwoFactorState {
    pub enabled: bool,
    pub phone: Option<PhoneNumber>,
    /// A number waiting for its code, masked.
    pub pending: Option<String>,
}

/// Reads the Security tab's state.
pub async fn state_of(ctx: &Ctx, user: &User) -> Result<TwoFactorState, TwoFactorError> {
    let pool = &ctx.state.pool;
    let profile = users::profile(pool, user.user_id).await?;
    let pending = phone_verifications::find(pool, user.user_id)
        .await?
        .filter(|v| v.code_expires_at > ctx.now)
        .map(|v| PhoneNumber::from_trusted_e164(v.phone_e164).masked());
    Ok(TwoFactorState {
        enabled: profile.as_ref().is_some_and(|p| p.two_factor_enabled),
        phone: profile
            .and_then(|p| p.phone)
            .map(PhoneNumber::from_trusted_e164),
        pending,
    })
}

/// What pressing Update asks for, decided from the form and the current state alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    Unchanged,
    TurnOff,
    /// Text a Confirmation code to this number; turn 2FA on when it is entered if `enable`.
    Confirm {
        phone: PhoneNumber,
        enable: bool,
    },
}

/// Update's decision: a new or changed number is texted a code before anything is saved;
/// unticking the box turns 2FA off; anything else changes nothing.
pub fn plan(
    current: &TwoFactorState,
    phone: Option<PhoneNumber>,
    enable: bool,
) -> Result<Plan, TwoFactorError> {
    let same_number = phone.is_some() && phone == current.phone;
    if !enable {
        if !current.enabled && (phone.is_none() || same_number) {
            return Ok(Plan::Unchanged);
        }
        if current.enabled {
            return Ok(Plan::TurnOff);
        }
    } else if current.enabled && same_number {
        return Ok(Plan::Unchanged);
    }
    match phone {
        Some(phone) => Ok(Plan::Confirm { phone, enable }),
        None => Err(TwoFactorError::Phone(PhoneError::Empty)),
    }
}

/// Update: `phone_raw` as typed, `enable` whether the box is ticked. Saving any number
/// (the first one too) and turning 2FA off need sudo mode; signing in counts, so the
/// seed's steps right after signing in just work.
pub async fn update(
    ctx: &Ctx,
    user: &User,
    phone_raw: &str,
    enable: bool,
) -> Result<UpdateOutcome, TwoFactorError> {
    let current = state_of(ctx, user).await?;
    let phone = if phone_raw.trim().is_empty() && !enable {
        None
    } else {
        Some(PhoneNumber::parse_with_region(
            phone_raw,
            ctx.state.settings.default_region,
        )?)
    };
    match plan(&current, phone, enable)? {
        Plan::Unchanged => Ok(UpdateOutcome::Unchanged),
        Plan::TurnOff => turn_off(ctx, &user.sudo(ctx.now)?).await,
        // Every number that will receive codes needs the password again, the first one
        // too: a stolen session must not be able to bind its own phone (then "Text me a
        // code instead" would go there).
        Plan::Confirm { phone, enable } => {
            send_confirmation(ctx, &user.sudo(ctx.now)?, &phone, enable).await
        }
    }
}

/// Turns two-factor authentication off: the phone's role, the app and every trusted
/// device go, and the owner is told.
async fn turn_off(ctx: &Ctx, sudo: &Sudo<'_>) -> Result<UpdateOutcome, TwoFactorError> {
    let user_id = sudo.user().user_id;
    let mut tx = ctx.state.pool.begin().await?;
    users::disable_two_factor(&mut tx, user_id).await?;
    devices::revoke_all(&mut *tx, user_id).await?;
    // Off means off: the authenticator app goes too.
    crate::server::db::authenticator::remove(&mut tx, user_id).await?;
    let origin = Origin::of(&ctx.client, ctx.now);
    notify::notify(&ctx.state, &mut tx, user_id, Notice::TwoFactorOff, origin).await?;
    tx.commit().await?;
    Ok(UpdateOutcome::TurnedOff)
}

/// Texts a Confirmation code to `phone`; the number is saved once it is entered.
async fn send_confirmation(
    ctx: &Ctx,
    sudo: &Sudo<'_>,
    phone: &PhoneNumber,
    enable: bool,
) -> Result<UpdateOutcome, TwoFactorError> {
    let (state, now, user_id) = (&ctx.state, ctx.now, sudo.user().user_id);
    let code = otp::generate();
    let issued = IssuedCode {
        salt: &code.salt,
        hash: &code.hash,
        expires_at: now + state.settings.codes.ttl,
    };
    // The code and the SMS caps' reservations commit together, before anything is sent.
    let mut tx = state.pool.begin().await?;
    let started = phone_verifications::start(
        &mut tx,
        user_id,
        phone.as_str(),
        enable,
        &issued,
        now,
        now - state.settings.codes.resend_cooldown,
    )
    .await?;
    if !started {
        return Err(TwoFactorError::TooSoon {
            wait_seconds: state.settings.codes.resend_cooldown.whole_seconds() as u32,
        });
    }
    if let Err(refusal) =
        limits::reserve_in(&mut tx, state, phone.as_str(), user_id, &ctx.client).await?
    {
        return Err(TextError::Refused(refusal).into());
    }
    tx.commit().await?;
    let body = crate::server::messaging::texts::confirmation_code(&state.settings, &code.digits);
    crate::server::messaging::text_code_now(state, phone.as_str(), &body).await?;
    Ok(UpdateOutcome::CodeSent {
        masked_phone: phone.masked(),
    })
}

/// The Confirmation code: saves the proven number (and turns 2FA on if asked), revoking
/// trusted devices when the number changed. Returns whether 2FA is now on, and the number.
pub async fn confirm_phone(
    ctx: &Ctx,
    user: &User,
    code: &OtpCode,
) -> Result<(bool, PhoneNumber), TwoFactorError> {
    let (state, now) = (&ctx.state, ctx.now);
    let pending = phone_verifications::find(&state.pool, user.user_id)
        .await?
        .ok_or(TwoFactorError::NothingToConfirm)?;
    if now >= pending.code_expires_at {
        return Err(TwoFactorError::CodeExpired);
    }
    // The guess is reserved before the code is checked.
    let max = state.settings.codes.max_attempts;
    let Some(taken) = phone_verifications::reserve_guess(&state.pool, user.user_id, max).await?
    else {
        return Err(TwoFactorError::TooManyAttempts);
    };
    let stored = StoredCode {
        salt: &pending.code_salt,
        hash: &pending.code_hash,
        expires_at: pending.code_expires_at,
    };
    match otp::judge(now, &stored, code, taken, max) {
        Verdict::Accept => {}
        Verdict::Wrong { left } => {
            return Err(TwoFactorError::WrongCode {
                attempts_left: left,
            })
        }
        Verdict::Exhausted => return Err(TwoFactorError::TooManyAttempts),
        Verdict::Expired => return Err(TwoFactorError::CodeExpired),
    }
    let before = users::profile(&state.pool, user.user_id).await?;
    let was_enabled = before.as_ref().is_some_and(|p| p.two_factor_enabled);
    let previous = before.and_then(|p| p.phone);
    let had_phone = previous.is_some();
    let mut tx = state.pool.begin().await?;
    let hash = otp::hash(&pending.code_salt, code);
    let (phone, enable) = phone_verifications::consume(&mut tx, user.user_id, &hash, now)
        .await?
        .ok_or(TwoFactorError::NothingToConfirm)?;
    users::set_phone(&mut tx, user.user_id, &phone, enable).await?;
    let changed = previous.as_deref() != Some(phone.as_str());
    if changed {
        devices::revoke_all(&mut *tx, user.user_id).await?;
    }
    let phone = PhoneNumber::from_trusted_e164(phone);
    let origin = Origin::of(&ctx.client, now);
    if let (true, Some(old)) = (changed, previous) {
        let old = PhoneNumber::from_trusted_e164(old);
        let notice = Notice::PhoneChanged {
            old,
            new: phone.clone(),
        };
        notify::notify(state, &mut tx, user.user_id, notice, origin.clone()).await?;
    }
    if enable && !was_enabled {
        let notice = Notice::TwoFactorOn {
            phone: phone.clone(),
        };
        notify::notify(state, &mut tx, user.user_id, notice, origin).await?;
    } else if changed && !had_phone {
        // A first number on an account whose 2FA rests on the app (or is off): it can
        // now receive sign-in codes, so the owner hears of it like any other change.
        let notice = Notice::PhoneAdded {
            phone: phone.clone(),
        };
        notify::notify(state, &mut tx, user.user_id, notice, origin).await?;
    }
    tx.commit().await?;
    Ok((enable, phone))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(e164: &str) -> Option<PhoneNumber> {
        Some(PhoneNumber::from_trusted_e164(e164.to_owned()))
    }

    #[test]
    fn update_decides_from_the_form_and_the_saved_state() {
        let saved = "+447400123456";
        let other = "+447400654321";
        let state = |enabled: bool, phone: Option<&str>| TwoFactorState {
            enabled,
            phone: phone.and_then(number),
            pending: None,
        };
        let confirm = |p: &str, enable: bool| {
            Some(Plan::Confirm {
                phone: number(p).unwrap(),
                enable,
            })
        };
        // (2FA on, saved number, typed number, box ticked) → plan
        let table = [
            (false, None, None, false, Some(Plan::Unchanged)),
            (
                false,
                Some(saved),
                Some(saved),
                false,
                Some(Plan::Unchanged),
            ),
            (
                false,
                Some(saved),
                Some(other),
                false,
                confirm(other, false),
            ),
            (false, None, Some(saved), true, confirm(saved, true)),
            (false, Some(saved), Some(saved), true, confirm(saved, true)),
            (true, Some(saved), Some(saved), true, Some(Plan::Unchanged)),
            (true, Some(saved), Some(other), true, confirm(other, true)),
            (true, Some(saved), Some(saved), false, Some(Plan::TurnOff)),
            (true, Some(saved), None, false, Some(Plan::TurnOff)),
        ];
        for (enabled, saved, typed, ticked, expected) in table {
            let got = plan(&state(enabled, saved), typed.and_then(number), ticked);
            assert_eq!(got.ok(), expected, "{enabled} {saved:?} {typed:?} {ticked}");
        }
        let no_number = plan(&state(false, None), None, true);
        assert!(matches!(
            no_number,
            Err(TwoFactorError::Phone(PhoneError::Empty))
        ));
    }
}
