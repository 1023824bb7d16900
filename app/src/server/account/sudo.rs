//! Sudo mode: a password proven in this session within the last 10 minutes (signing in
//! counts). Every security change takes a [`Sudo`] as an argument, and the only way to
//! get one is [`User::sudo`], so the compiler, not a runtime check in each change, makes
//! sure none happens without it.

use time::{Duration, OffsetDateTime};

use crate::domain::Password;
use crate::error::AppError;
use crate::server::db::{sessions, users};
use crate::server::platform::ctx::Ctx;
use crate::server::platform::respond::{unexpected_from, Unexpected};
use crate::server::signin::session::User;
use crate::server::signin::throttle;

/// How long a password entry keeps sensitive changes open.
pub const SUDO_WINDOW: Duration = Duration::minutes(10);

/// Proof that `user` is in sudo mode at the moment of the request.
#[derive(Debug)]
pub struct Sudo<'a> {
    user: &'a User,
}

impl Sudo<'_> {
    /// The account in sudo mode.
    pub fn user(&self) -> &User {
        self.user
    }
}

/// The password was not proven recently enough.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a recent password is needed")]
pub struct SudoRequired;

impl From<SudoRequired> for AppError {
    fn from(_: SudoRequired) -> Self {
        AppError::SudoRequired
    }
}

impl User {
    /// Sudo mode, if the password was proven in this session within [`SUDO_WINDOW`].
    pub fn sudo(&self, now: OffsetDateTime) -> Result<Sudo<'_>, SudoRequired> {
        if now - self.authenticated_at < SUDO_WINDOW {
            Ok(Sudo { user: self })
        } else {
            Err(SudoRequired)
        }
    }
}

/// Why re-entering the password did not open sudo mode.
#[derive(Debug, thiserror::Error)]
pub enum ReauthError {
    #[error("wrong password")]
    WrongPassword,
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

unexpected_from!(ReauthError);

impl From<ReauthError> for AppError {
    fn from(e: ReauthError) -> Self {
        match e {
            ReauthError::WrongPassword => {
                AppError::invalid("password", "That password isn't right.")
            }
            ReauthError::Unexpected(e) => e.into(),
        }
    }
}

/// Re-entering the password opens sudo mode for 10 minutes in this session. The check
/// is throttled like a sign-in.
pub async fn reauthenticate(
    ctx: &Ctx,
    user: &User,
    password: &Password,
) -> Result<(), ReauthError> {
    let state = &ctx.state;
    let hash = users::password_hash(&state.pool, user.user_id)
        .await?
        .ok_or(ReauthError::WrongPassword)?;
    let username = users::profile(&state.pool, user.user_id)
        .await?
        .map(|p| p.username)
        .unwrap_or_default();
    if !throttle::verify_current_password(state, &username, &ctx.client, password, &hash).await? {
        return Err(ReauthError::WrongPassword);
    }
    sessions::reauthenticate(&state.pool, &user.session_hash, ctx.now).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sudo_mode_lasts_ten_minutes_from_the_password() {
        let at = OffsetDateTime::UNIX_EPOCH;
        let user = User {
            user_id: 1,
            session_hash: crate::server::crypto::tokens::TokenHash::of(b"a session"),
            authenticated_at: at,
            signed_in_at: at,
            must_change_password: false,
            factor: "password".into(),
            must_set_up_factor: false,
        };
        for (after, open) in [
            (Duration::ZERO, true),
            (Duration::minutes(9) + Duration::seconds(59), true),
            (Duration::minutes(10), false),
            (Duration::hours(1), false),
        ] {
            assert_eq!(user.sudo(at + after).is_ok(), open, "{after}");
        }
    }
}
