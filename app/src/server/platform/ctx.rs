//! The request context every server function starts from, and every service takes.

use http::HeaderMap;
use time::OffsetDateTime;

use crate::error::AppError;
use crate::server::db::history::{self, Attempt, Factor, Outcome};
use crate::server::db::users;
use crate::server::platform::client::ClientInfo;
use crate::server::signin::session::{self, SessionMemo, User};
use crate::server::AppState;

/// One request as the services see it: the application, the request's headers (its
/// cookies), the client behind it, and the moment it is handled.
#[derive(Clone)]
pub struct Ctx {
    pub state: AppState,
    pub headers: HeaderMap,
    pub client: ClientInfo,
    /// When the request is handled, from the application's clock.
    pub now: OffsetDateTime,
    memo: Option<SessionMemo>,
}

impl Ctx {
    /// A context for a request's headers and client, at the clock's present.
    pub fn new(state: AppState, headers: HeaderMap, client: ClientInfo) -> Self {
        let now = state.clock.now();
        Self {
            state,
            headers,
            client,
            now,
            memo: None,
        }
    }

    /// The context of the server function being run.
    pub fn current() -> Self {
        let state = leptos::prelude::expect_context::<AppState>();
        let parts = leptos::prelude::expect_context::<http::request::Parts>();
        let client = ClientInfo::from_parts(&parts, &state.settings);
        let memo = parts.extensions.get::<SessionMemo>().cloned();
        let mut ctx = Self::new(state, parts.headers, client);
        ctx.memo = memo;
        ctx
    }

    /// The fully signed-in account of this request, or `Unauthorized`. Every server
    /// function that acts for a customer starts here: nothing relies on the browser
    /// having hidden a page.
    /// A session locked down with "This wasn't me" gets `NewPasswordRequired` until it
    /// sets one ([`Ctx::user_setting_new_password`]).
    pub async fn user(&self) -> Result<User, AppError> {
        let user = self.user_setting_new_password().await?;
        if user.must_change_password {
            return Err(AppError::NewPasswordRequired);
        }
        Ok(user)
    }

    /// The signed-in account, even while its session is locked down: for setting the new
    /// password (and for "This wasn't me" pressed again).
    pub async fn user_setting_new_password(&self) -> Result<User, AppError> {
        let found = match &self.memo {
            Some(memo) => memo.current(&self.state, &self.headers).await,
            None => session::current(&self.state, &self.headers).await,
        };
        found?.ok_or(AppError::Unauthorized)
    }

    /// Like [`Ctx::user`], for everything but Account › Security: when the operator
    /// requires two-factor authentication, or support's two-factor reset took effect on
    /// this account, an account without it gets `TwoFactorRequired`.
    pub async fn user_past_2fa_policy(&self) -> Result<User, AppError> {
        let user = self.user().await?;
        if user.must_set_up_factor {
            return Err(AppError::TwoFactorRequired);
        }
        if self.state.settings.require_two_factor {
            let enabled = users::profile(&self.state.pool, user.user_id)
                .await?
                .is_some_and(|p| p.two_factor_enabled);
            if !enabled {
                return Err(AppError::TwoFactorRequired);
            }
        }
        Ok(user)
    }

    /// Writes this request's attempt or event to the Login History with `db` (the pool,
    /// or the transaction it belongs to).
    pub async fn write_attempt(
        &self,
        db: impl sqlx::PgExecutor<'_>,
        user_id: Option<i64>,
        username: &str,
        outcome: Outcome,
        factor: Factor,
        locked_until: Option<OffsetDateTime>,
    ) -> Result<(), sqlx::Error> {
        let ip = self.client.ip_text();
        let attempt = Attempt {
            user_id,
            username_typed: username,
            at: self.now,
            ip: &ip,
            user_agent: &self.client.user_agent,
            outcome,
            factor,
            locked_until,
        };
        crate::server::platform::metrics::attempt(outcome.as_str(), factor.as_str());
        history::record(db, &attempt).await
    }

    /// Records this request's attempt or event in the Login History. A lost row must not
    /// change the answer, but it is logged.
    pub async fn record(
        &self,
        user_id: Option<i64>,
        username: &str,
        outcome: Outcome,
        factor: Factor,
    ) {
        self.record_with(user_id, username, outcome, factor, None)
            .await;
    }

    /// [`Ctx::record`] for a refusal that locked the name until `locked_until`.
    pub async fn record_with(
        &self,
        user_id: Option<i64>,
        username: &str,
        outcome: Outcome,
        factor: Factor,
        locked_until: Option<OffsetDateTime>,
    ) {
        let pool = &self.state.pool;
        let written = self
            .write_attempt(pool, user_id, username, outcome, factor, locked_until)
            .await;
        if let Err(e) = written {
            tracing::error!(error = %e, ?outcome, "recording a login history row");
        }
    }
}
