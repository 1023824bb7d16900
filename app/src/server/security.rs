//! Account › Security: proving a mobile number, turning two-factor authentication on and
//! off, and "sudo mode" (a recent password) for the changes that need it.

use time::{Duration, OffsetDateTime};

use super::client::ClientInfo;
use super::db::challenges::IssuedCode;
use super::db::{devices, phone_verifications, sessions, users};
use super::notify::{self, Notice, Origin};
use super::password::HashError;
use super::session::CurrentUser;
use super::{otp, sms_guard, throttle, AppState};
use crate::domain::{OtpCode, Password, PhoneError, PhoneNumber};

/// How long a password entry keeps sensitive changes open.
pub const SUDO_WINDOW: Duration = Duration::minutes(10);

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
pub enum SecurityError {
    #[error("invalid phone: {0}")]
    Phone(#[from] PhoneError),
    #[error("a recent password is needed")]
    SudoRequired,
    #[error("wrong password")]
    WrongPassword,
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
    #[error("sending the SMS failed: {0}")]
    Sms(String),
    #[error("SMS refused: {0:?}")]
    SmsRefused(super::sms_guard::SmsRefusal),
    #[error("password hashing failed: {0}")]
    Hash(#[from] HashError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl From<throttle::CheckError> for SecurityError {
    fn from(e: throttle::CheckError) -> Self {
        match e {
            throttle::CheckError::Hash(e) => Self::Hash(e),
            throttle::CheckError::Database(e) => Self::Database(e),
        }
    }
}

/// Whether the password was proven in this session within the last 10 minutes.
pub fn in_sudo_mode(user: &CurrentUser, now: OffsetDateTime) -> bool {
    now - user.authenticated_at < SUDO_WINDOW
}

/// The Security tab's current state.
pub struct TwoFactorState {
    pub enabled: bool,
    pub phone: Option<PhoneNumber>,
    /// A number waiting for its code, masked.
    pub pending: Option<String>,
}

/// Reads the Security tab's state.
pub async fn state_of(
    state: &AppState,
    user: &CurrentUser,
) -> Result<TwoFactorState, SecurityError> {
    let profile = users::profile(&state.pool, user.user_id).await?;
    let pending = phone_verifications::find(&state.pool, user.user_id)
        .await?
        .filter(|v| v.code_expires_at > state.clock.now())
        .map(|v| PhoneNumber::from_trusted_e164(v.phone_e164).masked());
    Ok(TwoFactorState {
        enabled: profile.as_ref().is_some_and(|p| p.two_factor_enabled),
        phone: profile
            .and_then(|p| p.phone)
            .map(PhoneNumber::from_trusted_e164),
        pending,
    })
}

/// Update: a new or changed number is texted a code before anything is saved; unticking
/// the box turns 2FA off. Saving any number (the first one too) and turning 2FA off need
/// sudo mode; signing in counts, so the seed's steps right after signing in just work.
pub async fn request_update(
    state: &AppState,
    user: &CurrentUser,
    client: &ClientInfo,
    phone_raw: &str,
    enable: bool,
) -> Result<UpdateOutcome, SecurityError> {
    let now = state.clock.now();
    let current = state_of(state, user).await?;
    let phone = if phone_raw.trim().is_empty() && !enable {
        None
    } else {
        Some(PhoneNumber::parse_with_region(
            phone_raw,
            state.settings.default_region,
        )?)
    };
    let same_number = phone.is_some() && phone == current.phone;

    if !enable {
        if !current.enabled && (phone.is_none() || same_number) {
            return Ok(UpdateOutcome::Unchanged);
        }
        if current.enabled {
            if !in_sudo_mode(user, now) {
                return Err(SecurityError::SudoRequired);
            }
            let mut tx = state.pool.begin().await?;
            users::disable_two_factor(&mut tx, user.user_id).await?;
            devices::revoke_all(&mut *tx, user.user_id).await?;
            // Off means off: the authenticator app goes too.
            super::db::authenticator::remove(&mut tx, user.user_id).await?;
            tx.commit().await?;
            notify::notify(
                state,
                user.user_id,
                Notice::TwoFactorOff,
                Origin::of(client, now),
            )
            .await;
            return Ok(UpdateOutcome::TurnedOff);
        }
    } else if current.enabled && same_number {
        return Ok(UpdateOutcome::Unchanged);
    }

    let Some(phone) = phone else {
        return Err(SecurityError::Phone(PhoneError::Empty));
    };
    // Every number that will receive codes needs the password again, the first one too:
    // a stolen session must not be able to bind its own phone (then "Text me a code
    // instead" would go there).
    if !in_sudo_mode(user, now) {
        return Err(SecurityError::SudoRequired);
    }
    let code = otp::generate();
    let issued = IssuedCode {
        salt: &code.salt,
        hash: &code.hash,
        expires_at: now + state.settings.code_ttl,
    };
    // The code and the SMS caps' reservations commit together, before anything is sent.
    let mut tx = state.pool.begin().await?;
    let started = phone_verifications::start(
        &mut tx,
        user.user_id,
        phone.as_str(),
        enable,
        &issued,
        now,
        now - state.settings.resend_cooldown,
    )
    .await?;
    if !started {
        return Err(SecurityError::TooSoon {
            wait_seconds: state.settings.resend_cooldown.whole_seconds() as u32,
        });
    }
    if let Err(refusal) =
        sms_guard::reserve_in(&mut tx, state, phone.as_str(), user.user_id, client).await?
    {
        return Err(SecurityError::SmsRefused(refusal));
    }
    tx.commit().await?;
    let body = format!(
        "{}: your confirmation code is {}. Enter it to confirm this number. It expires in {} minutes. Don't share it.",
        state.settings.brand,
        &*code.digits,
        state.settings.code_ttl.whole_minutes()
    );
    state
        .sms
        .send_sms(phone.as_str(), &body)
        .await
        .map_err(|e| SecurityError::Sms(e.to_string()))?;
    Ok(UpdateOutcome::CodeSent {
        masked_phone: phone.masked(),
    })
}

/// The Confirmation code: saves the proven number (and turns 2FA on if asked), revoking
/// trusted devices when the number changed. Returns whether 2FA is now on, and the number.
pub async fn confirm_phone(
    state: &AppState,
    user: &CurrentUser,
    client: &ClientInfo,
    code: &OtpCode,
) -> Result<(bool, PhoneNumber), SecurityError> {
    let settings = &state.settings;
    let now = state.clock.now();
    let pending = phone_verifications::find(&state.pool, user.user_id)
        .await?
        .ok_or(SecurityError::NothingToConfirm)?;
    if now >= pending.code_expires_at {
        return Err(SecurityError::CodeExpired);
    }
    // The guess is reserved before the code is checked.
    let max = settings.max_code_attempts;
    let Some(taken) = phone_verifications::reserve_guess(&state.pool, user.user_id, max).await?
    else {
        return Err(SecurityError::TooManyAttempts);
    };
    if !otp::matches(&pending.code_salt, code, &pending.code_hash) {
        if taken >= max {
            return Err(SecurityError::TooManyAttempts);
        }
        return Err(SecurityError::WrongCode {
            attempts_left: (max - taken) as u32,
        });
    }
    let before = users::profile(&state.pool, user.user_id).await?;
    let was_enabled = before.as_ref().is_some_and(|p| p.two_factor_enabled);
    let previous = before.and_then(|p| p.phone);
    let had_phone = previous.is_some();
    let mut tx = state.pool.begin().await?;
    let hash = otp::hash(&pending.code_salt, code);
    let (phone, enable) = phone_verifications::consume(&mut tx, user.user_id, &hash, now)
        .await?
        .ok_or(SecurityError::NothingToConfirm)?;
    users::set_phone(&mut tx, user.user_id, &phone, enable).await?;
    let changed = previous.as_deref() != Some(phone.as_str());
    if changed {
        devices::revoke_all(&mut *tx, user.user_id).await?;
    }
    tx.commit().await?;
    let phone = PhoneNumber::from_trusted_e164(phone);
    let origin = Origin::of(client, now);
    if let (true, Some(old)) = (changed, previous) {
        let old = PhoneNumber::from_trusted_e164(old);
        let notice = Notice::PhoneChanged {
            old,
            new: phone.clone(),
        };
        notify::notify(state, user.user_id, notice, origin.clone()).await;
    }
    if enable && !was_enabled {
        let notice = Notice::TwoFactorOn {
            phone: phone.clone(),
        };
        notify::notify(state, user.user_id, notice, origin).await;
    } else if changed && !had_phone {
        // A first number on an account whose 2FA rests on the app (or is off): it can
        // now receive sign-in codes, so the owner hears of it like any other change.
        let notice = Notice::PhoneAdded {
            phone: phone.clone(),
        };
        notify::notify(state, user.user_id, notice, origin).await;
    }
    Ok((enable, phone))
}

/// Re-entering the password opens sudo mode for 10 minutes in this session.
pub async fn reauthenticate(
    state: &AppState,
    user: &CurrentUser,
    client: &ClientInfo,
    password: &Password,
) -> Result<(), SecurityError> {
    let hash = users::password_hash(&state.pool, user.user_id)
        .await?
        .ok_or(SecurityError::WrongPassword)?;
    let username = users::profile(&state.pool, user.user_id)
        .await?
        .map(|p| p.username)
        .unwrap_or_default();
    if !throttle::verify_current_password(state, &username, client, password, &hash).await? {
        return Err(SecurityError::WrongPassword);
    }
    sessions::reauthenticate(&state.pool, &user.session_hash, state.clock.now()).await?;
    Ok(())
}
