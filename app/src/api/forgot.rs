//! Forgot Username?, Forgot Password? and the reset link. The two Forgot calls answer
//! `Ok(())` whether or not an account matched; only malformed input is an error.

use leptos::prelude::*;

use crate::domain::Password;
use crate::error::AppError;

/// Forgot Username?: emails the usernames registered to `email`, if there are any.
#[server(endpoint = "forgot-username")]
pub async fn forgot_username(email: String) -> Result<(), AppError> {
    use crate::server::{forgot, platform::flash, Ctx};
    let ctx = Ctx::current();
    forgot::remind_username(&ctx, &email).await?;
    flash::set(&ctx.state.settings, crate::notice::Notice::UsernameSent, "");
    Ok(())
}

/// Forgot Password?: emails a reset link to the account named by `login` (a username or
/// an email address), if there is one.
#[server(endpoint = "forgot-password")]
pub async fn forgot_password(login: String) -> Result<(), AppError> {
    use crate::server::{forgot, platform::flash, Ctx};
    let ctx = Ctx::current();
    forgot::request_reset(&ctx, &login).await?;
    flash::set(
        &ctx.state.settings,
        crate::notice::Notice::ResetLinkSent,
        "",
    );
    Ok(())
}

/// Whether a reset link still works (it is not used up by asking).
#[server(endpoint = "reset-link")]
pub async fn reset_link_status(token: String) -> Result<bool, AppError> {
    use crate::server::{forgot, Ctx};
    Ok(forgot::link_is_live(&Ctx::current(), &token).await?)
}

/// Sets a new password from a reset link. Does not sign in.
#[server(endpoint = "reset-password")]
pub async fn reset_password(
    token: String,
    password: Password,
    password_again: Password,
) -> Result<(), AppError> {
    use crate::server::{forgot, platform::flash, Ctx};
    use leptos::server_fn::ServerFn as _;
    let ctx = Ctx::current();
    let result = forgot::reset(&ctx, &token, password, &password_again).await;
    let page = "/reset-password";
    flash::back_to_token_page(&ctx.headers, page, &token, ResetPassword::PATH, result)?;
    flash::set(
        &ctx.state.settings,
        crate::notice::Notice::PasswordReset,
        "",
    );
    // The page without its used token, which then says it is done. (Its address is
    // never sent as a Referer, so the plain form's answer could not go back to it.)
    leptos_axum::redirect("/reset-password");
    Ok(())
}
