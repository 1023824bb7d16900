//! Server-side sessions and the trusted-device cookie. Cookies hold only random tokens;
//! the database holds their SHA-256.

use http::header::{COOKIE, SET_COOKIE};
use http::{HeaderMap, HeaderValue};
use sqlx::PgConnection;
use time::{Duration, OffsetDateTime};

use crate::server::db::history::Factor;
use crate::server::db::sessions::{self, NewSession, Stage};
use crate::server::platform::ctx::Ctx;
use crate::server::platform::settings::Settings;
use crate::server::AppState;

pub use crate::server::crypto::tokens::{SecretToken, TokenHash};

/// The two cookies Gatehouse sets.
#[derive(Debug, Clone, Copy)]
pub enum CookieKind {
    /// The session id.
    Session,
    /// "Trust this device for 30 days".
    TrustedDevice,
    /// The notice the next page shows (`platform::flash`); never a secret.
    Notice,
}

/// A cookie's name: `__Host-` prefixed when cookies are `Secure`.
pub fn cookie_name(settings: &Settings, kind: CookieKind) -> &'static str {
    match (kind, settings.cookie_secure) {
        (CookieKind::Session, true) => "__Host-gatehouse_session",
        (CookieKind::Session, false) => "gatehouse_session",
        (CookieKind::TrustedDevice, true) => "__Host-gatehouse_device",
        (CookieKind::TrustedDevice, false) => "gatehouse_device",
        (CookieKind::Notice, true) => "__Host-gatehouse_notice",
        (CookieKind::Notice, false) => "gatehouse_notice",
    }
}

/// The `Set-Cookie` value storing `token` for `max_age`: HttpOnly, SameSite=Lax, Path=/,
/// no Domain, and Secure when configured.
pub fn set_cookie(
    settings: &Settings,
    kind: CookieKind,
    token: &SecretToken,
    max_age: Duration,
) -> HeaderValue {
    cookie_header(settings, kind, &token.encoded(), max_age.whole_seconds())
}

/// The `Set-Cookie` value removing a cookie.
pub fn clear_cookie(settings: &Settings, kind: CookieKind) -> HeaderValue {
    cookie_header(settings, kind, "", 0)
}

/// The `Set-Cookie` value storing `value` (a cookie-safe string) for `max_age` seconds, with
/// the attributes of every Gatehouse cookie.
pub(crate) fn cookie_header(
    settings: &Settings,
    kind: CookieKind,
    value: &str,
    max_age: i64,
) -> HeaderValue {
    let secure = if settings.cookie_secure {
        "; Secure"
    } else {
        ""
    };
    let header = format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
        cookie_name(settings, kind)
    );
    HeaderValue::from_str(&header).expect("cookie is ASCII")
}

/// The token of `kind` the request carries, if any.
pub fn token_from_headers(
    settings: &Settings,
    kind: CookieKind,
    headers: &HeaderMap,
) -> Option<SecretToken> {
    cookie_value(settings, kind, headers).and_then(|v| SecretToken::from_cookie_value(&v))
}

