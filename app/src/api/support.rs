//! The support console. Every function here answers `NotFound` to anyone but staff
//! signed in with an app or a passkey; actions also need a reason and sudo mode.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::history::AttemptView;
use crate::error::AppError;

/// The staff member using the console.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffView {
    pub id: i64,
    pub username: String,
    /// The customers their searches found in the last four hours, the latest first.
    pub found: Vec<CustomerHit>,
}

/// A customer found by a search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerHit {
    pub id: i64,
    pub username: String,
}

/// A two-factor reset waiting for its time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitingReset {
    /// RFC 3339.
    pub effective_at: String,
    pub started_by: String,
}

/// One staff action, as the console lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditView {
    pub at: String,
    pub staff_id: i64,
    pub staff: String,
    pub customer: Option<String>,
    pub action: String,
    pub reason: String,
    pub ip: String,
    pub result: String,
}

/// A customer as the console shows them: which factors exist, never a code, token, hash
/// or secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerFile {
    pub id: i64,
    pub username: String,
    pub email_masked: String,
    pub two_factor: bool,
    pub phone_masked: Option<String>,
    pub app: bool,
    pub passkeys: i32,
    pub recovery_token: bool,
    /// The reset took effect: the next sign-in sets up a factor first.
    pub must_set_up_two_factor: bool,
    /// RFC 3339, when the name's lock ends, if it is locked.
    pub locked_until: Option<String>,
    pub waiting_reset: Option<WaitingReset>,
    /// The last 50 Login History rows, newest first.
    pub history: Vec<AttemptView>,
    /// Staff actions on this customer, newest first.
    pub audit: Vec<AuditView>,
}

#[cfg(feature = "ssr")]
impl From<crate::server::support::Hit> for CustomerHit {
    fn from(h: crate::server::support::Hit) -> Self {
        Self {
            id: h.id,
            username: h.username,
        }
    }
}

#[cfg(feature = "ssr")]
fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[cfg(feature = "ssr")]
impl From<crate::server::db::support::AuditRow> for AuditView {
    fn from(r: crate::server::db::support::AuditRow) -> Self {
        Self {
            at: rfc3339(r.at),
            staff_id: r.staff_id,
            staff: r.staff_username,
            customer: r.customer_username,
            action: r.action,
            reason: r.reason,
            ip: r.ip,
            result: r.result,
        }
    }
}

/// Who is using the console (and whether they may).
#[server(endpoint = "support")]
pub async fn support_staff() -> Result<StaffView, AppError> {
    let ctx = crate::server::Ctx::current();
    let staff = crate::server::support::staff(&ctx).await?;
    let found = crate::server::support::found_recently(&ctx, &staff).await?;
    Ok(StaffView {
        id: staff.user.user_id,
        username: staff.username,
        found: found.into_iter().map(Into::into).collect(),
    })
}

/// Customers whose username, email address or full phone number is exactly `query`.
#[server(endpoint = "support-find")]
pub async fn find_customer(query: String) -> Result<Vec<CustomerHit>, AppError> {
    use crate::server::support;
    let ctx = crate::server::Ctx::current();
    let staff = support::staff(&ctx).await?;
    let hits = support::search(&ctx, &staff, &query).await?;
    if hits.is_empty() {
        let notice = crate::notice::Notice::NoCustomer;
        crate::server::platform::flash::set(&ctx.state.settings, notice, "");
    }
    Ok(hits.into_iter().map(Into::into).collect())
}

