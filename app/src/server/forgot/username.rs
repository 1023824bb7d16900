//! Forgot Username?

use super::{queue, within_caps, ForgotError};
use crate::domain::EmailAddress;
use crate::server::db::users;
use crate::server::messaging::texts;
use crate::server::platform::ctx::Ctx;

/// Forgot Username?: emails the usernames registered to `email_raw`, if any.
pub async fn remind_username(ctx: &Ctx, email_raw: &str) -> Result<(), ForgotError> {
    let email = EmailAddress::parse(email_raw)?;
    let allowed = within_caps(ctx, "forgot-username", email.as_str()).await?;
    let accounts = users::by_email(&ctx.state.pool, email.as_str()).await?;
    if !allowed || accounts.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = accounts.iter().map(|a| a.username.clone()).collect();
    let email = texts::username_reminder(&ctx.state.settings, &accounts[0].email, &names);
    // Sent after the answer, so its timing says nothing about the address.
    let state = ctx.state.clone();
    tokio::spawn(async move { queue(&state, &email).await });
    Ok(())
}
