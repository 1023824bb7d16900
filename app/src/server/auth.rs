//! Signing in.

use super::db::users;
use super::password::{HashError, Verification};
use super::AppState;
use crate::domain::{Password, Username};

/// Why a sign-in failed.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Unknown user or wrong password: deliberately one case.
    #[error("invalid username or password")]
    InvalidCredentials,
    #[error("password hashing failed: {0}")]
    Hash(#[from] HashError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// Checks a username and password. An unknown or malformed username is checked against a
/// dummy hash so it takes as long as a wrong password. Returns the account id.
pub async fn check_password(
    state: &AppState,
    username: &str,
    password: &Password,
) -> Result<i64, SignInError> {
    let account = match Username::parse(username) {
        Ok(name) => users::credentials(&state.pool, &name).await?,
        Err(_) => None,
    };
    let Some(account) = account else {
        state.hasher.verify_dummy(password).await?;
        return Err(SignInError::InvalidCredentials);
    };
    match state
        .hasher
        .verify(password, &account.password_hash)
        .await?
    {
        Verification::Mismatch => Err(SignInError::InvalidCredentials),
        Verification::Match { needs_rehash } => {
            if needs_rehash {
                // The password is known right now; store it at the configured cost.
                let hash = state.hasher.hash(password).await?;
                users::set_password_hash(&state.pool, account.id, &hash).await?;
            }
            Ok(account.id)
        }
    }
}
