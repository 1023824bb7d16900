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
    use crate::server::db::devices;
    use crate::server::respond;
    use time::format_description::well_known::Rfc3339;

    respond::finish(
        async {
            let (state, user) = crate::server::require_user().await?;
            let list = devices::list(&state.pool, user.user_id, state.clock.now())
                .await
                .map_err(|e| respond::from_db("listing trusted devices", e))?;
            Ok(list
                .into_iter()
                .map(|d| DeviceView {
                    id: d.id,
                    device: d.device,
                    ip: d.ip,
                    created_at: d.created_at.format(&Rfc3339).unwrap_or_default(),
                    last_used_at: d.last_used_at.format(&Rfc3339).unwrap_or_default(),
                    expires_at: d.expires_at.format(&Rfc3339).unwrap_or_default(),
                })
                .collect())
        }
        .await,
    )
}

/// Stops trusting one device: it will be asked for a code at its next sign-in.
#[server(endpoint = "revoke-device")]
pub async fn revoke_device(id: i64) -> Result<(), AppError> {
    use crate::server::db::devices;
    use crate::server::respond;

    respond::finish(
        async {
            let (state, user) = crate::server::require_user().await?;
            devices::revoke(&state.pool, user.user_id, id)
                .await
                .map_err(|e| respond::from_db("revoking a trusted device", e))?;
            Ok(())
        }
        .await,
    )
}

/// Stops trusting every device of the account.
#[server(endpoint = "revoke-all-devices")]
pub async fn revoke_all_devices() -> Result<(), AppError> {
    use crate::server::db::devices;
    use crate::server::respond;

    respond::finish(
        async {
            let (state, user) = crate::server::require_user().await?;
            devices::revoke_all(&state.pool, user.user_id)
                .await
                .map_err(|e| respond::from_db("revoking trusted devices", e))?;
            Ok(())
        }
        .await,
    )
}
