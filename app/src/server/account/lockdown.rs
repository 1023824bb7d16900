//! "This wasn't me": one transaction ends everything of the account but the session that
//! asked (other sessions, pending sign-ins, trusted devices, passkeys, the recovery
//! token), and that session may then only set a new password. Passkeys go too: one an
//! intruder added would otherwise sign them back in without the new password.

use crate::server::db::history::{Factor, Outcome};
use crate::server::db::{devices, passkeys, recovery, sessions, users};
use crate::server::messaging::notify::{self, Notice, Origin};
use crate::server::platform::ctx::Ctx;
use crate::server::signin::session::User;

/// Locks the account down from `user`'s session. A second call changes nothing more:
/// it is recorded and emailed once.
pub async fn lock_down(ctx: &Ctx, user: &User) -> Result<(), sqlx::Error> {
    let state = &ctx.state;
    let username = users::profile(&state.pool, user.user_id)
        .await?
        .map(|p| p.username)
        .unwrap_or_default();
    let mut tx = state.pool.begin().await?;
    // This session first: it is the one statement that tells a first lockdown from a
    // repeated one.
    let first = sessions::require_new_password(&mut tx, &user.session_hash).await?;
    sessions::delete_all_for(&mut tx, user.user_id, Some(&user.session_hash)).await?;
    devices::revoke_all(&mut *tx, user.user_id).await?;
    recovery::revoke(&mut *tx, user.user_id).await?;
    passkeys::remove_all(&mut tx, user.user_id).await?;
    let reset_cancelled =
        crate::server::support::resets::cancel_in(&mut tx, user.user_id, "this_wasnt_me", ctx.now)
            .await?;
    if first {
        let outcome = Outcome::LockedDown;
        ctx.write_attempt(
            &mut *tx,
            Some(user.user_id),
            &username,
            outcome,
            Factor::Password,
            None,
        )
        .await?;
        let origin = Origin::of(&ctx.client, ctx.now);
        notify::notify(state, &mut tx, user.user_id, Notice::LockedDown, origin).await?;
    }
    tx.commit().await?;
    if reset_cancelled {
        crate::server::support::resets::cancelled(ctx, user.user_id).await;
    }
    Ok(())
}
