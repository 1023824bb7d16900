//! Change password, while signed in.

use leptos::prelude::*;

use crate::domain::Password;
use crate::error::AppError;

/// Change password (signed in): the current one, then the new one twice.
#[server(endpoint = "change-password")]
pub async fn change_password(
    current_password: Password,
    password: Password,
    password_again: Password,
) -> Result<(), AppError> {
    use crate::server::{account::password_change, Ctx};
    let ctx = Ctx::current();
    // The one thing a locked-down session may do.
    let user = ctx.user_setting_new_password().await?;
    let (current, again) = (&current_password, &password_again);
    password_change::change(&ctx, &user, current, password, again).await?;
    let notice = crate::notice::Notice::PasswordChanged;
    crate::server::platform::flash::set(&ctx.state.settings, notice, "");
    Ok(())
}
