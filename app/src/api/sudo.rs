//! Sudo mode: re-entering the password before a security change.

use leptos::prelude::*;

use crate::domain::Password;
use crate::error::AppError;

/// Re-enter the password to make sensitive changes for the next 10 minutes.
#[server(endpoint = "confirm-password")]
pub async fn confirm_password(password: Password) -> Result<(), AppError> {
    use crate::server::{account::sudo, Ctx};
    let ctx = Ctx::current();
    let user = ctx.user().await?;
    Ok(sudo::reauthenticate(&ctx, &user, &password).await?)
}
