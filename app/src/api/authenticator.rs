//! Account › Security › Authenticator app.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The app's state on the Security tab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthenticatorView {
    /// When the confirmed app was added (RFC 3339), if there is one.
    pub added_at: Option<String>,
    /// A set-up waiting for the app's first code, begun moments ago in sudo mode: shown
    /// until confirmed.
    pub setting_up: Option<AuthenticatorSetup>,
}

/// What "Set up" shows: the QR code (SVG made on the server) and the typed secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthenticatorSetup {
    pub qr_svg: String,
    pub secret_text: String,
    pub otpauth_uri: String,
}

/// Whether the signed-in customer has an authenticator app.
#[server(endpoint = "authenticator")]
pub async fn authenticator_status() -> Result<AuthenticatorView, AppError> {
    use crate::server::account::authenticator as service;
    use crate::server::{db::authenticator, Ctx};
    use time::format_description::well_known::Rfc3339;
    let ctx = Ctx::current();
    let user = ctx.user().await?;
    let app = authenticator::find(&ctx.state.pool, user.user_id).await?;
    let setting_up = match (&app, user.sudo(ctx.now)) {
        (Some(app), Ok(sudo)) => service::waiting_setup(&ctx, &sudo, app)
            .await?
            .map(Into::into),
        _ => None,
    };
    Ok(AuthenticatorView {
        added_at: app
            .and_then(|a| a.confirmed_at)
            .and_then(|t| t.format(&Rfc3339).ok()),
        setting_up,
    })
}

/// Set up: a new secret, shown as a QR code and as text. Needs sudo mode.
#[server(endpoint = "setup-authenticator")]
pub async fn setup_authenticator() -> Result<AuthenticatorSetup, AppError> {
    use crate::server::{account::authenticator, Ctx};
    let ctx = Ctx::current();
    let user = ctx.user().await?;
    Ok(authenticator::begin_setup(&ctx, &user.sudo(ctx.now)?)
        .await?
        .into())
}

#[cfg(feature = "ssr")]
impl From<crate::server::account::authenticator::Setup> for AuthenticatorSetup {
    fn from(s: crate::server::account::authenticator::Setup) -> Self {
        Self {
            qr_svg: s.qr_svg,
            secret_text: s.secret_text,
            otpauth_uri: s.otpauth_uri,
        }
    }
}

/// "Code from the app": saves the app and turns two-factor authentication on.
#[server(endpoint = "confirm-authenticator")]
pub async fn confirm_authenticator(code: String) -> Result<(), AppError> {
    use crate::domain::OtpCode;
    use crate::server::{account::authenticator, Ctx};
    let ctx = Ctx::current();
    let user = ctx.user().await?;
    let code = OtpCode::parse(&code).map_err(|e| AppError::invalid("app_code", e))?;
    authenticator::confirm_setup(&ctx, &user, &code).await?;
    let notice = crate::notice::Notice::AppSetUp;
    crate::server::platform::flash::set(&ctx.state.settings, notice, "");
    Ok(())
}

/// Remove the app. Needs sudo mode.
#[server(endpoint = "remove-authenticator")]
pub async fn remove_authenticator() -> Result<(), AppError> {
    use crate::server::{account::authenticator, Ctx};
    let ctx = Ctx::current();
    let user = ctx.user().await?;
    Ok(authenticator::remove(&ctx, &user.sudo(ctx.now)?).await?)
}