/// One customer.
#[server(endpoint = "support-customer")]
pub async fn support_customer(id: i64) -> Result<CustomerFile, AppError> {
    use crate::domain::PhoneNumber;
    use crate::server::support;
    let ctx = crate::server::Ctx::current();
    let staff = support::staff(&ctx).await?;
    let v = support::view(&ctx, &staff, id).await?;
    let c = v.customer;
    Ok(CustomerFile {
        id: c.id,
        email_masked: crate::server::messaging::texts::masked_email(&c.email),
        username: c.username,
        two_factor: c.two_factor_enabled,
        phone_masked: c.phone.map(|p| PhoneNumber::from_trusted_e164(p).masked()),
        app: c.has_app,
        passkeys: c.passkeys,
        recovery_token: c.has_recovery_token,
        must_set_up_two_factor: c.must_set_up_two_factor,
        locked_until: v.locked_until.map(rfc3339),
        waiting_reset: v.open_reset.map(|r| WaitingReset {
            effective_at: rfc3339(r.effective_at),
            started_by: r.staff_username,
        }),
        history: v
            .history
            .into_iter()
            .map(|r| AttemptView::of(r, false))
            .collect(),
        audit: v.audit.into_iter().map(Into::into).collect(),
    })
}

/// "Unlock": clears the lock on the customer's name.
#[server(endpoint = "support-unlock")]
pub async fn support_unlock(id: i64, reason: String) -> Result<(), AppError> {
    use crate::server::support::{self, Reason};
    let ctx = crate::server::Ctx::current();
    let staff = support::staff(&ctx).await?;
    let sudo = staff.sudo(ctx.now)?;
    let reason = Reason::parse(&reason)?;
    support::unlock(&ctx, &staff, &sudo, id, &reason).await?;
    let notice = crate::notice::Notice::Unlocked;
    crate::server::platform::flash::set(&ctx.state.settings, notice, "");
    Ok(())
}

/// "Send a password reset link" to the customer's address on file. `false`: the hourly
/// cap of reset links for the account was reached, nothing was sent.
#[server(endpoint = "support-reset-link")]
pub async fn support_reset_link(id: i64, reason: String) -> Result<bool, AppError> {
    use crate::server::support::{self, Reason};
    let ctx = crate::server::Ctx::current();
    let staff = support::staff(&ctx).await?;
    let sudo = staff.sudo(ctx.now)?;
    let reason = Reason::parse(&reason)?;
    let sent = support::send_reset_link(&ctx, &staff, &sudo, id, &reason).await?;
    let notice = if sent {
        crate::notice::Notice::ResetLinkSentByStaff
    } else {
        crate::notice::Notice::ResetLinkCapped
    };
    crate::server::platform::flash::set(&ctx.state.settings, notice, "");
    Ok(sent)
}

/// "Reset two-factor": starts the wait; answers when it takes effect (RFC 3339).
#[server(endpoint = "support-reset-two-factor")]
pub async fn support_reset_two_factor(id: i64, reason: String) -> Result<String, AppError> {
    use crate::server::support::{self, resets, Reason};
    let ctx = crate::server::Ctx::current();
    let staff = support::staff(&ctx).await?;
    let sudo = staff.sudo(ctx.now)?;
    let reason = Reason::parse(&reason)?;
    let at = resets::start(&ctx, &staff, &sudo, id, &reason).await?;
    let notice = crate::notice::Notice::ResetStarted;
    crate::server::platform::flash::set(&ctx.state.settings, notice, "");
    Ok(rfc3339(at))
}

/// The actions of a staff member (this one when `staff_id` is absent), newest first.
#[server(endpoint = "support-actions")]
pub async fn staff_actions(staff_id: Option<i64>) -> Result<Vec<AuditView>, AppError> {
    use crate::server::support;
    let ctx = crate::server::Ctx::current();
    let staff = support::staff(&ctx).await?;
    let of = staff_id.unwrap_or(staff.user.user_id);
    let rows = support::actions_of(&ctx, &staff, of).await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// The customer's email link: cancels support's waiting two-factor reset.
#[server(endpoint = "cancel-reset")]
pub async fn cancel_reset(token: String) -> Result<(), AppError> {
    use crate::server::{platform::flash, support::resets};
    use leptos::server_fn::ServerFn as _;
    let ctx = crate::server::Ctx::current();
    let result = resets::cancel_by_link(&ctx, &token).await;
    let page = resets::CANCEL_PATH;
    flash::back_to_token_page(&ctx.headers, page, &token, CancelReset::PATH, result)?;
    leptos_axum::redirect(&format!("{}?done", resets::CANCEL_PATH));
    Ok(())
}
