//! Account › Security › Passkeys.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A passkey as the Security tab lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyView {
    pub id: i64,
    pub name: String,
    /// RFC 3339 times, shown in the browser's time zone.
    pub created_at: String,
    pub last_used_at: Option<String>,
    /// Backup eligible: the passkey is synced between the customer's devices (a password
    /// manager's), rather than bound to one security key or device.
    pub synced: bool,
}

/// The Passkeys card: whether the server offers passkeys, and the account's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeysView {
    pub available: bool,
    pub passkeys: Vec<PasskeyView>,
}

/// A ceremony begun: its id (sent back with the answer) and the options for
/// `navigator.credentials`, as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyChallenge {
    pub ceremony: String,
    pub options: String,
}

#[cfg(feature = "ssr")]
impl From<crate::server::crypto::webauthn::Started> for PasskeyChallenge {
    fn from(s: crate::server::crypto::webauthn::Started) -> Self {
        Self {
            ceremony: s.ceremony,
            options: s.options,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<crate::server::db::passkeys::Listed> for PasskeyView {
    fn from(p: crate::server::db::passkeys::Listed) -> Self {
        use time::format_description::well_known::Rfc3339;
        let at = |t: time::OffsetDateTime| t.format(&Rfc3339).unwrap_or_default();
        Self {
            id: p.id,
            name: p.name,
            created_at: at(p.created_at),
            last_used_at: p.last_used_at.map(at),
            synced: p.backup_eligible,
        }
    }
}

/// The signed-in customer's passkeys.
#[server(endpoint = "passkeys")]
pub async fn passkeys() -> Result<PasskeysView, AppError> {
    use crate::server::{account::passkeys, Ctx};
    let ctx = Ctx::current();
    let user = ctx.user().await?;
    let list = passkeys::list(&ctx, &user).await?;
    Ok(PasskeysView {
        available: ctx.state.passkeys.is_some(),
        passkeys: list.into_iter().map(Into::into).collect(),
    })
}

/// "Add a passkey": the options for the browser's prompt. Needs sudo mode.
#[server(endpoint = "add-passkey")]
pub async fn add_passkey() -> Result<PasskeyChallenge, AppError> {
    use crate::server::{account::passkeys, Ctx};
    let ctx = Ctx::current();
    let user = ctx.user().await?;
    Ok(passkeys::begin_add(&ctx, &user.sudo(ctx.now)?)
        .await?
        .into())
}

/// The browser's answer to "Add a passkey" (`PublicKeyCredential.toJSON()` as JSON):
/// stores the passkey under a name from the device.
#[server(endpoint = "save-passkey")]
pub async fn save_passkey(ceremony: String, credential: String) -> Result<PasskeyView, AppError> {
    use crate::server::{account::passkeys, Ctx};
    let ctx = Ctx::current();
    let user = ctx.user().await?;
    let added: PasskeyView = passkeys::finish_add(&ctx, &user, &ceremony, &credential)
        .await?
        .into();
    // The page asks for its name next.
    let notice = crate::notice::Notice::PasskeyAdded;
    crate::server::platform::flash::set(&ctx.state.settings, notice, &added.id.to_string());
    Ok(added)
}

/// Renames a passkey.
#[server(endpoint = "rename-passkey")]
pub async fn rename_passkey(id: i64, name: String) -> Result<(), AppError> {
    use crate::domain::PasskeyName;
    use crate::server::{account::passkeys, Ctx};
    let ctx = Ctx::current();
    let user = ctx.user().await?;
    let name = PasskeyName::parse(&name).map_err(|e| AppError::invalid("name", e))?;
    Ok(passkeys::rename(&ctx, &user, id, &name).await?)
}

/// Removes a passkey. Needs sudo mode.
#[server(endpoint = "remove-passkey")]
pub async fn remove_passkey(id: i64) -> Result<(), AppError> {
    use crate::server::{account::passkeys, Ctx};
    let ctx = Ctx::current();
    let user = ctx.user().await?;
    Ok(passkeys::remove(&ctx, &user.sudo(ctx.now)?, id).await?)
}
