//! The signed-in customer's own account.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// What the Account pages show about the signed-in customer. Holds nothing secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    pub username: String,
    pub email: String,
    /// The mobile number, masked to its last four digits.
    pub phone_masked: Option<String>,
    pub two_factor_enabled: bool,
    /// The operator requires 2FA (or support's reset took effect) and it is off: only the
    /// Security tab is open.
    pub two_factor_required: bool,
}

/// The signed-in customer's account, or `Unauthorized`.
#[server(endpoint = "account")]
pub async fn account_summary() -> Result<AccountView, AppError> {
    use crate::domain::PhoneNumber;
    use crate::server::{db::users, Ctx};
    let ctx = Ctx::current();
    let user = ctx.user().await?;
    let profile = users::profile(&ctx.state.pool, user.user_id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    Ok(AccountView {
        username: profile.username,
        email: profile.email,
        phone_masked: profile
            .phone
            .map(|p| PhoneNumber::from_trusted_e164(p).masked()),
        two_factor_required: (ctx.state.settings.require_two_factor && !profile.two_factor_enabled)
            || user.must_set_up_factor,
        two_factor_enabled: profile.two_factor_enabled,
    })
}
