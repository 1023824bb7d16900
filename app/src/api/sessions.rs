//! Account › Security › Where you're signed in.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A signed-in session as the card lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub id: i64,
    /// Browser and system, e.g. "Chrome on Linux".
    pub device: String,
    pub ip: String,
    /// How it signed in: "Password", "SMS code", "Trusted device", …
    pub factor: String,
    /// RFC 3339 times, shown in the browser's time zone.
    pub signed_in_at: String,
    pub last_active_at: String,
    /// The session of this browser.
    pub current: bool,
}

/// The signed-in customer's live sessions, this one first.
#[server(endpoint = "sessions")]
pub async fn signed_in_sessions() -> Result<Vec<SessionView>, AppError> {
    use crate::api::history::factor_label;
    use crate::server::platform::client::describe_device;
    use crate::server::{account::sessions, Ctx};
    use time::format_description::well_known::Rfc3339;
    let ctx = Ctx::current();
    let user = ctx.user().await?;
    let at = |t: time::OffsetDateTime| t.format(&Rfc3339).unwrap_or_default();
    Ok(sessions::list(&ctx, &user)
        .await?
        .into_iter()
        .map(|s| SessionView {
            id: s.id,
            device: describe_device(&s.user_agent),
            ip: s.ip,
            factor: factor_label(&s.factor).to_owned(),
            signed_in_at: at(s.created_at),
            last_active_at: at(s.last_seen_at),
            current: s.current,
        })
        .collect())
}

/// Signs out one session of the account; its next request finds itself signed out.
#[server(endpoint = "sign-out-session")]
pub async fn sign_out_session(id: i64) -> Result<(), AppError> {
    use crate::server::{account::sessions, Ctx};
    let ctx = Ctx::current();
    let user = ctx.user().await?;
    Ok(sessions::sign_out(&ctx, &user, id).await?)
}

/// Signs out every session of the account but this one.
#[server(endpoint = "sign-out-other-sessions")]
pub async fn sign_out_other_sessions() -> Result<(), AppError> {
    use crate::server::{account::sessions, Ctx};
    let ctx = Ctx::current();
    let user = ctx.user().await?;
    Ok(sessions::sign_out_others(&ctx, &user).await?)
}
