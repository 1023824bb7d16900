//! Sudo mode: re-entering the password before a security change.

use leptos::prelude::*;

use crate::domain::Password;
use crate::error::AppError;

/// Re-enter the password to make sensitive changes for the next 10 minutes.
#[server(endpoint = "confirm-password")]
pub async fn confirm_password(password: Password) -> Result<(), AppError> {
    use crate::server::platform::flash;
    use crate::server::{account::sudo, Ctx};
    let ctx = Ctx::current();
    let user = ctx.user().await?;
    sudo::reauthenticate(&ctx, &user, &password).await?;
    // With JavaScript the page makes the refused change again by itself; without, the
    // customer does, told so by the page they are sent back to.
    if flash::is_plain_form_post(&ctx.headers) {
        flash::set(
            &ctx.state.settings,
            crate::notice::Notice::SudoConfirmed,
            "",
        );
    }
    Ok(())
}
