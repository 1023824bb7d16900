//! Change password, while signed in.

use crate::domain::Password;
use crate::error::AppError;
use crate::server::crypto::password_policy::{self, WeakPassword};
use crate::server::db::history::{Factor, Outcome};
use crate::server::db::{devices, password_resets, sessions, users};
use crate::server::messaging::notify::{self, Notice, Origin};
use crate::server::platform::ctx::Ctx;
use crate::server::platform::respond::{unexpected_from, Unexpected};
use crate::server::signin::session::User;
use crate::server::signin::throttle;

/// Why the password was not changed.
#[derive(Debug, thiserror::Error)]
pub enum ChangePasswordError {
    #[error("wrong current password")]
    WrongPassword,
    #[error("weak password: {0}")]
    Weak(#[from] WeakPassword),
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

unexpected_from!(ChangePasswordError);

impl From<ChangePasswordError> for AppError {
    fn from(e: ChangePasswordError) -> Self {
        match e {
            ChangePasswordError::WrongPassword => {
                AppError::invalid("current_password", "That password isn't right.")
            }
            ChangePasswordError::Weak(w) => crate::server::forgot::weak_password(w),
            ChangePasswordError::Unexpected(e) => e.into(),
        }
    }
}

/// Change password: needs the current password (checked and throttled like a sign-in,
/// which is why it needs no sudo mode); ends every other session, forgets trusted
/// devices and any reset link, and tells the account.
pub async fn change(
    ctx: &Ctx,
    user: &User,
    current: &Password,
    password: Password,
    again: &Password,
) -> Result<(), ChangePasswordError> {
    let (state, now) = (&ctx.state, ctx.now);
    let stored = users::password_hash(&state.pool, user.user_id)
        .await?
        .ok_or(ChangePasswordError::WrongPassword)?;
    let profile = users::profile(&state.pool, user.user_id)
        .await?
        .ok_or(ChangePasswordError::WrongPassword)?;
    let username = &profile.username;
    if !throttle::verify_current_password(state, username, &ctx.client, current, &stored).await? {
        return Err(ChangePasswordError::WrongPassword);
    }
    let new = password_policy::check(password, again, username)?;
    let password_hash = state.hasher.hash(new.password()).await?;

    let mut tx = state.pool.begin().await?;
    users::replace_password(&mut tx, user.user_id, &password_hash).await?;
    sessions::delete_all_for(&mut tx, user.user_id, Some(&user.session_hash)).await?;
    devices::revoke_all(&mut *tx, user.user_id).await?;
    password_resets::delete_for(&mut tx, user.user_id).await?;
    sessions::new_password_set(&mut tx, &user.session_hash).await?;
    let origin = Origin::of(&ctx.client, now);
    notify::notify(
        state,
        &mut tx,
        user.user_id,
        Notice::PasswordChanged,
        origin,
    )
    .await?;
    tx.commit().await?;
    // The password was just entered: this counts for sudo mode.
    sessions::reauthenticate(&state.pool, &user.session_hash, now).await?;

    let (outcome, factor) = (Outcome::PasswordChanged, Factor::Password);
    ctx.record(Some(user.user_id), username, outcome, factor)
        .await;
    Ok(())
}
