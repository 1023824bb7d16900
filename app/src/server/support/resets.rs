//! Support's two-factor reset, for a customer who lost every factor. It takes effect only
//! after `Settings::support_reset_delay`; until then the customer's email link, a sign-in
//! with a working factor or "This wasn't me" cancels it. When it takes effect, one
//! transaction removes the phone, the app, passkeys, the Recovery Token and trusted
//! devices, ends every session, and marks the account to set up a factor first.

use time::OffsetDateTime;

use crate::server::crypto::tokens::SecretToken;
use crate::server::db::history::{Factor, Outcome};
use crate::server::db::support::{self, NewAudit, NewReset};
use crate::server::db::{authenticator, devices, passkeys, recovery, sessions, users};
use crate::server::messaging::notify::{self, Notice, Origin};
use crate::server::messaging::texts;
use crate::server::platform::ctx::Ctx;
use crate::server::AppState;

use super::{audit, target, Reason, Staff, SupportError};
use crate::server::account::sudo::Sudo;

/// Where the reset's email sends the customer to cancel it.
pub const CANCEL_PATH: &str = "/cancel-reset";

/// "Reset two-factor": starts the wait. Returns when it takes effect.
pub async fn start(
    ctx: &Ctx,
    staff: &Staff,
    _sudo: &Sudo<'_>,
    id: i64,
    reason: &Reason,
) -> Result<OffsetDateTime, SupportError> {
    let customer = target(ctx, staff, id).await?;
    let effective_at = ctx.now + ctx.state.settings.support_reset_delay;
    let token = SecretToken::generate();
    let mut conn = ctx.state.pool.acquire().await?;
    let new = NewReset {
        user_id: customer.id,
        staff_id: staff.user.user_id,
        reason: reason.as_str(),
        now: ctx.now,
        effective_at,
        cancel_hash: &token.hash(),
    };
    let started = support::start_reset(&mut conn, &new).await?;
    drop(conn);
    let who = Some((customer.id, customer.username.as_str()));
    let result = match started {
        Some(_) => format!("takes effect at {}", notify::when(effective_at)),
        None => "refused: one is waiting".to_owned(),
    };
    audit(
        ctx,
        staff,
        who,
        "two_factor_reset",
        reason.as_str(),
        &result,
    )
    .await?;
    if started.is_none() {
        return Err(SupportError::ResetOpen);
    }
    let cancel_url = format!(
        "{}{CANCEL_PATH}?token={}",
        texts::base_url(&ctx.state.settings),
        token.encoded()
    );
    let notice = Notice::SupportResetStarted {
        effective_at,
        cancel_url,
    };
    let outcome = Outcome::SupportResetStarted;
    super::tell_customer(ctx, &customer, outcome, Some(effective_at), notice).await;
    Ok(effective_at)
}

/// The customer's email link: cancels the reset if it has not taken effect.
pub async fn cancel_by_link(ctx: &Ctx, token: &str) -> Result<(), SupportError> {
    let token =
        SecretToken::from_cookie_value(token.trim()).ok_or(SupportError::NothingToCancel)?;
    let mut conn = ctx.state.pool.acquire().await?;
    let user_id = support::cancel_by_link(&mut conn, &token.hash(), ctx.now)
        .await?
        .ok_or(SupportError::NothingToCancel)?;
    drop(conn);
    cancelled(ctx, user_id).await;
    Ok(())
}

/// Cancels the customer's waiting reset inside `tx` (a sign-in with a working factor,
/// "This wasn't me"); the caller tells the customer with [`cancelled`] once committed.
pub async fn cancel_in(
    tx: &mut sqlx::PgConnection,
    user_id: i64,
    by: &str,
    now: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    support::cancel_for(tx, user_id, by, now).await
}

/// Records and emails a cancelled reset.
pub async fn cancelled(ctx: &Ctx, user_id: i64) {
    let name = users::profile(&ctx.state.pool, user_id)
        .await
        .ok()
        .flatten()
        .map(|p| p.username)
        .unwrap_or_default();
    let outcome = Outcome::SupportResetCancelled;
    ctx.record(Some(user_id), &name, outcome, Factor::Support)
        .await;
    let origin = Origin::of(&ctx.client, ctx.now);
    notify::notify_after(&ctx.state, user_id, Notice::SupportResetCancelled, origin).await;
}

/// Applies every reset due at `now`, one transaction each; returns how many. Runs in
/// every instance, from the sweeper's timer (`FOR UPDATE SKIP LOCKED` gives each reset
/// to one of them).
pub async fn apply_due(state: &AppState, now: OffsetDateTime) -> Result<usize, sqlx::Error> {
    let mut applied = 0;
    loop {
        let mut tx = state.pool.begin().await?;
        let Some(due) = support::take_due(&mut tx, now).await? else {
            return Ok(applied);
        };
        // Every factor, with the same statements that remove each one elsewhere.
        let user_id = due.user_id;
        support::require_factor_setup(&mut tx, user_id).await?;
        authenticator::remove(&mut tx, user_id).await?;
        passkeys::remove_all(&mut tx, user_id).await?;
        recovery::revoke(&mut *tx, user_id).await?;
        devices::revoke_all(&mut *tx, user_id).await?;
        sessions::delete_all_for(&mut tx, user_id, None).await?;
        let name = users::profile(&state.pool, due.user_id)
            .await?
            .map(|p| p.username)
            .unwrap_or_default();
        let staff = users::profile(&state.pool, due.staff_id)
            .await?
            .map(|p| p.username)
            .unwrap_or_default();
        support::audit(
            &mut *tx,
            &NewAudit {
                at: now,
                staff_id: due.staff_id,
                staff_username: &staff,
                customer_id: Some(due.user_id),
                customer_username: Some(&name),
                action: "two_factor_reset_applied",
                reason: "",
                ip: "",
                result: "every factor removed, every session ended",
            },
        )
        .await?;
        crate::server::db::history::record(
            &mut *tx,
            &crate::server::db::history::Attempt {
                user_id: Some(due.user_id),
                username_typed: &name,
                at: now,
                ip: "",
                user_agent: "",
                outcome: Outcome::SupportResetDone,
                factor: Factor::Support,
                locked_until: None,
            },
        )
        .await?;
        let origin = Origin {
            at: now,
            ip: String::new(),
            device: String::new(),
        };
        notify::notify(
            state,
            &mut tx,
            due.user_id,
            Notice::SupportResetDone,
            origin,
        )
        .await?;
        tx.commit().await?;
        applied += 1;
        tracing::info!(
            reset = due.id,
            user_id = due.user_id,
            "support's two-factor reset applied"
        );
    }
}
