//! Server-side sessions: the cookie holds only a random id, the database its SHA-256.

use http::header::{COOKIE, SET_COOKIE};
use http::{HeaderMap, HeaderValue};
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::db::sessions;
use super::settings::Settings;
use super::AppState;

/// A session id as held by the browser: 256 bits from the OS CSPRNG.
pub struct SessionToken([u8; 32]);

impl SessionToken {
    /// A fresh random token.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// Reads the token from a cookie value; anything but 64 hex digits is no token.
    pub fn from_cookie_value(value: &str) -> Option<Self> {
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(value, &mut bytes).ok()?;
        Some(Self(bytes))
    }

    /// What the database stores and looks up: the token's SHA-256, never the token.
    pub fn hash(&self) -> Vec<u8> {
        Sha256::digest(self.0).to_vec()
    }

    fn cookie_value(&self) -> String {
        hex::encode(self.0)
    }
}

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken(<hidden>)")
    }
}

/// The session cookie's name: `__Host-` prefixed when cookies are `Secure`.
pub fn cookie_name(settings: &Settings) -> &'static str {
    if settings.cookie_secure {
        "__Host-gatehouse_session"
    } else {
        "gatehouse_session"
    }
}

/// The `Set-Cookie` value that stores `token` in the browser.
pub fn set_cookie(settings: &Settings, token: &SessionToken) -> HeaderValue {
    let secure = if settings.cookie_secure {
        "; Secure"
    } else {
        ""
    };
    let value = format!(
        "{}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        cookie_name(settings),
        token.cookie_value(),
        settings.session_absolute.whole_seconds(),
    );
    HeaderValue::from_str(&value).expect("cookie is ASCII")
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(settings: &Settings) -> HeaderValue {
    let secure = if settings.cookie_secure {
        "; Secure"
    } else {
        ""
    };
    let value = format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}",
        cookie_name(settings)
    );
    HeaderValue::from_str(&value).expect("cookie is ASCII")
}

/// The session token the request carries, if any.
pub fn token_from_headers(settings: &Settings, headers: &HeaderMap) -> Option<SessionToken> {
    let name = cookie_name(settings);
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .and_then(|c| SessionToken::from_cookie_value(c.value()))
}

/// The signed-in account behind a request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user_id: i64,
}

/// Starts a fully signed-in session for `user_id`, ending the one the request carried (so
/// a session id planted before sign-in is never promoted). Returns the header to send.
pub async fn start(
    state: &AppState,
    request_headers: &HeaderMap,
    user_id: i64,
) -> Result<HeaderValue, sqlx::Error> {
    if let Some(old) = token_from_headers(&state.settings, request_headers) {
        sessions::delete(&state.pool, &old.hash()).await?;
    }
    let token = SessionToken::generate();
    let now = state.clock.now();
    sessions::insert(
        &state.pool,
        &token.hash(),
        user_id,
        now,
        now + state.settings.session_absolute,
    )
    .await?;
    Ok(set_cookie(&state.settings, &token))
}

/// The account signed in on this request, if its session is live; touches the session.
pub async fn current(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<CurrentUser>, sqlx::Error> {
    let Some(token) = token_from_headers(&state.settings, headers) else {
        return Ok(None);
    };
    let now = state.clock.now();
    let user_id = sessions::touch(
        &state.pool,
        &token.hash(),
        now,
        now - state.settings.session_idle,
    )
    .await?;
    Ok(user_id.map(|user_id| CurrentUser { user_id }))
}

/// Ends the request's session server-side. Returns the header that clears the cookie.
pub async fn end(state: &AppState, headers: &HeaderMap) -> Result<HeaderValue, sqlx::Error> {
    if let Some(token) = token_from_headers(&state.settings, headers) {
        sessions::delete(&state.pool, &token.hash()).await?;
    }
    Ok(clear_cookie(&state.settings))
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
    fn tokens_are_random_and_round_trip_through_the_cookie() {
        let a = SessionToken::generate();
        let b = SessionToken::generate();
        assert_ne!(a.cookie_value(), b.cookie_value());
        let back = SessionToken::from_cookie_value(&a.cookie_value()).unwrap();
        assert_eq!(back.hash(), a.hash());
        assert_eq!(a.hash().len(), 32);
        assert_ne!(
            a.hash(),
            a.0.to_vec(),
            "the stored value is a hash, not the token"
        );
    }

    #[test]
    fn malformed_cookie_values_are_no_token() {
        for bad in ["", "abc", &"zz".repeat(32), &"00".repeat(33)] {
            assert!(SessionToken::from_cookie_value(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn cookie_attributes_follow_settings() {
        let mut settings = Settings::dev();
        let t = SessionToken::generate();
        let dev = set_cookie(&settings, &t).to_str().unwrap().to_owned();
        assert!(dev.starts_with("gatehouse_session="));
        assert!(dev.contains("HttpOnly") && dev.contains("SameSite=Lax") && dev.contains("Path=/"));
        assert!(!dev.contains("Secure") && !dev.contains("Domain"));
        settings.cookie_secure = true;
        let prod = set_cookie(&settings, &t).to_str().unwrap().to_owned();
        assert!(prod.starts_with("__Host-gatehouse_session=") && prod.ends_with("; Secure"));
    }

    #[test]
    fn the_token_is_found_among_other_cookies() {
        let settings = Settings::dev();
        let t = SessionToken::generate();
        let mut headers = HeaderMap::new();
        let cookie = format!("theme=dark; gatehouse_session={}; x=y", t.cookie_value());
        headers.insert(COOKIE, HeaderValue::from_str(&cookie).unwrap());
        assert_eq!(
            token_from_headers(&settings, &headers).unwrap().hash(),
            t.hash()
        );
    }
}
