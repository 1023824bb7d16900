//! Account › Security › Where you're signed in: the account's live sessions, and signing
//! any of them out. A session is signed in now; a trusted device only skips the texted
//! code at its next sign-in (`devices`).

use crate::server::db::sessions::{self, SignedIn};
use crate::server::platform::ctx::Ctx;
use crate::server::signin::session::User;

/// The most sessions the page lists (the current one always among them).
pub const LIST_LIMIT: i64 = 50;

/// The account's live signed-in sessions, the current one first.
pub async fn list(ctx: &Ctx, user: &User) -> Result<Vec<SignedIn>, sqlx::Error> {
    let idle_cutoff = ctx.now - ctx.state.settings.sessions.idle;
    let pool = &ctx.state.pool;
    let current = &user.session_hash;
    sessions::list_signed_in(
        pool,
        user.user_id,
        current,
        ctx.now,
        idle_cutoff,
        LIST_LIMIT,
    )
    .await
}

/// Signs out the account's session `id` at once: its next request is signed out. An id
/// of another account's session ends nothing.
pub async fn sign_out(ctx: &Ctx, user: &User, id: i64) -> Result<(), sqlx::Error> {
    sessions::delete_signed_in(&ctx.state.pool, user.user_id, id).await?;
    Ok(())
}

/// Signs out every other session of the account, pending sign-ins included; this one
/// stays.
pub async fn sign_out_others(ctx: &Ctx, user: &User) -> Result<(), sqlx::Error> {
    let mut conn = ctx.state.pool.acquire().await?;
    sessions::delete_all_for(&mut conn, user.user_id, Some(&user.session_hash)).await?;
    Ok(())
}
