//! Signing in and out: the password step, the texted code, resends, log out.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::Password;
use crate::error::AppError;

/// Where a successful sign-in lands.
pub const AFTER_SIGN_IN: &str = "/account/security";

/// Where a sign-in lands: the `next` path it was sent from, if that is a local path,
/// else the Security tab. Never another site.
pub fn after_sign_in(next: Option<&str>) -> &str {
    next.and_then(crate::domain::local_path)
        .unwrap_or(AFTER_SIGN_IN)
}

/// A sign-in waiting for the texted code, as the second-step form shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingSignIn {
    /// The phone the code went to, e.g. "•••• 1234".
    pub masked_phone: String,
    /// Seconds until "Resend code" is allowed.
    pub resend_in_seconds: u32,
    /// Wrong codes left before this sign-in is over.
    pub attempts_left: u32,
    /// Why no code was texted, when none could be (the recovery token still works).
    pub sms_refused: Option<String>,
    /// The authenticator app's code is asked for; nothing has been texted.
    pub app: bool,
    /// "Text me a code instead" is offered.
    pub can_text: bool,
}

/// What the password step led to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LoginStep {
    /// Signed in; the browser is being sent on.
    SignedIn,
    /// A code was texted; show the second step.
    CodeSent(PendingSignIn),
}

#[cfg(feature = "ssr")]
mod wire {
    use super::*;
    use crate::server::signin::{Pending, Request, SignInError};
    use crate::server::{client::ClientInfo, respond, AppState};

    pub fn request_parts() -> (AppState, http::request::Parts) {
        (
            expect_context::<AppState>(),
            expect_context::<http::request::Parts>(),
        )
    }

    pub fn request<'a>(state: &'a AppState, parts: &'a http::request::Parts) -> Request<'a> {
        Request {
            state,
            headers: &parts.headers,
            client: ClientInfo::from_parts(parts, &state.settings),
        }
    }

    pub fn pending(p: Pending) -> PendingSignIn {
        PendingSignIn {
            masked_phone: p.masked_phone,
            resend_in_seconds: p.resend_in_seconds,
            attempts_left: p.attempts_left,
            sms_refused: p.sms_refused.map(|r| r.message().to_owned()),
            app: p.app,
            can_text: p.can_text,
        }
    }

    pub fn error(e: SignInError) -> AppError {
        match e {
            SignInError::InvalidCredentials => AppError::InvalidCredentials,
            SignInError::NoPendingSignIn => AppError::SignInExpired,
            SignInError::WrongCode { attempts_left } => AppError::WrongCode { attempts_left },
            SignInError::CodeExpired => AppError::CodeExpired,
            SignInError::TooManyAttempts => AppError::TooManyAttempts,
            SignInError::ResendTooSoon { wait_seconds } => AppError::ResendTooSoon { wait_seconds },
            SignInError::ResendLimit => AppError::ResendLimit,
            SignInError::SmsRefused(r) => AppError::SmsRefused(r.message().to_owned()),
            SignInError::Sms(cause) => {
                tracing::error!(%cause, "sending a sign-in code");
                AppError::SmsFailed
            }
            SignInError::Database(e) => respond::from_db("sign-in", e),
            SignInError::Hash(e) => respond::from_hash("sign-in", e),
        }
    }
}

/// Step 1: username and password. Signs in straight away when 2FA is off or this browser
/// is a trusted device of the account; otherwise texts a code and starts a pending sign-in.
#[server(endpoint = "login")]
pub async fn login(
    username: String,
    password: Password,
    next: Option<String>,
) -> Result<LoginStep, AppError> {
    use crate::server::{respond, session, signin};

    let (state, parts) = wire::request_parts();
    let req = wire::request(&state, &parts);
    respond::finish(
        match signin::password_step(&req, &username, &password).await {
            Ok(signin::PasswordOutcome::SignedIn { cookie }) => {
                session::send_cookie(cookie);
                leptos_axum::redirect(after_sign_in(next.as_deref()));
                Ok(LoginStep::SignedIn)
            }
            Ok(signin::PasswordOutcome::CodeSent { cookie, pending }) => {
                session::send_cookie(cookie);
                Ok(LoginStep::CodeSent(wire::pending(pending)))
            }
            Err(e) => Err(wire::error(e)),
        },
    )
}

/// Step 2: the texted code (`123456`, `123 456` or `123-456`), and whether to trust this
/// device for 30 days (the checkbox sends `on`).
#[server(endpoint = "verify-code")]
pub async fn verify_code(
    code: String,
    trust_device: Option<String>,
    next: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::{OtpCode, OtpCodeError, RecoveryToken};
    use crate::server::{respond, session, signin};

    let (state, parts) = wire::request_parts();
    let req = wire::request(&state, &parts);
    respond::finish(
        async {
            // The field takes the texted code or, when the phone is lost, the recovery token.
            let accepted = match (OtpCode::parse(&code), RecoveryToken::parse(&code)) {
                (Ok(otp), _) => signin::verify_code(&req, &otp, trust_device.is_some()).await,
                (Err(_), Ok(token)) => signin::verify_recovery(&req, &token).await,
                (Err(OtpCodeError::Empty), Err(_)) => {
                    return Err(AppError::invalid("code", OtpCodeError::Empty))
                }
                (Err(_), Err(_)) => {
                    return Err(AppError::invalid(
                        "code",
                        "Enter the 6-digit code we texted you, or your recovery token.",
                    ))
                }
            }
            .map_err(wire::error)?;
            session::send_cookie(accepted.session_cookie);
            if let Some(device) = accepted.device_cookie {
                session::send_cookie(device);
            }
            leptos_axum::redirect(after_sign_in(next.as_deref()));
            Ok(())
        }
        .await,
    )
}

/// Texts a new code for the pending sign-in (after a cooldown, up to a cap).
#[server(endpoint = "resend-code")]
pub async fn resend_code() -> Result<PendingSignIn, AppError> {
    use crate::server::{respond, signin};

    let (state, parts) = wire::request_parts();
    let req = wire::request(&state, &parts);
    respond::finish(
        signin::resend(&req)
            .await
            .map(wire::pending)
            .map_err(wire::error),
    )
}

/// The pending sign-in of this browser, if any: the sign-in page shows the second step.
#[server(endpoint = "pending-signin")]
pub async fn pending_signin() -> Result<Option<PendingSignIn>, AppError> {
    use crate::server::{respond, signin};

    let (state, parts) = wire::request_parts();
    let req = wire::request(&state, &parts);
    respond::finish(
        signin::pending(&req)
            .await
            .map(|p| p.map(wire::pending))
            .map_err(wire::error),
    )
}

/// Abandons a pending sign-in and returns to the first step.
#[server(endpoint = "cancel-signin")]
pub async fn cancel_signin() -> Result<(), AppError> {
    use crate::server::{respond, session, signin};

    let (state, parts) = wire::request_parts();
    let req = wire::request(&state, &parts);
    respond::finish(
        async {
            session::send_cookie(signin::cancel(&req).await.map_err(wire::error)?);
            leptos_axum::redirect("/login");
            Ok(())
        }
        .await,
    )
}

/// Ends the session server-side, clears the cookie and returns to the sign-in page.
#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::server::{respond, session, AppState};

    let state = expect_context::<AppState>();
    let headers = expect_context::<http::request::Parts>().headers;
    respond::finish(
        async {
            let cookie = session::end(&state, &headers)
                .await
                .map_err(|e| respond::from_db("ending a session", e))?;
            session::send_cookie(cookie);
            leptos_axum::redirect("/login");
            Ok(())
        }
        .await,
    )
}
