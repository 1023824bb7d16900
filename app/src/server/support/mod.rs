//! The support console (issue #17): staff find a customer by an exact name, address or
//! number and act for a customer who is locked out — unlock, send a reset link, start a
//! two-factor reset that waits — each with a written reason, in sudo mode, audited in an
//! append-only table and emailed to the customer. Staff never see a secret, never set a
//! password, and cannot act on another staff account.
//!
//! Customers (and visitors) get [`SupportError::NotFound`] from everything here: the
//! console answers as if it did not exist.

pub mod resets;

use time::OffsetDateTime;

use crate::domain::{EmailAddress, PhoneNumber, Username};
use crate::error::AppError;
use crate::server::account::sudo::Sudo;
use crate::server::db::history::{self, Factor, Outcome};
use crate::server::db::support::{self, AuditRow, Customer, NewAudit, OpenReset};
use crate::server::db::{rate_limits, throttles};
use crate::server::forgot::ForgotError;
use crate::server::messaging::notify::{self, Notice, Origin};
use crate::server::platform::ctx::Ctx;
use crate::server::platform::respond::{unexpected_from, Unexpected};
use crate::server::signin::session::User;
use crate::server::signin::throttle;

/// Why a console request was refused.
#[derive(Debug, thiserror::Error)]
pub enum SupportError {
    /// Not staff, not signed in, or no such customer: the console does not exist.
    #[error("not found")]
    NotFound,
    /// Staff signed in with a texted code, a trusted device or the password alone.
    #[error("staff must sign in with an authenticator app or a passkey")]
    WeakSignIn { has_strong_factor: bool },
    #[error("a recent password is needed")]
    SudoRequired,
    #[error("no reason given")]
    NoReason,
    #[error("reason too long")]
    ReasonTooLong,
    #[error("too many searches")]
    TooManySearches,
    #[error("a two-factor reset is already waiting")]
    ResetOpen,
    #[error("no reset to cancel")]
    NothingToCancel,
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

unexpected_from!(SupportError);

impl From<SupportError> for AppError {
    fn from(e: SupportError) -> Self {
        use SupportError as E;
        match e {
            E::NotFound => AppError::NotFound,
            E::WeakSignIn {
                has_strong_factor: true,
            } => AppError::Forbidden(
                "The support console needs a sign-in with your authenticator app or a passkey. \
                 Log out, then sign in with one of them."
                    .into(),
            ),
            E::WeakSignIn {
                has_strong_factor: false,
            } => AppError::Forbidden(
                "The support console needs an authenticator app or a passkey. Set one up under \
                 Account › Security, then sign in with it."
                    .into(),
            ),
            E::SudoRequired => AppError::SudoRequired,
            E::NoReason => AppError::invalid("reason", "Write why you are doing this."),
            E::ReasonTooLong => {
                AppError::invalid("reason", "Keep the reason under 500 characters.")
            }
            E::TooManySearches => AppError::invalid(
                "query",
                "You've made many searches in the last hour. Try again later.",
            ),
            E::ResetOpen => AppError::invalid(
                "reason",
                "A two-factor reset is already waiting for this customer.",
            ),
            E::NothingToCancel => AppError::invalid(
                "token",
                "This reset link is no longer valid: the reset was cancelled or has taken effect.",
            ),
            E::Unexpected(e) => e.into(),
        }
    }
}

impl From<ForgotError> for SupportError {
    fn from(e: ForgotError) -> Self {
        match e {
            ForgotError::Unexpected(e) => Self::Unexpected(e),
            other => {
                tracing::error!(error = %other, "support's reset link");
                Self::NotFound
            }
        }
    }
}

/// A staff member, signed in with a strong factor.
pub struct Staff {
    pub user: User,
    pub username: String,
}

impl Staff {
    /// Sudo mode, which every action needs.
    pub fn sudo(&self, now: OffsetDateTime) -> Result<Sudo<'_>, SupportError> {
        self.user.sudo(now).map_err(|_| SupportError::SudoRequired)
    }
}

