//! "This wasn't me".

use leptos::prelude::*;

use crate::error::AppError;

/// Where a locked-down session sets its new password.
pub const NEW_PASSWORD_PAGE: &str = "/new-password";

/// Ends every other session and pending sign-in of the account, revokes its trusted
/// devices and Recovery Token, and leaves this session able only to set a new password
/// (where the browser is sent). Pressing it again changes nothing more.
#[server(endpoint = "this-wasnt-me")]
pub async fn lock_down() -> Result<(), AppError> {
    use crate::server::{account::lockdown, Ctx};
    let ctx = Ctx::current();
    let user = ctx.user_setting_new_password().await?;
    lockdown::lock_down(&ctx, &user).await?;
    leptos_axum::redirect(NEW_PASSWORD_PAGE);
    Ok(())
}
