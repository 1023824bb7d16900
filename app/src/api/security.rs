//! Account › Security: the mobile number, two-factor authentication, and sudo mode.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::Password;
use crate::error::AppError;

/// The Two Factor Authentication form's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorView {
    pub enabled: bool,
    /// The saved number in E.164, to fill the Mobile field (the owner's own number).
    pub phone: Option<String>,
    pub phone_masked: Option<String>,
    /// A number waiting for its Confirmation code, masked.
    pub pending_masked: Option<String>,
    /// The operator requires two-factor authentication and it is off.
    pub required: bool,
}

/// What Update did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum UpdateResult {
    /// A Confirmation code went to this (masked) number.
    CodeSent(String),
    TurnedOff,
    Unchanged,
}

#[cfg(feature = "ssr")]
fn map_error(e: crate::server::security::SecurityError) -> AppError {
    use crate::server::respond;
    use crate::server::security::SecurityError as E;
    match e {
        E::Phone(p) => AppError::invalid("phone", p),
        E::SudoRequired => AppError::SudoRequired,
        E::WrongPassword => AppError::invalid("password", "That password isn't right."),
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
        E::SmsRefused(r @ crate::server::sms_guard::SmsRefusal::Country) => {
            AppError::invalid("phone", r.message())
        }
        E::SmsRefused(r) => AppError::SmsRefused(r.message().to_owned()),
        E::Sms(cause) => {
            tracing::error!(%cause, "sending a confirmation code");
            AppError::SmsFailed
        }
        E::Database(e) => respond::from_db("security settings", e),
        E::Hash(e) => respond::from_hash("security settings", e),
    }
}

/// The signed-in customer's two-factor settings.
#[server(endpoint = "two-factor")]
pub async fn two_factor_settings() -> Result<TwoFactorView, AppError> {
    use crate::server::{respond, security};
    respond::finish(
        async {
            let (state, user) = crate::server::require_user().await?;
            let s = security::state_of(&state, &user).await.map_err(map_error)?;
            Ok(TwoFactorView {
                enabled: s.enabled,
                phone_masked: s.phone.as_ref().map(|p| p.masked()),
                phone: s.phone.map(|p| p.as_str().to_owned()),
                pending_masked: s.pending,
                required: state.settings.require_two_factor && !s.enabled,
            })
        }
        .await,
    )
}

/// Update: `phone` as typed (national or international), `enabled` is `on` when the
/// "Two Factor Authentication Enabled" box is ticked.
#[server(endpoint = "update-two-factor")]
pub async fn update_two_factor(
    phone: String,
    enabled: Option<String>,
) -> Result<UpdateResult, AppError> {
    use crate::server::respond;
    use crate::server::security::{self, UpdateOutcome};
    respond::finish(
        async {
            let (state, user) = crate::server::require_user().await?;
            Ok(
                match security::request_update(
                    &state,
                    &user,
                    &crate::server::client_info(),
                    &phone,
                    enabled.is_some(),
                )
                .await
                .map_err(map_error)?
                {
                    UpdateOutcome::CodeSent { masked_phone } => {
                        UpdateResult::CodeSent(masked_phone)
                    }
                    UpdateOutcome::TurnedOff => UpdateResult::TurnedOff,
                    UpdateOutcome::Unchanged => UpdateResult::Unchanged,
                },
            )
        }
        .await,
    )
}

/// The Confirmation code texted to a new number; saves it. Returns the masked number
/// and whether two-factor authentication is now on.
#[server(endpoint = "confirm-phone")]
pub async fn confirm_phone(code: String) -> Result<(String, bool), AppError> {
    use crate::domain::OtpCode;
    use crate::server::{respond, security};
    respond::finish(
        async {
            let (state, user) = crate::server::require_user().await?;
            let code = OtpCode::parse(&code).map_err(|e| AppError::invalid("confirm_code", e))?;
            let (enabled, phone) =
                security::confirm_phone(&state, &user, &crate::server::client_info(), &code)
                    .await
                    .map_err(map_error)?;
            Ok((phone.masked(), enabled))
        }
        .await,
    )
}

/// Re-enter the password to make sensitive changes for the next 10 minutes.
#[server(endpoint = "confirm-password")]
pub async fn confirm_password(password: Password) -> Result<(), AppError> {
    use crate::server::{respond, security};
    respond::finish(
        async {
            let (state, user) = crate::server::require_user().await?;
            security::reauthenticate(&state, &user, &crate::server::client_info(), &password)
                .await
                .map_err(map_error)
        }
        .await,
    )
}

/// The Recovery Token's state on the Security tab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryView {
    /// When the current token was created (RFC 3339), if there is one.
    pub created_at: Option<String>,
    /// A token was used to sign in and no new one has been created since.
    pub used: bool,
}

/// The signed-in customer's recovery token status (never the token).
#[server(endpoint = "recovery-status")]
pub async fn recovery_status() -> Result<RecoveryView, AppError> {
    use crate::server::{db::recovery, respond};
    use time::format_description::well_known::Rfc3339;
    respond::finish(
        async {
            let (state, user) = crate::server::require_user().await?;
            let s = recovery::status(&state.pool, user.user_id)
                .await
                .map_err(|e| respond::from_db("recovery token status", e))?;
            Ok(RecoveryView {
                created_at: s.created_at.and_then(|t| t.format(&Rfc3339).ok()),
                used: s.used_at.is_some(),
            })
        }
        .await,
    )
}

/// Creates a new Recovery Token (the old one stops working) and returns it, grouped, for
/// the only time it is ever shown. Needs sudo mode.
#[server(endpoint = "create-recovery-token")]
pub async fn create_recovery_token() -> Result<String, AppError> {
    use crate::server::{recovery, respond};
    respond::finish(
        async {
            let (state, user) = crate::server::require_user().await?;
            let token = recovery::create(&state, &user, &crate::server::client_info())
                .await
                .map_err(map_error)?;
            Ok(token.grouped())
        }
        .await,
    )
}

/// Revokes the Recovery Token. Needs sudo mode.
#[server(endpoint = "revoke-recovery-token")]
pub async fn revoke_recovery_token() -> Result<(), AppError> {
    use crate::server::{recovery, respond};
    respond::finish(
        async {
            let (state, user) = crate::server::require_user().await?;
            recovery::revoke(&state, &user, &crate::server::client_info())
                .await
                .map_err(map_error)
        }
        .await,
    )
}
