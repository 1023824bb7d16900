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
    /// "Use a passkey" is offered (the account has one).
    pub passkey: bool,
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
impl From<crate::server::signin::Pending> for PendingSignIn {
    fn from(p: crate::server::signin::Pending) -> Self {
        PendingSignIn {
            masked_phone: p.masked_phone,
            resend_in_seconds: p.resend_in_seconds,
            attempts_left: p.attempts_left,
            sms_refused: p.sms_refused.map(|r| r.message().to_owned()),
            app: p.app,
            can_text: p.can_text,
            passkey: p.passkey,
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
    use crate::server::signin::{self, session, PasswordOutcome};
    let ctx = crate::server::Ctx::current();
    match signin::password_step(&ctx, &username, &password).await? {
        PasswordOutcome::SignedIn { cookie } => {
            session::send_cookie(cookie);
            leptos_axum::redirect(after_sign_in(next.as_deref()));
            Ok(LoginStep::SignedIn)
        }
        PasswordOutcome::CodeSent { cookie, pending } => {
            session::send_cookie(cookie);
            Ok(LoginStep::CodeSent(pending.into()))
        }
    }
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
    use crate::server::signin::{self, session};
    let ctx = crate::server::Ctx::current();
    // The field takes the texted code or, when the phone is lost, the recovery token.
    let accepted = match (OtpCode::parse(&code), RecoveryToken::parse(&code)) {
        (Ok(otp), _) => signin::verify_code(&ctx, &otp, trust_device.is_some()).await?,
        (Err(_), Ok(token)) => signin::verify_recovery(&ctx, &token).await?,
        (Err(OtpCodeError::Empty), Err(_)) => {
            return Err(AppError::invalid("code", OtpCodeError::Empty))
        }
        (Err(_), Err(_)) => {
            return Err(AppError::invalid(
                "code",
                "Enter the 6-digit code we texted you, or your recovery token.",
            ))
        }
    };
    session::send_cookie(accepted.session_cookie);
    if let Some(device) = accepted.device_cookie {
        session::send_cookie(device);
    }
    leptos_axum::redirect(after_sign_in(next.as_deref()));
    Ok(())
}

/// "Sign in with a passkey", or "Use a passkey" at the second step: the options for the
/// browser's prompt (or its autofill).
#[server(endpoint = "passkey-signin")]
pub async fn passkey_signin() -> Result<crate::api::passkeys::PasskeyChallenge, AppError> {
    let ctx = crate::server::Ctx::current();
    Ok(crate::server::signin::passkey::begin(&ctx).await?.into())
}

/// The browser's answer (`PublicKeyCredential.toJSON()` as JSON): signs in, and answers
/// where to go next.
#[server(endpoint = "passkey-verify")]
pub async fn passkey_verify(
    ceremony: String,
    credential: String,
    next: Option<String>,
) -> Result<String, AppError> {
    use crate::server::signin::{passkey, session};
    let ctx = crate::server::Ctx::current();
    let accepted = passkey::finish(&ctx, &ceremony, &credential).await?;
    session::send_cookie(accepted.session_cookie);
    // The page goes on itself (passkeys need JavaScript): where it is told to.
    Ok(after_sign_in(next.as_deref()).to_owned())
}

/// Texts a new code for the pending sign-in (after a cooldown, up to a cap).
#[server(endpoint = "resend-code")]
pub async fn resend_code() -> Result<PendingSignIn, AppError> {
    use crate::notice::Notice;
    use crate::server::platform::flash;
    let ctx = crate::server::Ctx::current();
    let pending = crate::server::signin::resend(&ctx).await?;
    flash::set(&ctx.state.settings, Notice::CodeResent, "");
    Ok(pending.into())
}

/// The pending sign-in of this browser, if any: the sign-in page shows the second step.
#[server(endpoint = "pending-signin")]
pub async fn pending_signin() -> Result<Option<PendingSignIn>, AppError> {
    let ctx = crate::server::Ctx::current();
    Ok(crate::server::signin::pending(&ctx).await?.map(Into::into))
}

/// Abandons a pending sign-in and returns to the first step.
#[server(endpoint = "cancel-signin")]
pub async fn cancel_signin() -> Result<(), AppError> {
    use crate::server::signin::{self, session};
    let ctx = crate::server::Ctx::current();
    session::send_cookie(signin::cancel(&ctx).await?);
    leptos_axum::redirect("/login");
    Ok(())
}

/// Ends the session server-side, clears the cookie and returns to the sign-in page.
#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::server::signin::session;
    let ctx = crate::server::Ctx::current();
    session::send_cookie(session::end(&ctx.state, &ctx.headers).await?);
    leptos_axum::redirect("/login");
    Ok(())
}
