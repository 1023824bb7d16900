//! Forgot Username?, Forgot Password? and the reset link. The two Forgot calls answer
//! `Ok(())` whether or not an account matched; only malformed input is an error.

use leptos::prelude::*;

use crate::domain::Password;
use crate::error::AppError;

#[cfg(feature = "ssr")]
pub(crate) fn map_error(e: crate::server::recover::RecoverError) -> AppError {
    use crate::server::password_policy::WeakPassword;
    use crate::server::recover::RecoverError as E;
    use crate::server::respond;
    match e {
        E::Email(e) => AppError::invalid("email", e),
        E::Empty => AppError::invalid("login", "Enter your username or email address."),
        E::InvalidLink => AppError::invalid(
            "token",
            "This link has expired or has already been used. Ask for a new one.",
        ),
        E::Weak(WeakPassword::Mismatch) => {
            AppError::invalid("password_again", WeakPassword::Mismatch)
        }
        E::Weak(w) => AppError::invalid("password", w),
        E::WrongPassword => AppError::invalid("current_password", "That password isn't right."),
        E::Database(e) => respond::from_db("account recovery", e),
        E::Hash(e) => respond::from_hash("account recovery", e),
    }
}

/// Forgot Username?: emails the usernames registered to `email`, if there are any.
#[server(endpoint = "forgot-username")]
pub async fn forgot_username(email: String) -> Result<(), AppError> {
    use crate::server::{recover, respond};
    respond::finish(
        async {
            let state = expect_context::<crate::server::AppState>();
            let client = crate::server::client_info();
            recover::remind_username(&state, &client, &email)
                .await
                .map_err(map_error)
        }
        .await,
    )
}

/// Forgot Password?: emails a reset link to the account named by `login` (a username or
/// an email address), if there is one.
#[server(endpoint = "forgot-password")]
pub async fn forgot_password(login: String) -> Result<(), AppError> {
    use crate::server::{recover, respond};
    respond::finish(
        async {
            let state = expect_context::<crate::server::AppState>();
            let client = crate::server::client_info();
            recover::request_reset(&state, &client, &login)
                .await
                .map_err(map_error)
        }
        .await,
    )
}

/// Whether a reset link still works (it is not used up by asking).
#[server(endpoint = "reset-link")]
pub async fn reset_link_status(token: String) -> Result<bool, AppError> {
    use crate::server::{recover, respond};
    respond::finish(
        async {
            let state = expect_context::<crate::server::AppState>();
            recover::link_is_live(&state, &token)
                .await
                .map_err(map_error)
        }
        .await,
    )
}

/// Sets a new password from a reset link. Does not sign in.
#[server(endpoint = "reset-password")]
pub async fn reset_password(
    token: String,
    password: Password,
    password_again: Password,
) -> Result<(), AppError> {
    use crate::server::{recover, respond};
    respond::finish(
        async {
            let state = expect_context::<crate::server::AppState>();
            let client = crate::server::client_info();
            recover::reset(&state, &client, &token, password, &password_again)
                .await
                .map_err(map_error)
        }
        .await,
    )
}

/// Change password (signed in): the current one, then the new one twice.
#[server(endpoint = "change-password")]
pub async fn change_password(
    current_password: Password,
    password: Password,
    password_again: Password,
) -> Result<(), AppError> {
    use crate::server::{recover, respond};
    respond::finish(
        async {
            let (state, user) = crate::server::require_user().await?;
            let client = crate::server::client_info();
            recover::change(
                &state,
                &user,
                &client,
                &current_password,
                password,
                &password_again,
            )
            .await
            .map_err(map_error)
        }
        .await,
    )
}
