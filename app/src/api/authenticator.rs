//! Account › Security › Authenticator app.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The app's state on the Security tab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthenticatorView {
    /// When the confirmed app was added (RFC 3339), if there is one.
    pub added_at: Option<String>,
}

/// What "Set up" shows: the QR code (SVG made on the server) and the typed secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthenticatorSetup {
    pub qr_svg: String,
    pub secret_text: String,
    pub otpauth_uri: String,
}

#[cfg(feature = "ssr")]
fn map_error(e: crate::server::authenticator::AuthenticatorError) -> AppError {
    use crate::server::authenticator::AuthenticatorError as E;
    use crate::server::respond;
    match e {
        E::SudoRequired => AppError::SudoRequired,
        E::NoKey => AppError::invalid(
            "app_code",
            "The authenticator app isn't available on this server yet.",
        ),
        E::AlreadySetUp => AppError::invalid(
            "app_code",
            "An authenticator app is already set up. Remove it first to set up another.",
        ),
        E::NothingToConfirm => AppError::NothingToConfirm,
        E::WrongCode => AppError::invalid(
            "app_code",
            "That code isn't right. Enter the 6-digit code your app shows now.",
        ),
        E::Database(e) => respond::from_db("authenticator app", e),
        other => respond::internal("authenticator app", other),
    }
}

/// Whether the signed-in customer has an authenticator app.
#[server(endpoint = "authenticator")]
pub async fn authenticator_status() -> Result<AuthenticatorView, AppError> {
    use crate::server::{db::authenticator, respond};
    use time::format_description::well_known::Rfc3339;
    respond::finish(
        async {
            let (state, user) = crate::server::require_user().await?;
            let app = authenticator::find(&state.pool, user.user_id)
                .await
                .map_err(|e| respond::from_db("authenticator app", e))?;
            Ok(AuthenticatorView {
                added_at: app
                    .and_then(|a| a.confirmed_at)
                    .and_then(|t| t.format(&Rfc3339).ok()),
            })
        }
        .await,
    )
}

/// Set up: a new secret, shown as a QR code and as text. Needs sudo mode.
#[server(endpoint = "setup-authenticator")]
pub async fn setup_authenticator() -> Result<AuthenticatorSetup, AppError> {
    use crate::server::{authenticator, respond};
    respond::finish(
        async {
            let (state, user) = crate::server::require_user().await?;
            let setup = authenticator::begin_setup(&state, &user)
                .await
                .map_err(map_error)?;
            Ok(AuthenticatorSetup {
                qr_svg: setup.qr_svg,
                secret_text: setup.secret_text,
                otpauth_uri: setup.otpauth_uri,
            })
        }
        .await,
    )
}

/// "Code from the app": saves the app and turns two-factor authentication on.
#[server(endpoint = "confirm-authenticator")]
pub async fn confirm_authenticator(code: String) -> Result<(), AppError> {
    use crate::domain::OtpCode;
    use crate::server::{authenticator, respond};
    respond::finish(
        async {
            let (state, user) = crate::server::require_user().await?;
            let code = OtpCode::parse(&code).map_err(|e| AppError::invalid("app_code", e))?;
            authenticator::confirm_setup(&state, &user, &crate::server::client_info(), &code)
                .await
                .map_err(map_error)
        }
        .await,
    )
}

/// Remove the app. Needs sudo mode.
#[server(endpoint = "remove-authenticator")]
pub async fn remove_authenticator() -> Result<(), AppError> {
    use crate::server::{authenticator, respond};
    respond::finish(
        async {
            let (state, user) = crate::server::require_user().await?;
            authenticator::remove(&state, &user, &crate::server::client_info())
                .await
                .map_err(map_error)
        }
        .await,
    )
}
