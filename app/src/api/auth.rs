//! Signing in and out.

use leptos::prelude::*;

use crate::domain::Password;
use crate::error::AppError;

/// Where a successful sign-in lands.
pub const AFTER_SIGN_IN: &str = "/account/security";

/// Signs in with username and password; on success starts a session and redirects to
/// Account › Security.
#[server(endpoint = "login")]
pub async fn login(username: String, password: Password) -> Result<(), AppError> {
    use crate::server::{auth, respond, session, AppState};

    let state = expect_context::<AppState>();
    let headers = expect_context::<http::request::Parts>().headers;
    respond::finish(
        async {
            let user_id = auth::check_password(&state, &username, &password)
                .await
                .map_err(|e| match e {
                    auth::SignInError::InvalidCredentials => AppError::InvalidCredentials,
                    auth::SignInError::Database(e) => respond::from_db("sign-in lookup", e),
                    other => respond::internal("sign-in", other),
                })?;
            let cookie = session::start(&state, &headers, user_id)
                .await
                .map_err(|e| respond::from_db("starting a session", e))?;
            session::send_cookie(cookie);
            leptos_axum::redirect(AFTER_SIGN_IN);
            Ok(())
        }
        .await,
    )
}

/// Ends the session server-side, clears the cookie and returns to the sign-in page.
#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::server::{respond, session, AppState};

    let state = expect_context::<AppState>();
    let headers = expect_context::<http::request::Parts>().headers;
    respond::finish(
        async {
            let cookie = session::end(&state, &headers)
                .await
                .map_err(|e| respond::from_db("ending a session", e))?;
            session::send_cookie(cookie);
            leptos_axum::redirect("/login");
            Ok(())
        }
        .await,
    )
}
