//! Account › Security › Two Factor Authentication: the mobile number and the switch.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

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

/// The signed-in customer's two-factor settings.
#[server(endpoint = "two-factor")]
pub async fn two_factor_settings() -> Result<TwoFactorView, AppError> {
    use crate::server::{account::two_factor, Ctx};
    let ctx = Ctx::current();
    let user = ctx.user().await?;
    let s = two_factor::state_of(&ctx, &user).await?;
    Ok(TwoFactorView {
        enabled: s.enabled,
        phone_masked: s.phone.as_ref().map(|p| p.masked()),
        phone: s.phone.map(|p| p.as_str().to_owned()),
        pending_masked: s.pending,
        required: ctx.state.settings.require_two_factor && !s.enabled,
    })
}

/// Update: `phone` as typed (national or international), `enabled` is `on` when the
/// "Two Factor Authentication Enabled" box is ticked.
#[server(endpoint = "update-two-factor")]
pub async fn update_two_factor(
    phone: String,
    enabled: Option<String>,
) -> Result<UpdateResult, AppError> {
    use crate::notice::Notice;
    use crate::server::account::two_factor::{self, UpdateOutcome};
    use crate::server::platform::flash;
    use crate::server::Ctx;
    let ctx = Ctx::current();
    let user = ctx.user().await?;
    let settings = &ctx.state.settings;
    Ok(
        match two_factor::update(&ctx, &user, &phone, enabled.is_some()).await? {
            UpdateOutcome::CodeSent { masked_phone } => UpdateResult::CodeSent(masked_phone),
            UpdateOutcome::TurnedOff => {
                flash::set(settings, Notice::TwoFactorOff, "");
                UpdateResult::TurnedOff
            }
            UpdateOutcome::Unchanged => {
                flash::set(settings, Notice::NothingChanged, "");
                UpdateResult::Unchanged
            }
        },
    )
}

/// The Confirmation code texted to a new number; saves it. Returns the masked number
/// and whether two-factor authentication is now on.
#[server(endpoint = "confirm-phone")]
pub async fn confirm_phone(code: String) -> Result<(String, bool), AppError> {
    use crate::domain::OtpCode;
    use crate::server::{account::two_factor, Ctx};
    let ctx = Ctx::current();
    let user = ctx.user().await?;
    let code = OtpCode::parse(&code).map_err(|e| AppError::invalid("confirm_code", e))?;
    let (enabled, phone) = two_factor::confirm_phone(&ctx, &user, &code).await?;
    let notice = if enabled {
        crate::notice::Notice::TwoFactorOn
    } else {
        crate::notice::Notice::PhoneSaved
    };
    let masked = phone.masked();
    crate::server::platform::flash::set(&ctx.state.settings, notice, &masked);
    Ok((masked, enabled))
}
