//! Account › Security › Recovery Token: its state, creating it (shown once), revoking it.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The Recovery Token's state on the Security tab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryView {
    /// When the current token was created (RFC 3339), if there is one.
    pub created_at: Option<String>,
    /// A token was used to sign in and no new one has been created since.
    pub used: bool,
}

/// The signed-in customer's recovery token status (never the token).
#[server(endpoint = "recovery-status")]
pub async fn recovery_status() -> Result<RecoveryView, AppError> {
    use crate::server::{db::recovery, Ctx};
    use time::format_description::well_known::Rfc3339;
    let ctx = Ctx::current();
    let user = ctx.user().await?;
    let s = recovery::status(&ctx.state.pool, user.user_id).await?;
    Ok(RecoveryView {
        created_at: s.created_at.and_then(|t| t.format(&Rfc3339).ok()),
        used: s.used_at.is_some(),
    })
}

/// Creates a new Recovery Token (the old one stops working) and returns it, grouped, for
/// the only time it is ever shown. Needs sudo mode.
#[server(endpoint = "create-recovery-token")]
pub async fn create_recovery_token() -> Result<String, AppError> {
    use crate::server::{account::recovery_token, Ctx};
    let ctx = Ctx::current();
    let user = ctx.user().await?;
    let token = recovery_token::create(&ctx, &user.sudo(ctx.now)?).await?;
    Ok(token.grouped())
}

/// Revokes the Recovery Token. Needs sudo mode.
#[server(endpoint = "revoke-recovery-token")]
pub async fn revoke_recovery_token() -> Result<(), AppError> {
    use crate::server::{account::recovery_token, Ctx};
    let ctx = Ctx::current();
    let user = ctx.user().await?;
    Ok(recovery_token::revoke(&ctx, &user.sudo(ctx.now)?).await?)
}
