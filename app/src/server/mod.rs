//! Server-only code: services, persistence, hashing, sessions and outgoing messages.
//!
//! Server functions in [`crate::api`] stay thin and call into here; everything here takes
//! an [`AppState`] (or a pool) and domain types, and returns typed errors, so it can be
//! tested without HTTP.

pub mod accounts;
pub mod authenticator;
pub mod client;
pub mod clock;
pub mod csp;
pub mod db;
pub mod email;
pub mod messages;
pub mod notify;
pub mod otp;
pub mod password;
pub mod password_policy;
pub mod recover;
pub mod recovery;
pub mod respond;
pub mod secret_box;
pub mod security;
pub mod session;
pub mod settings;
pub mod signin;
pub mod sms;
pub mod sms_guard;
pub mod state;
pub mod throttle;
pub mod totp;

pub use clock::Clock;
pub use settings::{Environment, Settings};
pub use state::AppState;

use crate::error::AppError;

/// The client behind the current request (IP, user agent), for history and notices.
pub fn client_info() -> client::ClientInfo {
    let state = leptos::prelude::expect_context::<AppState>();
    let parts = leptos::prelude::expect_context::<http::request::Parts>();
    client::ClientInfo::from_parts(&parts, &state.settings)
}

/// Like [`require_user`], for everything but Account › Security: when the operator
/// requires two-factor authentication, an account without it gets `TwoFactorRequired`.
pub async fn require_user_with_2fa_policy() -> Result<(AppState, session::CurrentUser), AppError> {
    let (state, user) = require_user().await?;
    if state.settings.require_two_factor {
        let enabled = db::users::profile(&state.pool, user.user_id)
            .await
            .map_err(|e| respond::from_db("loading the account", e))?
            .is_some_and(|p| p.two_factor_enabled);
        if !enabled {
            return Err(AppError::TwoFactorRequired);
        }
    }
    Ok((state, user))
}

/// The application state and the fully signed-in account of the current request, or
/// `Unauthorized`. Every server function that acts for a customer starts here: nothing
/// relies on the browser having hidden a page.
pub async fn require_user() -> Result<(AppState, session::CurrentUser), AppError> {
    let state = leptos::prelude::expect_context::<AppState>();
    let parts = leptos::prelude::expect_context::<http::request::Parts>();
    let found = match parts.extensions.get::<session::SessionMemo>() {
        Some(memo) => memo.current(&state, &parts.headers).await,
        None => session::current(&state, &parts.headers).await,
    };
    match found {
        Ok(Some(user)) => Ok((state, user)),
        Ok(None) => Err(AppError::Unauthorized),
        Err(e) => Err(respond::from_db("loading the session", e)),
    }
}