/// The value of the cookie of `kind` the request carries, if any.
pub(crate) fn cookie_value(
    settings: &Settings,
    kind: CookieKind,
    headers: &HeaderMap,
) -> Option<String> {
    let name = cookie_name(settings, kind);
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// The signed-in account behind a request.
#[derive(Debug, Clone)]
pub struct User {
    pub user_id: i64,
    /// The SHA-256 of this session's id.
    pub session_hash: TokenHash,
    /// When the password was last proven in this session.
    pub authenticated_at: OffsetDateTime,
    /// When this session was signed in (its sign-in's Login History row has this time).
    pub signed_in_at: OffsetDateTime,
    /// Locked down ("This wasn't me"): only Change password answers it.
    pub must_change_password: bool,
    /// What signed this session in (a history factor's name: "sms_code", "passkey", …).
    pub factor: String,
    /// Support's two-factor reset took effect and no factor is set up yet: only Account ›
    /// Security answers (read with the session, so no request pays a query for it).
    pub must_set_up_factor: bool,
}

/// One page request's session lookup, shared by the server functions its resources call
/// while the page renders (the Login History page needs the session twice). Only GET
/// requests carry one: they change no session, so the answer cannot go stale within the
/// request. Lives in the request's extensions, never beyond it.
#[derive(Debug, Clone, Default)]
pub struct SessionMemo(std::sync::Arc<tokio::sync::OnceCell<Option<User>>>);

impl SessionMemo {
    /// The request's signed-in account, looked up on first use.
    pub async fn current(
        &self,
        state: &AppState,
        headers: &HeaderMap,
    ) -> Result<Option<User>, sqlx::Error> {
        self.0
            .get_or_try_init(|| current(state, headers))
            .await
            .cloned()
    }
}

/// A sign-in waiting for its second factor.
pub struct PendingSession {
    pub id_hash: TokenHash,
    pub user_id: i64,
    pub authenticated_at: OffsetDateTime,
}

/// Stores a new session on `conn` (usually a transaction) for the request in `ctx`, and
/// returns the cookie for it. `factor` is what signed it in (for a pending sign-in, the
/// password so far).
pub async fn begin(
    conn: &mut PgConnection,
    ctx: &Ctx,
    user_id: i64,
    stage: Stage,
    authenticated_at: OffsetDateTime,
    factor: Factor,
) -> Result<(SecretToken, HeaderValue), sqlx::Error> {
    let settings = &ctx.state.settings;
    let token = SecretToken::generate();
    let ip = ctx.client.ip_text();
    let new = NewSession {
        id_hash: &token.hash(),
        user_id,
        stage,
        now: ctx.now,
        expires_at: ctx.now + settings.sessions.absolute,
        authenticated_at,
        ip: &ip,
        user_agent: &ctx.client.user_agent,
        factor: factor.as_str(),
    };
    sessions::insert(conn, &new).await?;
    let cookie = set_cookie(
        settings,
        CookieKind::Session,
        &token,
        settings.sessions.absolute,
    );
    Ok((token, cookie))
}

/// Ends the session the request carried, if any, so an id planted before sign-in (or
/// a pending id after its step) can never be promoted.
pub async fn end_current(
    conn: &mut PgConnection,
    settings: &Settings,
    headers: &HeaderMap,
) -> Result<(), sqlx::Error> {
    if let Some(old) = token_from_headers(settings, CookieKind::Session, headers) {
        sessions::delete(conn, &old.hash()).await?;
    }
    Ok(())
}

/// The fully signed-in account of this request, if its session is live; touches it.
pub async fn current(state: &AppState, headers: &HeaderMap) -> Result<Option<User>, sqlx::Error> {
    Ok(live(state, headers, Stage::Full)
        .await?
        .map(|(session_hash, s)| User {
            session_hash,
            user_id: s.user_id,
            authenticated_at: s.authenticated_at,
            signed_in_at: s.created_at,
            must_change_password: s.must_change_password,
            factor: s.factor,
            must_set_up_factor: s.must_set_up_factor,
        }))
}

/// The pending sign-in of this request, if any.
pub async fn current_pending(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<PendingSession>, sqlx::Error> {
    Ok(live(state, headers, Stage::Pending)
        .await?
        .map(|(id_hash, s)| PendingSession {
            id_hash,
            user_id: s.user_id,
            authenticated_at: s.authenticated_at,
        }))
}

/// How stale a session's `last_seen_at` may get before a request records its use: the
/// idle timeout is measured to within this, and a busy session writes once a minute
/// rather than on every request.
const LAST_SEEN_GRANULARITY: time::Duration = time::Duration::minutes(1);

async fn live(
    state: &AppState,
    headers: &HeaderMap,
    stage: Stage,
) -> Result<Option<(TokenHash, sessions::LiveSession)>, sqlx::Error> {
    let Some(token) = token_from_headers(&state.settings, CookieKind::Session, headers) else {
        return Ok(None);
    };
    let now = state.clock.now();
    let hash = token.hash();
    let found = sessions::touch(
        &state.pool,
        &hash,
        stage,
        now,
        now - state.settings.sessions.idle,
        now - LAST_SEEN_GRANULARITY,
    )
    .await?;
    Ok(found.map(|s| (hash, s)))
}

/// Ends the request's session server-side. Returns the header that clears the cookie.
pub async fn end(state: &AppState, headers: &HeaderMap) -> Result<HeaderValue, sqlx::Error> {
    let mut conn = state.pool.acquire().await?;
    end_current(&mut conn, &state.settings, headers).await?;
    Ok(clear_cookie(&state.settings, CookieKind::Session))
}

/// Adds a `Set-Cookie` header to the server function's response.
pub fn send_cookie(value: HeaderValue) {
    if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        res.append_header(SET_COOKIE, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_attributes_follow_settings() {
        let mut settings = Settings::dev();
        let t = SecretToken::generate();
        let dev = set_cookie(&settings, CookieKind::Session, &t, Duration::hours(1))
            .to_str()
            .unwrap()
            .to_owned();
        assert!(dev.starts_with("gatehouse_session="));
        assert!(dev.contains("HttpOnly") && dev.contains("SameSite=Lax") && dev.contains("Path=/"));
        assert!(!dev.contains("Secure") && !dev.contains("Domain"));
        settings.cookie_secure = true;
        let prod = set_cookie(&settings, CookieKind::TrustedDevice, &t, Duration::days(30))
            .to_str()
            .unwrap()
            .to_owned();
        assert!(prod.starts_with("__Host-gatehouse_device=") && prod.ends_with("; Secure"));
        assert!(prod.contains("Max-Age=2592000"));
    }

    #[test]
    fn the_token_is_found_among_other_cookies() {
        let settings = Settings::dev();
        let t = SecretToken::generate();
        let mut headers = HeaderMap::new();
        let cookie = format!("theme=dark; gatehouse_session={}; x=y", t.encoded());
        headers.insert(COOKIE, HeaderValue::from_str(&cookie).unwrap());
        assert_eq!(
            token_from_headers(&settings, CookieKind::Session, &headers)
                .unwrap()
                .hash(),
            t.hash()
        );
        assert!(token_from_headers(&settings, CookieKind::TrustedDevice, &headers).is_none());
    }
}