/// The staff member behind this request. Everyone else gets `NotFound`.
pub async fn staff(ctx: &Ctx) -> Result<Staff, SupportError> {
    let user = match ctx.user().await {
        Ok(user) => user,
        Err(AppError::Unavailable) => {
            return Err(Unexpected::Database(sqlx::Error::PoolTimedOut).into())
        }
        Err(_) => return Err(SupportError::NotFound),
    };
    let pool = &ctx.state.pool;
    let Some(username) = support::staff_username(pool, user.user_id).await? else {
        return Err(SupportError::NotFound);
    };
    if !matches!(user.factor.as_str(), "authenticator_app" | "passkey") {
        let has_strong_factor = support::has_strong_factor(pool, user.user_id).await?;
        return Err(SupportError::WeakSignIn { has_strong_factor });
    }
    Ok(Staff { user, username })
}

/// A written reason for an action: 1–500 characters.
pub struct Reason(String);

impl Reason {
    pub fn parse(raw: &str) -> Result<Self, SupportError> {
        let text = raw.trim();
        if text.is_empty() {
            return Err(SupportError::NoReason);
        }
        if text.chars().count() > 500 {
            return Err(SupportError::ReasonTooLong);
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A customer found by a search.
pub struct Hit {
    pub id: i64,
    pub username: String,
}

/// Finds customers by an exact username, email address or full phone number; partial
/// input finds nothing. Rate-limited per staff member; each search is audited.
pub async fn search(ctx: &Ctx, staff: &Staff, query: &str) -> Result<Vec<Hit>, SupportError> {
    let pool = &ctx.state.pool;
    let key = format!("support-search:{}", staff.user.user_id);
    let cap = ctx.state.settings.support_searches_per_hour;
    let mut conn = pool.acquire().await?;
    if rate_limits::reserve(&mut conn, &key, time::Duration::hours(1), ctx.now, cap)
        .await?
        .is_none()
    {
        return Err(SupportError::TooManySearches);
    }
    drop(conn);
    let query: String = query.trim().chars().take(200).collect();
    let username = Username::parse(&query).ok();
    let email = query
        .contains('@')
        .then(|| EmailAddress::parse(&query).ok())
        .flatten();
    // A full number in international form; anything shorter is no number.
    let phone = query
        .starts_with('+')
        .then(|| PhoneNumber::parse_international(&query).ok())
        .flatten();
    let found = support::find_customer(
        pool,
        username.as_ref().map(Username::as_str),
        email.as_ref().map(EmailAddress::as_str),
        phone.as_ref().map(PhoneNumber::as_str),
    )
    .await?;
    let hits: Vec<Hit> = found
        .into_iter()
        .map(|(id, username)| Hit { id, username })
        .collect();
    // One row per customer found (what lets this staff member open them), or one saying
    // nothing was.
    if hits.is_empty() {
        audit(ctx, staff, None, "search", &query, "none found").await?;
    }
    for hit in &hits {
        let who = Some((hit.id, hit.username.as_str()));
        audit(ctx, staff, who, "search", &query, "found").await?;
    }
    Ok(hits)
}

/// How long a search lets its staff member open the customers it found.
const FOUND_FOR: time::Duration = time::Duration::hours(4);

/// What the console shows of one customer.
pub struct CustomerView {
    pub customer: Customer,
    pub locked_until: Option<OffsetDateTime>,
    pub open_reset: Option<OpenReset>,
    pub history: Vec<history::Row>,
    pub audit: Vec<AuditRow>,
}

/// The customer `id`, if it is a customer this staff member found by a search in the
/// last [`FOUND_FOR`]. Viewing is audited.
pub async fn view(ctx: &Ctx, staff: &Staff, id: i64) -> Result<CustomerView, SupportError> {
    let pool = &ctx.state.pool;
    let customer = target(ctx, staff, id).await?;
    let name = throttle::normalise(&customer.username);
    let locked_until = throttles::locked_until(pool, &name, ctx.now).await?;
    let open_reset = support::open_reset(pool, id).await?;
    let mut history = history::page(pool, id, 0, 50).await?;
    history.truncate(50);
    let audit_rows = support::audit_rows(pool, Some(id), None, 50).await?;
    let target = Some((customer.id, customer.username.as_str()));
    audit(ctx, staff, target, "view", "", "shown").await?;
    Ok(CustomerView {
        customer,
        locked_until,
        open_reset,
        history,
        audit: audit_rows,
    })
}

/// The customers this staff member found in the last [`FOUND_FOR`], the most recently
/// found first: the ones they may open.
pub async fn found_recently(ctx: &Ctx, staff: &Staff) -> Result<Vec<Hit>, SupportError> {
    let since = ctx.now - FOUND_FOR;
    let found = support::found_since(&ctx.state.pool, staff.user.user_id, since).await?;
    Ok(found
        .into_iter()
        .map(|(id, username)| Hit { id, username })
        .collect())
}

/// A staff member's own actions, or another's, newest first.
pub async fn actions_of(
    ctx: &Ctx,
    _staff: &Staff,
    staff_id: i64,
) -> Result<Vec<AuditRow>, SupportError> {
    Ok(support::audit_rows(&ctx.state.pool, None, Some(staff_id), 200).await?)
}

/// Appends the audit row of an action.
async fn audit(
    ctx: &Ctx,
    staff: &Staff,
    customer: Option<(i64, &str)>,
    action: &str,
    reason: &str,
    result: &str,
) -> Result<(), sqlx::Error> {
    let ip = ctx.client.ip_text();
    support::audit(
        &ctx.state.pool,
        &NewAudit {
            at: ctx.now,
            staff_id: staff.user.user_id,
            staff_username: &staff.username,
            customer_id: customer.map(|c| c.0),
            customer_username: customer.map(|c| c.1),
            action,
            reason,
            ip: &ip,
            result,
        },
    )
    .await
}

/// The customer a page or an action is about: a customer this staff member found by a
/// search lately, or nothing at all (so walking ids lists nobody).
async fn target(ctx: &Ctx, staff: &Staff, id: i64) -> Result<Customer, SupportError> {
    let pool = &ctx.state.pool;
    let since = ctx.now - FOUND_FOR;
    if !support::found_by(pool, staff.user.user_id, id, since).await? {
        return Err(SupportError::NotFound);
    }
    support::customer(pool, id)
        .await?
        .ok_or(SupportError::NotFound)
}

/// After an action: the row in the customer's Login History and the email.
async fn tell_customer(
    ctx: &Ctx,
    customer: &Customer,
    outcome: Outcome,
    until: Option<OffsetDateTime>,
    notice: Notice,
) {
    let (id, name) = (Some(customer.id), customer.username.as_str());
    ctx.record_with(id, name, outcome, Factor::Support, until)
        .await;
    let origin = Origin::of(&ctx.client, ctx.now);
    notify::notify_after(&ctx.state, customer.id, notice, origin).await;
}

/// "Unlock": clears the lock on the customer's name (and its count of failures); the
/// Login History stays.
pub async fn unlock(
    ctx: &Ctx,
    staff: &Staff,
    _sudo: &Sudo<'_>,
    id: i64,
    reason: &Reason,
) -> Result<(), SupportError> {
    let customer = target(ctx, staff, id).await?;
    let name = throttle::normalise(&customer.username);
    let was_locked = throttles::locked_until(&ctx.state.pool, &name, ctx.now)
        .await?
        .is_some();
    throttles::clear(&ctx.state.pool, &name).await?;
    let result = if was_locked {
        "unlocked"
    } else {
        "was not locked"
    };
    let who = Some((customer.id, customer.username.as_str()));
    audit(ctx, staff, who, "unlock", reason.as_str(), result).await?;
    tell_customer(
        ctx,
        &customer,
        Outcome::SupportUnlocked,
        None,
        Notice::SupportUnlocked,
    )
    .await;
    Ok(())
}

/// "Send a password reset link" to the address on file: the customer's own Forgot
/// Password flow, within its caps. Staff never see or set a password.
pub async fn send_reset_link(
    ctx: &Ctx,
    staff: &Staff,
    _sudo: &Sudo<'_>,
    id: i64,
    reason: &Reason,
) -> Result<bool, SupportError> {
    let customer = target(ctx, staff, id).await?;
    let name = Username::parse(&customer.username).map_err(|_| SupportError::NotFound)?;
    let sent = crate::server::forgot::send_link_for(ctx, &name).await?;
    let result = if sent {
        "sent"
    } else {
        "refused: the hourly cap"
    };
    let who = Some((customer.id, customer.username.as_str()));
    audit(ctx, staff, who, "reset_link", reason.as_str(), result).await?;
    if sent {
        let notice = Notice::SupportResetLinkSent;
        tell_customer(ctx, &customer, Outcome::SupportResetLink, None, notice).await;
    }
    Ok(sent)
}
