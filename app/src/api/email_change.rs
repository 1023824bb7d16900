//! Account › Profile › Email address.

use leptos::prelude::*;

use crate::error::AppError;

/// Sends a confirmation link to `new_email` (needs sudo mode); the address changes only
/// when it is followed. Returns the new address.
#[server(endpoint = "change-email")]
pub async fn change_email(new_email: String) -> Result<String, AppError> {
    use crate::server::{account::email_change, Ctx};
    let ctx = Ctx::current();
    let user = ctx.user().await?;
    let new = email_change::request(&ctx, &user.sudo(ctx.now)?, &new_email).await?;
    let notice = crate::notice::Notice::EmailLinkSent;
    crate::server::platform::flash::set(&ctx.state.settings, notice, new.as_str());
    Ok(new.as_str().to_owned())
}

/// The link from the email: makes the new address the account's.
#[server(endpoint = "confirm-email")]
pub async fn confirm_email(token: String) -> Result<(), AppError> {
    use crate::server::{account::email_change, platform::flash, Ctx};
    use leptos::server_fn::ServerFn as _;
    let ctx = Ctx::current();
    let result = email_change::confirm(&ctx, &token).await;
    let page = "/confirm-email";
    flash::back_to_token_page(&ctx.headers, page, &token, ConfirmEmail::PATH, result)?;
    leptos_axum::redirect("/confirm-email?done=1");
    Ok(())
}
