//! The signed-in customer's trusted devices.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A trusted device as the Security tab lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceView {
    pub id: i64,
    pub device: String,
    pub ip: String,
    /// RFC 3339 times, shown in the browser's time zone.
    pub created_at: String,
    pub last_used_at: String,
    pub expires_at: String,
}

/// The signed-in customer's live trusted devices.
#[server(endpoint = "trusted-devices")]
pub async fn trusted_devices() -> Result<Vec<DeviceView>, AppError> {
    use crate::server::{db::devices, Ctx};
    use time::format_description::well_known::Rfc3339;
    let ctx = Ctx::current();
    let user = ctx.user().await?;
    let list = devices::list(&ctx.state.pool, user.user_id, ctx.now).await?;
    let at = |t: time::OffsetDateTime| t.format(&Rfc3339).unwrap_or_default();
    Ok(list
        .into_iter()
        .map(|d| DeviceView {
            id: d.id,
            device: d.device,
            ip: d.ip,
            created_at: at(d.created_at),
            last_used_at: at(d.last_used_at),
            expires_at: at(d.expires_at),
        })
        .collect())
}

/// Stops trusting one device: it will be asked for a code at its next sign-in.
#[server(endpoint = "revoke-device")]
pub async fn revoke_device(id: i64) -> Result<(), AppError> {
    use crate::server::{db::devices, Ctx};
    let ctx = Ctx::current();
    let user = ctx.user().await?;
    devices::revoke(&ctx.state.pool, user.user_id, id).await?;
    Ok(())
}

/// Stops trusting every device of the account.
#[server(endpoint = "revoke-all-devices")]
pub async fn revoke_all_devices() -> Result<(), AppError> {
    use crate::server::{db::devices, Ctx};
    let ctx = Ctx::current();
    let user = ctx.user().await?;
    devices::revoke_all(&ctx.state.pool, user.user_id).await?;
    Ok(())
}
